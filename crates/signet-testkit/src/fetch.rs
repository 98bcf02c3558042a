//! A blocking HTTP/1.1 client for loopback `http://` URLs only: the [`Fetch`] the tests give to
//! signet-pki. It refuses every other host, so a test can never reach the internet.

use std::io::{Read as _, Write as _};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::Duration;

use signet_core::{Fetch, FetchError, FetchResponse};

/// HTTP over loopback, with a timeout and a response size cap.
#[derive(Debug, Clone)]
pub struct LoopbackFetch {
    /// Connect, read and write timeout.
    pub timeout: Duration,
    /// The largest response (head and body) accepted, in bytes.
    pub max_response: usize,
}

impl Default for LoopbackFetch {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(20),
            max_response: 1024 * 1024,
        }
    }
}

fn invalid(url: &str, reason: &str) -> FetchError {
    FetchError::InvalidUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    }
}

/// Splits `http://127.0.0.1:PORT/path` into a loopback socket address and the path.
fn parse(url: &str) -> Result<(SocketAddr, String), FetchError> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| invalid(url, "only http:// is served by the test client"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_owned()),
        None => (rest, "/".to_owned()),
    };
    let (host, port) = authority
        .rsplit_once(':')
        .ok_or_else(|| invalid(url, "the port is missing"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::from([127, 0, 0, 1])
    } else {
        host.parse()
            .map_err(|_| invalid(url, "the host is not an IP address"))?
    };
    if !ip.is_loopback() {
        return Err(invalid(
            url,
            "the test client only reaches loopback addresses",
        ));
    }
    let port: u16 = port.parse().map_err(|_| invalid(url, "bad port"))?;
    Ok((SocketAddr::new(ip, port), path))
}

impl LoopbackFetch {
    fn exchange(
        &self,
        url: &str,
        method: &str,
        headers: &str,
        body: &[u8],
    ) -> Result<FetchResponse, FetchError> {
        let (addr, path) = parse(url)?;
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
        let mut stream = TcpStream::connect_timeout(&addr, self.timeout).map_err(transport)?;
        stream
            .set_read_timeout(Some(self.timeout))
            .map_err(transport)?;
        stream
            .set_write_timeout(Some(self.timeout))
            .map_err(transport)?;
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
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
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
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

impl Fetch for LoopbackFetch {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http_urls_are_accepted() {
        assert!(parse("http://127.0.0.1:8080/ocsp").is_ok());
        assert!(parse("http://localhost:1/").is_ok());
        assert!(parse("http://[::1]:9/x").is_ok());
        for url in [
            "https://127.0.0.1:1/",
            "http://ocsp.sk.ee:80/",
            "http://192.168.1.1:80/",
            "file:///etc/passwd",
            "http://127.0.0.1/",
        ] {
            assert!(
                matches!(parse(url), Err(FetchError::InvalidUrl { .. })),
                "{url}"
            );
        }
    }

    #[test]
    fn responses_are_parsed_and_cut_at_their_length() {
        let raw = b"HTTP/1.1 200 OK\r\nContent-Type: application/ocsp-response\r\nContent-Length: 3\r\n\r\nabcdef";
        let r = parse_response("u", raw).unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"abc");
        assert_eq!(r.content_type.as_deref(), Some("application/ocsp-response"));
        assert!(parse_response("u", b"HTTP/1.1 200 OK\r\n").is_err());
    }
}
