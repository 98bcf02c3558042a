//! OCSP for login certificates: the node's configured responder, and a small blocking HTTP
//! client for `signet-node serve` to reach it.
//!
//! A node names its responder ([`crate::OcspCheck::responder`]); requests go there whatever
//! the certificate's authority information access says (a CA's AIA is used only when the node
//! names none). Responses are verified by signet-pki (signature by the CA or its delegated
//! responder, freshness, nonce).

use std::io::{Read as _, Write as _};
use std::net::{TcpStream, ToSocketAddrs as _};
use std::sync::Arc;
use std::time::Duration;

use signet_core::{Fetch, FetchError, FetchResponse};

/// Sends OCSP requests (POSTs) to the configured responder; anything else (CRLs of the CAs)
/// goes through unchanged.
#[derive(Debug)]
pub(crate) struct ConfiguredResponder {
    pub inner: Arc<dyn Fetch>,
    pub responder: String,
}

impl Fetch for ConfiguredResponder {
    fn get(&self, url: &str, accept: &str) -> Result<FetchResponse, FetchError> {
        self.inner.get(url, accept)
    }

    fn post(
        &self,
        url: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<FetchResponse, FetchError> {
        if url != self.responder {
            tracing::debug!(certificate_says = %url, responder = %self.responder, "OCSP request sent to the configured responder");
        }
        self.inner.post(&self.responder, content_type, body)
    }
}

/// Blocking HTTP/1.1 over plain `http://` (OCSP responders answer on plain HTTP: their answers
/// are signed), with a timeout and a response size cap; no redirects.
#[derive(Debug, Clone)]
pub struct HttpFetch {
    /// Connect, read and write timeout.
    pub timeout: Duration,
    /// The largest answer (head and body) accepted, in bytes.
    pub max_response: usize,
}

impl Default for HttpFetch {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(5),
            max_response: 256 * 1024,
        }
    }
}

impl HttpFetch {
    fn exchange(
        &self,
        url: &str,
        method: &str,
        headers: &str,
        body: &[u8],
    ) -> Result<FetchResponse, FetchError> {
        let invalid = |reason: &str| FetchError::InvalidUrl {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| invalid("only http:// responders are supported"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if authority.is_empty() || authority.contains(['@', ' ']) {
            return Err(invalid("no usable host"));
        }
        let with_port = if authority.rsplit_once(':').is_some_and(|(h, p)| {
            !h.ends_with(':') && p.bytes().all(|b| b.is_ascii_digit()) && !p.is_empty()
        }) {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        let seconds = self.timeout.as_secs();
        let transport = |e: std::io::Error| match e.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => FetchError::Timeout {
                url: url.to_owned(),
                seconds,
            },
            _ => FetchError::Unreachable {
                url: url.to_owned(),
                reason: e.to_string(),
            },
        };
        let addr = with_port
            .to_socket_addrs()
            .map_err(transport)?
            .next()
            .ok_or_else(|| invalid("the host has no address"))?;
        let mut stream = TcpStream::connect_timeout(&addr, self.timeout).map_err(transport)?;
        stream
            .set_read_timeout(Some(self.timeout))
            .map_err(transport)?;
        stream
            .set_write_timeout(Some(self.timeout))
            .map_err(transport)?;
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {authority}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).map_err(transport)?;
        stream.write_all(body).map_err(transport)?;
        let mut raw = Vec::new();
        let cap = u64::try_from(self.max_response).unwrap_or(u64::MAX);
        (&mut stream)
            .take(cap.saturating_add(1))
            .read_to_end(&mut raw)
            .map_err(transport)?;
        if raw.len() > self.max_response {
            return Err(FetchError::TooLarge {
                url: url.to_owned(),
                limit: cap,
            });
        }
        parse_response(url, &raw)
    }
}

fn parse_response(url: &str, raw: &[u8]) -> Result<FetchResponse, FetchError> {
    let bad = |reason: &str| FetchError::Unreachable {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("the answer has no complete HTTP head"))?;
    let head = std::str::from_utf8(&raw[..end]).map_err(|_| bad("the HTTP head is not text"))?;
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("the HTTP status line is malformed"))?;
    let mut content_type = None;
    let mut length = None;
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            let name = name.trim();
            if name.eq_ignore_ascii_case("content-type") {
                content_type = Some(value.trim().to_owned());
            } else if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                return Err(bad("chunked answers are not supported"));
            }
        }
    }
    let mut body = raw[end + 4..].to_vec();
    if let Some(length) = length {
        if body.len() < length {
            return Err(bad("the answer ended before its Content-Length"));
        }
        body.truncate(length);
    }
    Ok(FetchResponse {
        status,
        content_type,
        body,
    })
}

impl Fetch for HttpFetch {
    fn get(&self, url: &str, accept: &str) -> Result<FetchResponse, FetchError> {
        self.exchange(url, "GET", &format!("Accept: {accept}\r\n"), &[])
    }

    fn post(
        &self,
        url: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<FetchResponse, FetchError> {
        self.exchange(
            url,
            "POST",
            &format!("Content-Type: {content_type}\r\n"),
            body,
        )
    }
}
