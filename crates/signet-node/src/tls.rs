//! Mutual TLS for official queries: the querying organisation's system presents its TLS client
//! certificate, issued by a CA the node trusts for members; the certificate is then matched to a
//! member (X-Road members authenticate their security servers the same way).
//!
//! rustls with the ring provider, TLS 1.3 and 1.2 only. A client without a certificate the
//! member CA issued is refused during the handshake; a certificate that is not a member's is
//! refused with 403 (`Client.NotMember`), and `X-Road-Client` must name the member whose
//! certificate it is.

use std::net::SocketAddr;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use tokio_rustls::TlsAcceptor;

use crate::NodeError;

/// The official listener's TLS settings.
#[derive(Clone)]
pub struct OfficialTls {
    /// Where officials connect.
    pub listen: SocketAddr,
    /// The node's certificate chain (DER, its own certificate first).
    pub certificate_chain: Vec<Vec<u8>>,
    /// The node's private key (PKCS#8 DER).
    pub private_key_pkcs8: Vec<u8>,
    /// The CAs that issue members' client certificates (DER).
    pub client_roots: Vec<Vec<u8>>,
}

impl std::fmt::Debug for OfficialTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OfficialTls")
            .field("listen", &self.listen)
            .field("certificates", &self.certificate_chain.len())
            .field("client_roots", &self.client_roots.len())
            .finish_non_exhaustive()
    }
}

/// The person listener's TLS settings: the node's server certificate; no client certificate
/// (persons log in with a Web eID token).
#[derive(Clone)]
pub struct PersonTls {
    /// The node's certificate chain (DER, its own certificate first).
    pub certificate_chain: Vec<Vec<u8>>,
    /// The node's private key (PKCS#8 DER).
    pub private_key_pkcs8: Vec<u8>,
}

impl std::fmt::Debug for PersonTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonTls")
            .field("certificates", &self.certificate_chain.len())
            .finish_non_exhaustive()
    }
}

/// The rustls server configuration for persons: TLS 1.3 and 1.2, no client certificate.
pub(crate) fn person_acceptor(tls: &PersonTls) -> Result<TlsAcceptor, NodeError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain = tls
        .certificate_chain
        .iter()
        .map(|der| CertificateDer::from(der.clone()))
        .collect();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(tls.private_key_pkcs8.clone()));
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| NodeError::Config(format!("person TLS: protocol versions: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| {
            NodeError::Config(format!("person TLS: the node's certificate and key: {e}"))
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// The client certificate of the connection a request came on.
#[derive(Debug, Clone)]
pub(crate) struct Peer {
    /// The leaf certificate (DER), when the client presented one.
    pub certificate: Option<Vec<u8>>,
}

fn config_error(what: &str, e: impl std::fmt::Display) -> NodeError {
    NodeError::Config(format!("official TLS: {what}: {e}"))
}

/// The rustls server configuration: client certificates required, chaining to `client_roots`.
pub(crate) fn acceptor(tls: &OfficialTls) -> Result<TlsAcceptor, NodeError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for der in &tls.client_roots {
        roots
            .add(CertificateDer::from(der.clone()))
            .map_err(|e| config_error("a client root", e))?;
    }
    let verifier =
        WebPkiClientVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
            .build()
            .map_err(|e| config_error("the client verifier", e))?;
    let chain = tls
        .certificate_chain
        .iter()
        .map(|der| CertificateDer::from(der.clone()))
        .collect();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(tls.private_key_pkcs8.clone()));
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| config_error("protocol versions", e))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| config_error("the node's certificate and key", e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
