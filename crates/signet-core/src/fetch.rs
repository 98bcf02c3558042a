//! HTTP GET and POST of bytes, for the libraries that must reach a server.
//!
//! OCSP responders, time-stamping authorities and agency nodes are reached through a [`Fetch`]
//! that the caller passes in. The format crates never open a socket, never pull in an async runtime
//! and can be tested with a [`Fetch`] that answers from memory. The binaries implement it with a
//! real HTTP client that enforces timeouts and response size limits.

use std::fmt;

/// A response to a [`Fetch`] request.
#[derive(Clone, PartialEq, Eq)]
pub struct FetchResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The `Content-Type` header, when the server sent one.
    pub content_type: Option<String>,
    /// The response body.
    pub body: Vec<u8>,
}

impl fmt::Debug for FetchResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body may carry personal data: show its size only.
        f.debug_struct("FetchResponse")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl FetchResponse {
    /// The response when its status is 2xx, else [`FetchError::Status`].
    pub fn success(self, url: &str) -> Result<Self, FetchError> {
        if (200..300).contains(&self.status) {
            Ok(self)
        } else {
            Err(FetchError::Status {
                url: url.to_owned(),
                status: self.status,
            })
        }
    }

    /// Checks that the server answered with the media type `expected` (parameters ignored).
    pub fn expect_content_type(&self, url: &str, expected: &str) -> Result<(), FetchError> {
        let found = self
            .content_type
            .as_deref()
            .and_then(|value| value.split(';').next())
            .map(str::trim);
        match found {
            Some(media) if media.eq_ignore_ascii_case(expected) => Ok(()),
            other => Err(FetchError::UnexpectedContentType {
                url: url.to_owned(),
                expected: expected.to_owned(),
                found: other.map(str::to_owned),
            }),
        }
    }
}

/// Why a [`Fetch`] request did not produce a response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The address is not a URL this client may use.
    #[error("{url} is not a usable address: {reason}")]
    InvalidUrl {
        /// The address as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No connection could be made (DNS, refused, reset, TLS).
    #[error("could not reach {url}: {reason}")]
    Unreachable {
        /// The address.
        url: String,
        /// The transport's explanation.
        reason: String,
    },
    /// The server did not answer in time.
    #[error("{url} did not answer within {seconds} s")]
    Timeout {
        /// The address.
        url: String,
        /// The time limit that passed.
        seconds: u64,
    },
    /// The server answered with more bytes than the caller accepts.
    #[error("the answer from {url} is larger than {limit} bytes")]
    TooLarge {
        /// The address.
        url: String,
        /// The size limit in bytes.
        limit: u64,
    },
    /// The server answered with a non-success status.
    #[error("{url} answered with HTTP status {status}")]
    Status {
        /// The address.
        url: String,
        /// The HTTP status code.
        status: u16,
    },
    /// The server answered with another media type than the protocol requires.
    #[error("{url} answered with {} instead of {expected}", found.as_deref().unwrap_or("no content type"))]
    UnexpectedContentType {
        /// The address.
        url: String,
        /// The media type the protocol requires.
        expected: String,
        /// The media type the server sent.
        found: Option<String>,
    },
}

/// HTTP GET and POST of bytes.
///
/// Implementations enforce their own timeouts and size limits and must not follow redirects to
/// other schemes. They are blocking: callers in async code run them on a blocking thread.
pub trait Fetch: Send + Sync + fmt::Debug {
    /// `GET url`, asking for the media type `accept`.
    fn get(&self, url: &str, accept: &str) -> Result<FetchResponse, FetchError>;

    /// `POST url` with `body` of media type `content_type`.
    fn post(&self, url: &str, content_type: &str, body: &[u8])
    -> Result<FetchResponse, FetchError>;
}

impl<F: Fetch + ?Sized> Fetch for &F {
    fn get(&self, url: &str, accept: &str) -> Result<FetchResponse, FetchError> {
        (**self).get(url, accept)
    }
    fn post(
        &self,
        url: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<FetchResponse, FetchError> {
        (**self).post(url, content_type, body)
    }
}

impl<F: Fetch + ?Sized> Fetch for std::sync::Arc<F> {
    fn get(&self, url: &str, accept: &str) -> Result<FetchResponse, FetchError> {
        (**self).get(url, accept)
    }
    fn post(
        &self,
        url: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<FetchResponse, FetchError> {
        (**self).post(url, content_type, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, content_type: Option<&str>) -> FetchResponse {
        FetchResponse {
            status,
            content_type: content_type.map(str::to_owned),
            body: b"secret body".to_vec(),
        }
    }

    #[test]
    fn success_accepts_2xx_and_names_the_status_otherwise() {
        assert!(response(200, None).success("http://a").is_ok());
        assert!(response(204, None).success("http://a").is_ok());
        let err = response(503, None)
            .success("http://127.0.0.1:9/ocsp")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "http://127.0.0.1:9/ocsp answered with HTTP status 503"
        );
    }

    #[test]
    fn content_type_ignores_parameters_and_case() {
        let ok = response(200, Some("Application/OCSP-Response; charset=binary"));
        assert!(
            ok.expect_content_type("u", "application/ocsp-response")
                .is_ok()
        );
        let wrong = response(200, Some("text/html"));
        let err = wrong
            .expect_content_type("u", "application/ocsp-response")
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("text/html instead of application/ocsp-response")
        );
        let missing = response(200, None);
        let err = missing
            .expect_content_type("u", "application/timestamp-reply")
            .unwrap_err();
        assert!(err.to_string().contains("no content type"));
    }

    #[test]
    fn debug_does_not_print_the_body() {
        let shown = format!("{:?}", response(200, None));
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("body_len: 11"), "{shown}");
    }

    #[derive(Debug)]
    struct Echo;
    impl Fetch for Echo {
        fn get(&self, url: &str, _accept: &str) -> Result<FetchResponse, FetchError> {
            Err(FetchError::Timeout {
                url: url.to_owned(),
                seconds: 10,
            })
        }
        fn post(
            &self,
            _url: &str,
            content_type: &str,
            body: &[u8],
        ) -> Result<FetchResponse, FetchError> {
            Ok(FetchResponse {
                status: 200,
                content_type: Some(content_type.to_owned()),
                body: body.to_vec(),
            })
        }
    }

    #[test]
    fn fetch_is_object_safe_and_usable_through_arcs() {
        let fetch: std::sync::Arc<dyn Fetch> = std::sync::Arc::new(Echo);
        let answer = fetch
            .post("http://x", "application/ocsp-request", b"req")
            .unwrap();
        assert_eq!(answer.body, b"req");
        let by_ref: &dyn Fetch = &*fetch;
        let err = (&by_ref).get("http://x/y", "*/*").unwrap_err();
        assert_eq!(err.to_string(), "http://x/y did not answer within 10 s");
    }
}
