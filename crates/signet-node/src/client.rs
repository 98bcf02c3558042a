//! An official's side of a query: a member organisation's system connecting to a node's
//! official listener over mutual TLS (its member certificate), keeping the connection alive for
//! many queries (HTTP/1.1). Used by `signet-node official query` and the benchmark.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};

use crate::NodeError;

/// The largest answer read.
const MAX_ANSWER: usize = 8 * 1024 * 1024;

/// Who the official's system is: its member certificate and key, and the CA that issued the
/// node's server certificate.
#[derive(Clone)]
pub struct OfficialIdentity {
    /// The member's certificate chain (DER, its own first).
    pub certificate_chain: Vec<Vec<u8>>,
    /// Its private key (PKCS#8 DER).
    pub private_key_pkcs8: Vec<u8>,
    /// The CAs the node's server certificate must chain to (DER).
    pub roots: Vec<Vec<u8>>,
}

impl std::fmt::Debug for OfficialIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OfficialIdentity").finish_non_exhaustive()
    }
}

/// One official query (`getRecords`) with the X-Road headers the node logs.
#[derive(Debug, Clone)]
pub struct OfficialQuery {
    /// The node's service provider, `EE/GOV/70000562/rr`.
    pub provider: String,
    /// The querying member, `EE/GOV/70008747/ppa` (must be the certificate's member).
    pub client: String,
    /// The person, `EE38001085718`.
    pub person: String,
    /// The data set.
    pub data_set: String,
    /// Why (`X-Road-PDU-Purpose`, mandatory).
    pub purpose: String,
    /// The official, `EE47101010033` (`X-Road-UserId`).
    pub user_id: String,
    /// The official's name.
    pub user_name: Option<String>,
    /// The law that allows it.
    pub legal_basis: Option<String>,
    /// The case (`X-Road-Issue`).
    pub issue: Option<String>,
    /// The message id (`X-Road-Id`).
    pub query_id: String,
}

/// The node's answer.
#[derive(Debug, Clone)]
pub struct OfficialAnswer {
    /// The HTTP status.
    pub status: u16,
    /// `X-Signet-Usage-Index`: where the query was logged.
    pub usage_index: Option<u64>,
    /// The body (JSON).
    pub body: Vec<u8>,
}

/// A kept-alive mutual-TLS connection to a node's official listener.
pub struct OfficialClient {
    sender: SendRequest<Body>,
    host: String,
    connection: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for OfficialClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OfficialClient")
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

impl Drop for OfficialClient {
    fn drop(&mut self) {
        self.connection.abort();
    }
}

fn failed(what: &str, e: impl std::fmt::Display) -> NodeError {
    NodeError::Internal(format!("official connection: {what}: {e}"))
}

/// Percent-encodes a header value (UTF-8; everything but unreserved characters).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl OfficialClient {
    /// Connects to `addr`, verifying the node's certificate for `server_name` (a DNS name or an
    /// IP address) and presenting the member certificate.
    pub async fn connect(
        addr: SocketAddr,
        server_name: &str,
        identity: &OfficialIdentity,
    ) -> Result<Self, NodeError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        for der in &identity.roots {
            roots
                .add(CertificateDer::from(der.clone()))
                .map_err(|e| failed("a root", e))?;
        }
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| failed("protocol versions", e))?
            .with_root_certificates(roots)
            .with_client_auth_cert(
                identity
                    .certificate_chain
                    .iter()
                    .map(|c| CertificateDer::from(c.clone()))
                    .collect(),
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.private_key_pkcs8.clone())),
            )
            .map_err(|e| failed("the member certificate", e))?;
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| failed("connecting", e))?;
        tcp.set_nodelay(true).map_err(|e| failed("TCP", e))?;
        let name = ServerName::try_from(server_name.to_owned())
            .map_err(|e| failed("the server name", e))?;
        let tls = connector
            .connect(name, tcp)
            .await
            .map_err(|e| failed("the TLS handshake", e))?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .map_err(|e| failed("HTTP", e))?;
        let connection = tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "official connection ended");
            }
        });
        Ok(Self {
            sender,
            host: server_name.to_owned(),
            connection,
        })
    }

    /// Makes `query` and reads the answer.
    pub async fn get_records(
        &mut self,
        query: &OfficialQuery,
    ) -> Result<OfficialAnswer, NodeError> {
        let path = format!(
            "/r1/{}/getRecords/{}/{}",
            query.provider, query.person, query.data_set
        );
        let mut request = hyper::Request::get(path)
            .header("host", &self.host)
            .header("x-road-client", &query.client)
            .header("x-road-id", &query.query_id)
            .header("x-road-userid", &query.user_id)
            .header("x-road-pdu-purpose", percent_encode(&query.purpose));
        if let Some(v) = &query.user_name {
            request = request.header("x-road-pdu-initiator-person-name", percent_encode(v));
        }
        if let Some(v) = &query.legal_basis {
            request = request.header("x-road-pdu-legal-basis", percent_encode(v));
        }
        if let Some(v) = &query.issue {
            request = request.header("x-road-issue", v);
        }
        let request = request
            .body(Body::empty())
            .map_err(|e| failed("the request", e))?;
        self.sender
            .ready()
            .await
            .map_err(|e| failed("the connection", e))?;
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|e| failed("the query", e))?;
        let status = response.status().as_u16();
        let usage_index = response
            .headers()
            .get("x-signet-usage-index")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let body = axum::body::to_bytes(Body::new(response.into_body()), MAX_ANSWER)
            .await
            .map_err(|e| failed("the answer", e))?
            .to_vec();
        Ok(OfficialAnswer {
            status,
            usage_index,
            body,
        })
    }
}
