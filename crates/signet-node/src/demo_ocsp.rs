//! The demo PKI's OCSP responder (RFC 6960 over HTTP POST), on loopback: it answers for the
//! persons' certificates of the demo CA, signing with the CA's key (ResponderID byName), and
//! knows which of them are revoked ([`crate::demo::DemoFederation::revoke`]). The demo's nodes
//! find it in the certificates' authority information access, as nodes find the ID card's.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::post;
use der::asn1::{BitString, OctetString};
use der::{Decode as _, Encode as _};
use p256::ecdsa::{DerSignature, signature::Signer as _};
use sha2::Digest as _;
use spki::AlgorithmIdentifierOwned;
use x509_cert::serial_number::SerialNumber;
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspGeneralizedTime, OcspRequest, OcspResponse,
    OcspResponseStatus, ResponderId, ResponseBytes, ResponseData, RevokedInfo, SingleResponse,
    Version,
};

use crate::certs::DemoCa;
use crate::{NodeError, lock};

const ECDSA_WITH_SHA256: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const OCSP_BASIC: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
const OCSP_NONCE: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");
const SHA1: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA256: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// What the responder knows: the CA, the serial numbers it issued to persons, the revoked ones.
pub(crate) struct Responder {
    ca_name_der: Vec<u8>,
    ca_key_bits: Vec<u8>,
    ca_name: x509_cert::name::Name,
    key: p256::ecdsa::SigningKey,
    clock: Arc<dyn signet_core::Clock>,
    issued: HashSet<Vec<u8>>,
    revoked: Mutex<HashMap<Vec<u8>, SystemTime>>,
}

impl std::fmt::Debug for Responder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Responder")
            .field("issued", &self.issued.len())
            .finish_non_exhaustive()
    }
}

fn internal(what: &str, e: impl std::fmt::Display) -> NodeError {
    NodeError::Internal(format!("the demo OCSP responder: {what}: {e}"))
}

impl Responder {
    /// A responder for `ca`'s persons' certificates with these serial numbers.
    pub(crate) fn new(
        ca: &DemoCa,
        issued: impl IntoIterator<Item = SerialNumber>,
        clock: Arc<dyn signet_core::Clock>,
    ) -> Result<Self, NodeError> {
        let cert = x509_cert::Certificate::from_der(&ca.der).map_err(|e| internal("the CA", e))?;
        Ok(Self {
            ca_name_der: ca.name.to_der().map_err(|e| internal("the CA name", e))?,
            ca_key_bits: cert
                .tbs_certificate
                .subject_public_key_info
                .subject_public_key
                .raw_bytes()
                .to_vec(),
            ca_name: ca.name.clone(),
            key: ca.key.clone(),
            clock,
            issued: issued.into_iter().map(|s| s.as_bytes().to_vec()).collect(),
            revoked: Mutex::new(HashMap::new()),
        })
    }

    /// Marks the certificate with `serial` revoked from now on.
    pub(crate) fn revoke(&self, serial: &SerialNumber) {
        lock(&self.revoked).insert(serial.as_bytes().to_vec(), self.clock.now());
    }

    /// Whether `id` names a certificate of this CA (issuer name and key hashes).
    fn ours(&self, id: &CertId) -> bool {
        let hash = |data: &[u8]| -> Option<Vec<u8>> {
            match id.hash_algorithm.oid {
                SHA256 => Some(sha2::Sha256::digest(data).to_vec()),
                SHA1 => {
                    use sha1::Digest as _;
                    Some(sha1::Sha1::digest(data).to_vec())
                }
                _ => None,
            }
        };
        hash(&self.ca_name_der).is_some_and(|h| h == id.issuer_name_hash.as_bytes())
            && hash(&self.ca_key_bits).is_some_and(|h| h == id.issuer_key_hash.as_bytes())
    }

    fn status(&self, id: &CertId) -> Result<CertStatus, NodeError> {
        let serial = id.serial_number.as_bytes().to_vec();
        if !self.ours(id) || !self.issued.contains(&serial) {
            return Ok(CertStatus::unknown());
        }
        Ok(match lock(&self.revoked).get(&serial) {
            Some(at) => CertStatus::revoked(RevokedInfo {
                revocation_time: time(*at)?,
                revocation_reason: None,
            }),
            None => CertStatus::good(),
        })
    }

    /// The DER answer to the DER `request`.
    pub(crate) fn answer(&self, request: &[u8]) -> Vec<u8> {
        self.signed_answer(request).unwrap_or_else(|e| {
            tracing::info!(error = %e, "the demo OCSP responder refused a request");
            OcspResponse {
                response_status: OcspResponseStatus::MalformedRequest,
                response_bytes: None,
            }
            .to_der()
            .unwrap_or_default()
        })
    }

    fn signed_answer(&self, request: &[u8]) -> Result<Vec<u8>, NodeError> {
        let request = OcspRequest::from_der(request).map_err(|e| internal("the request", e))?;
        let now = self.clock.now();
        let mut responses = Vec::new();
        for r in &request.tbs_request.request_list {
            responses.push(SingleResponse {
                cert_id: r.req_cert.clone(),
                cert_status: self.status(&r.req_cert)?,
                this_update: time(now)?,
                next_update: Some(time(now + Duration::from_secs(3600))?),
                single_extensions: None,
            });
        }
        let nonce: Vec<_> = request
            .tbs_request
            .request_extensions
            .iter()
            .flatten()
            .filter(|e| e.extn_id == OCSP_NONCE)
            .cloned()
            .collect();
        let tbs = ResponseData {
            version: Version::V1,
            responder_id: ResponderId::ByName(self.ca_name.clone()),
            produced_at: time(now)?,
            responses,
            response_extensions: (!nonce.is_empty()).then_some(nonce),
        };
        let tbs_der = tbs.to_der().map_err(|e| internal("the answer", e))?;
        let signature: DerSignature = self.key.sign(&tbs_der);
        let basic = BasicOcspResponse {
            tbs_response_data: tbs,
            signature_algorithm: AlgorithmIdentifierOwned {
                oid: ECDSA_WITH_SHA256,
                parameters: None,
            },
            signature: BitString::from_bytes(signature.as_bytes())
                .map_err(|e| internal("the signature", e))?,
            certs: None,
        };
        OcspResponse {
            response_status: OcspResponseStatus::Successful,
            response_bytes: Some(ResponseBytes {
                response_type: OCSP_BASIC,
                response: OctetString::new(basic.to_der().map_err(|e| internal("the answer", e))?)
                    .map_err(|e| internal("the answer", e))?,
            }),
        }
        .to_der()
        .map_err(|e| internal("the answer", e))
    }
}

fn time(t: SystemTime) -> Result<OcspGeneralizedTime, NodeError> {
    // GeneralizedTime has whole seconds.
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(|e| internal("the time", e))?
        .as_secs();
    der::asn1::GeneralizedTime::from_unix_duration(Duration::from_secs(secs))
        .map(OcspGeneralizedTime)
        .map_err(|e| internal("the time", e))
}

/// `POST /ocsp`.
async fn ocsp(AxumState(responder): AxumState<Arc<Responder>>, body: Bytes) -> impl IntoResponse {
    let answer = responder.answer(&body);
    (
        [(header::CONTENT_TYPE, "application/ocsp-response")],
        answer,
    )
}

/// The responder's routes.
pub(crate) fn router(responder: Arc<Responder>) -> Router {
    Router::new()
        .route("/ocsp", post(ocsp))
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024))
        .with_state(responder)
}

/// Binds the responder's listener on loopback `port` (0: a free one); its `/ocsp` URL.
pub(crate) async fn bind(port: u16) -> Result<(tokio::net::TcpListener, String), NodeError> {
    let addr = std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, port));
    let listen = |e: std::io::Error| NodeError::Listen {
        addr,
        reason: e.to_string(),
    };
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(listen)?;
    let url = format!("http://{}/ocsp", listener.local_addr().map_err(listen)?);
    Ok((listener, url))
}

/// Serves `responder` on `listener` until the returned sender says stop.
pub(crate) fn spawn(
    listener: tokio::net::TcpListener,
    responder: Arc<Responder>,
) -> (
    tokio::sync::watch::Sender<bool>,
    tokio::task::JoinHandle<()>,
) {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(crate::conn::serve(
        listener,
        None,
        router(responder),
        crate::Limits::default(),
        stopped,
    ));
    (stop, task)
}
