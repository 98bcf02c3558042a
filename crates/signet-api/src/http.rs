//! The production [`Fetch`]: blocking HTTP/1.1 with `ureq` over rustls.
//!
//! Every URL it is given may come from a document or a certificate (AIA, OCSP, TSA), so it
//! applies the network hygiene of trust.md section 7: `http` and `https` only, a timeout on the
//! whole exchange, a cap on the response size, and no redirects at all (a 3xx is returned as the
//! status it is, which the protocols treat as a failure). It never reads proxies from the
//! environment.

use std::time::Duration;

use signet_core::{Fetch, FetchError, FetchResponse};

/// HTTP for OCSP, time-stamps and trusted lists.
#[derive(Debug, Clone)]
pub struct HttpFetch {
    agent: ureq::Agent,
    timeout: Duration,
    max_response: u64,
}

impl Default for HttpFetch {
    /// 20 s per exchange and 8 MiB per answer (the EU LOTL is about 1 MiB, OCSP answers a few
    /// KiB).
    fn default() -> Self {
        Self::new(Duration::from_secs(20), 8 * 1024 * 1024)
    }
}

impl HttpFetch {
    /// A client with `timeout` for each whole exchange and answers up to `max_response` bytes.
    pub fn new(timeout: Duration, max_response: u64) -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .max_redirects(0)
            .http_status_as_error(false)
            .proxy(None)
            .user_agent(concat!("Signet/", env!("CARGO_PKG_VERSION")))
            .build();
        Self {
            agent: config.into(),
            timeout,
            max_response,
        }
    }

    fn check_url(url: &str) -> Result<(), FetchError> {
        let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Ok(())
        } else {
            Err(FetchError::InvalidUrl {
                url: url.to_owned(),
                reason: "only http and https addresses are used".to_owned(),
            })
        }
    }

    fn error(&self, url: &str, err: ureq::Error) -> FetchError {
        match err {
            ureq::Error::Timeout(_) => FetchError::Timeout {
                url: url.to_owned(),
                seconds: self.timeout.as_secs(),
            },
            ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge {
                url: url.to_owned(),
                limit: self.max_response,
            },
            ureq::Error::BadUri(reason) => FetchError::InvalidUrl {
                url: url.to_owned(),
                reason,
            },
            other => FetchError::Unreachable {
                url: url.to_owned(),
                reason: other.to_string(),
            },
        }
    }

    fn read(
        &self,
        url: &str,
        response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<FetchResponse, FetchError> {
        let mut response = response.map_err(|e| self.error(url, e))?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(ureq::http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let body = response
            .body_mut()
            .with_config()
            .limit(self.max_response)
            .read_to_vec()
            .map_err(|e| self.error(url, e))?;
        tracing::debug!(url = %url, status, bytes = body.len(), "HTTP answer");
        Ok(FetchResponse {
            status,
            content_type,
            body,
        })
    }
}

impl Fetch for HttpFetch {
    fn get(&self, url: &str, accept: &str) -> Result<FetchResponse, FetchError> {
        Self::check_url(url)?;
        let response = self.agent.get(url).header("Accept", accept).call();
        self.read(url, response)
    }

    fn post(
        &self,
        url: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<FetchResponse, FetchError> {
        Self::check_url(url)?;
        let response = self
            .agent
            .post(url)
            .header("Content-Type", content_type)
            .send(body);
        self.read(url, response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_schemes_are_refused_before_any_connection() {
        let fetch = HttpFetch::default();
        for url in ["file:///etc/passwd", "ftp://x/y", "ldap://x", "gopher://x"] {
            assert!(
                matches!(fetch.get(url, "*/*"), Err(FetchError::InvalidUrl { .. })),
                "{url}"
            );
        }
    }

    #[test]
    fn a_closed_port_is_unreachable() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let err = HttpFetch::default()
            .post(
                &format!("http://{addr}/ocsp"),
                "application/ocsp-request",
                b"x",
            )
            .unwrap_err();
        assert!(matches!(err, FetchError::Unreachable { .. }), "{err:?}");
    }

    #[test]
    fn answers_above_the_cap_are_refused_and_redirects_not_followed() {
        use std::io::{Read as _, Write as _};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            for answer in [
                "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nContent-Type: application/x\r\n\r\n"
                    .to_owned()
                    + &"a".repeat(100),
                "HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\n\r\n"
                    .to_owned(),
            ] {
                let (mut stream, _) = listener.accept().unwrap();
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).unwrap();
                stream.write_all(answer.as_bytes()).unwrap();
            }
        });
        let fetch = HttpFetch::new(Duration::from_secs(5), 10);
        let url = format!("http://{addr}/big");
        assert!(matches!(
            fetch.get(&url, "*/*"),
            Err(FetchError::TooLarge { limit: 10, .. })
        ));
        let redirect = fetch.get(&url, "*/*").unwrap();
        assert_eq!(redirect.status, 302);
        assert!(redirect.success(&url).is_err());
        server.join().unwrap();
    }
}
