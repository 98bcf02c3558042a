//! Checks on the addresses in Signet's list of nodes: the scheme, an exact loopback host, and the
//! Web eID origin a login token is made for.

use std::net::IpAddr;
use std::time::Duration;

/// The parts of an `http(s)://host[:port][/path]` URL that the checks need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NodeUrl {
    /// `https` or `http`.
    pub https: bool,
    /// The host, lowercase, an IPv6 literal without its brackets.
    pub host: String,
    /// The origin, `scheme://host[:port]`, the default port left out.
    pub origin: String,
}

impl NodeUrl {
    /// Parses `url`; `None` for anything but `http`/`https` with a plain host (no user info).
    pub fn parse(url: &str) -> Option<Self> {
        let (https, rest) = if let Some(r) = url.strip_prefix("https://") {
            (true, r)
        } else {
            (false, url.strip_prefix("http://")?)
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.is_empty() || authority.contains('@') {
            return None;
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, tail) = v6.split_once(']')?;
            let port = match tail {
                "" => None,
                t => Some(t.strip_prefix(':')?),
            };
            (h.to_owned(), port)
        } else {
            match authority.split_once(':') {
                Some((h, p)) => (h.to_owned(), Some(p)),
                None => (authority.to_owned(), None),
            }
        };
        let port = match port {
            None => None,
            Some(p) => Some(p.parse::<u16>().ok()?),
        };
        if host.is_empty() {
            return None;
        }
        let host = host.to_ascii_lowercase();
        let default = if https { 443 } else { 80 };
        let shown = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.clone()
        };
        let origin = match port {
            Some(p) if p != default => {
                format!("{}://{shown}:{p}", if https { "https" } else { "http" })
            }
            _ => format!("{}://{shown}", if https { "https" } else { "http" }),
        };
        Some(Self {
            https,
            host,
            origin,
        })
    }

    /// Whether the host is this machine: `localhost` or a loopback address, exactly (never a
    /// name that merely starts like one, such as `127.0.0.1.example`).
    pub fn is_loopback(&self) -> bool {
        self.host == "localhost" || self.host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

/// The same origin, written either way (`https://x` and `https://x:443`).
pub(crate) fn same_origin(a: &str, b: &str) -> bool {
    match (NodeUrl::parse(a), NodeUrl::parse(b)) {
        (Some(a), Some(b)) => a.origin == b.origin,
        _ => false,
    }
}

/// Text a node sent, made safe to show as plain text: control characters (C0 but tab, DEL, C1)
/// and the bidirectional marks (embeddings, overrides and isolates U+202A–U+202E, U+2066–U+2069,
/// and LRM, RLM, ALM),
/// which could rewrite a terminal or reorder what a person reads, become U+FFFD.
pub fn plain_text(text: &str) -> String {
    text.chars()
        .map(|c| {
            let bidi = matches!(
                c,
                '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
            );
            if bidi || (c.is_control() && c != '\t') {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// The HTTP client for one node: no redirects, no proxy, `https_only` for https nodes, the
/// node's TLS roots; `timeout` for a whole call, `idle` for each read (a stream that stops
/// sending fails after it).
pub(crate) fn agent(
    https: bool,
    tls: &ureq::tls::TlsConfig,
    timeout: Option<Duration>,
    idle: Option<Duration>,
) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(timeout)
        .timeout_per_read(idle)
        .timeout_connect(Some(Duration::from_secs(10)))
        .max_redirects(0)
        .http_status_as_error(false)
        .proxy(None)
        .https_only(https)
        .tls_config(tls.clone())
        .user_agent(concat!("Signet/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// One line of an event stream (without its `\n` or `\r\n`), `None` at its end; a line longer
/// than `max` bytes, or not UTF-8, is an error rather than a buffer that grows without end.
pub(crate) fn read_line(
    reader: &mut impl std::io::BufRead,
    max: usize,
) -> std::io::Result<Option<String>> {
    let mut line = Vec::new();
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            if line.is_empty() {
                return Ok(None);
            }
            break;
        }
        let (take, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        line.extend_from_slice(&buf[..take]);
        reader.consume(take);
        if line.len() > max + 2 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("a stream line longer than {max} bytes"),
            ));
        }
        if done {
            break;
        }
    }
    while matches!(line.last(), Some(b'\n' | b'\r')) {
        line.pop();
    }
    String::from_utf8(line).map(Some).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "a stream line is not UTF-8",
        )
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn loopback_means_an_exact_loopback_host() {
        for url in [
            "http://127.0.0.1:8080",
            "http://127.0.0.1",
            "http://127.1.2.3:9/v1",
            "http://[::1]:443/x",
            "http://localhost:1",
            "https://LOCALHOST",
        ] {
            assert!(NodeUrl::parse(url).unwrap().is_loopback(), "{url}");
        }
        for url in [
            "http://127.0.0.1.evil.example",
            "http://127.0.0.1.evil.example:80",
            "http://localhost.evil.example",
            "http://localhostevil:1",
            "http://[::2]:1",
            "https://rr.example",
        ] {
            assert!(!NodeUrl::parse(url).unwrap().is_loopback(), "{url}");
        }
        // User info would let "http://127.0.0.1@evil.example" look local.
        assert_eq!(NodeUrl::parse("http://127.0.0.1@evil.example"), None);
        assert_eq!(NodeUrl::parse("ftp://127.0.0.1"), None);
        assert_eq!(NodeUrl::parse("http://127.0.0.1:99999"), None);
    }

    #[test]
    fn stream_lines_are_capped() {
        let mut ok = std::io::Cursor::new(b"data: {}\r\n\nlast".to_vec());
        assert_eq!(read_line(&mut ok, 16).unwrap().as_deref(), Some("data: {}"));
        assert_eq!(read_line(&mut ok, 16).unwrap().as_deref(), Some(""));
        assert_eq!(read_line(&mut ok, 16).unwrap().as_deref(), Some("last"));
        assert_eq!(read_line(&mut ok, 16).unwrap(), None);
        // A node sending one endless line: refused once the cap is passed, not buffered.
        let mut endless = std::io::BufReader::with_capacity(8, std::io::repeat(b'x'));
        let e = read_line(&mut endless, 1024).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
    }

    #[test]
    fn a_stream_that_falls_silent_is_given_up() {
        use std::io::{Read as _, Write as _};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).unwrap();
            s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n: hello\n")
                .unwrap();
            // Then nothing, for longer than the client waits.
            std::thread::sleep(Duration::from_secs(3));
        });
        let tls = ureq::tls::TlsConfig::builder().build();
        let agent = agent(false, &tls, None, Some(Duration::from_secs(1)));
        let started = std::time::Instant::now();
        let mut resp = agent
            .get(format!("http://{addr}/v1/usage/stream"))
            .call()
            .unwrap();
        let mut reader = std::io::BufReader::new(resp.body_mut().as_reader());
        assert_eq!(
            read_line(&mut reader, 1024).unwrap().as_deref(),
            Some(": hello")
        );
        let e = read_line(&mut reader, 1024).unwrap_err();
        let waited = started.elapsed();
        assert!(
            waited < Duration::from_millis(2500),
            "gave up after {waited:?}: {e}"
        );
        server.join().unwrap();
    }

    #[test]
    fn node_text_is_shown_as_plain_text() {
        assert_eq!(plain_text("Politsei\tPPA"), "Politsei\tPPA");
        assert_eq!(
            plain_text("x\u{1b}[2J\u{7}\u{9b}y\u{202e}z\u{2066}"),
            "x\u{fffd}[2J\u{fffd}\u{fffd}y\u{fffd}z\u{fffd}"
        );
        assert_eq!(plain_text("Tähe 4, Тарту"), "Tähe 4, Тарту");
    }

    #[test]
    fn origins_compare_with_the_default_port_left_out() {
        assert!(same_origin("https://rr.example", "https://rr.example:443"));
        assert!(same_origin("https://rr.example/v1/x", "https://RR.example"));
        assert!(!same_origin("https://rr.example", "https://bank.example"));
        assert!(!same_origin(
            "https://rr.example:8443",
            "https://rr.example"
        ));
        assert!(!same_origin("http://rr.example", "https://rr.example"));
    }
}
