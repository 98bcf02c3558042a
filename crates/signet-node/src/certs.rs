//! A small certificate authority for demonstrations and loopback federations: a P-256 CA that
//! issues the node's TLS server certificate and the members' TLS client certificates.
//!
//! `signet-node demo` makes one at start, so a demo federation needs no files. Real nodes take
//! their certificates from their configuration.

use std::net::IpAddr;
use std::str::FromStr as _;
use std::time::{Duration, SystemTime};

use der::asn1::{BitString, Ia5String, OctetString};
use der::{Encode as _, oid::AssociatedOid};
use p256::ecdsa::{DerSignature, SigningKey, signature::Signer as _};
use p256::pkcs8::EncodePrivateKey as _;
use spki::{AlgorithmIdentifierOwned, EncodePublicKey as _, SubjectPublicKeyInfoOwned};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, BasicConstraints, ExtendedKeyUsage, KeyUsage,
    KeyUsages, SubjectAltName,
};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate, Version};

use crate::NodeError;

const ECDSA_WITH_SHA256: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const KP_SERVER_AUTH: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
const KP_CLIENT_AUTH: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");
const AD_OCSP: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");

fn err(what: &str, e: impl std::fmt::Display) -> NodeError {
    NodeError::Internal(format!("making a certificate: {what}: {e}"))
}

/// A certificate and its private key.
#[derive(Clone)]
pub struct Issued {
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// The private key, PKCS#8 DER.
    pub key_pkcs8: Vec<u8>,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued").finish_non_exhaustive()
    }
}

/// A P-256 certificate authority.
pub struct DemoCa {
    pub(crate) name: Name,
    pub(crate) key: SigningKey,
    now: SystemTime,
    /// The OCSP responder persons' certificates name (authority information access).
    ocsp_url: Option<String>,
    /// The CA's self-signed certificate, DER.
    pub der: Vec<u8>,
}

impl std::fmt::Debug for DemoCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoCa").finish_non_exhaustive()
    }
}

fn new_key() -> Result<SigningKey, NodeError> {
    loop {
        let bytes = crate::random::<32>()?;
        if let Ok(key) = SigningKey::from_slice(&bytes) {
            return Ok(key);
        }
    }
}

fn extension<T: AssociatedOid + der::Encode>(
    value: &T,
    critical: bool,
) -> Result<Extension, NodeError> {
    Ok(Extension {
        extn_id: T::OID,
        critical,
        extn_value: OctetString::new(value.to_der().map_err(|e| err("an extension", e))?)
            .map_err(|e| err("an extension", e))?,
    })
}

fn spki(key: &SigningKey) -> Result<SubjectPublicKeyInfoOwned, NodeError> {
    let der = key
        .verifying_key()
        .to_public_key_der()
        .map_err(|e| err("the public key", e))?;
    der::Decode::from_der(der.as_bytes()).map_err(|e| err("the public key", e))
}

impl DemoCa {
    /// A new CA named `common_name`, valid from a day before `now` for a year.
    pub fn new(common_name: &str, now: SystemTime) -> Result<Self, NodeError> {
        let key = new_key()?;
        let name = Name::from_str(&format!("CN={common_name},O=Signet demo,C=EE"))
            .map_err(|e| err("the CA name", e))?;
        let mut ca = Self {
            name: name.clone(),
            key,
            now,
            ocsp_url: None,
            der: Vec::new(),
        };
        let extensions = vec![
            extension(
                &BasicConstraints {
                    ca: true,
                    path_len_constraint: Some(0),
                },
                true,
            )?,
            extension(&KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign), true)?,
        ];
        let public = spki(&ca.key)?;
        ca.der = ca.sign(name, public, 1, extensions)?;
        Ok(ca)
    }

    fn sign(
        &self,
        subject: Name,
        public: SubjectPublicKeyInfoOwned,
        serial: u64,
        extensions: Vec<Extension>,
    ) -> Result<Vec<u8>, NodeError> {
        let algorithm = AlgorithmIdentifierOwned {
            oid: ECDSA_WITH_SHA256,
            parameters: None,
        };
        let time = |t: SystemTime| Time::try_from(t).map_err(|e| err("the validity", e));
        let tbs = TbsCertificate {
            version: Version::V3,
            serial_number: SerialNumber::new(&serial.to_be_bytes())
                .map_err(|e| err("the serial number", e))?,
            signature: algorithm.clone(),
            issuer: self.name.clone(),
            validity: Validity {
                not_before: time(self.now - Duration::from_secs(86_400))?,
                not_after: time(self.now + Duration::from_secs(365 * 86_400))?,
            },
            subject,
            subject_public_key_info: public,
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: Some(extensions),
        };
        let tbs_der = tbs.to_der().map_err(|e| err("the certificate", e))?;
        let signature: DerSignature = self.key.sign(&tbs_der);
        Certificate {
            tbs_certificate: tbs,
            signature_algorithm: algorithm,
            signature: BitString::from_bytes(signature.as_bytes())
                .map_err(|e| err("the signature", e))?,
        }
        .to_der()
        .map_err(|e| err("the certificate", e))
    }

    fn leaf(
        &self,
        common_name: &str,
        serial: u64,
        usage: der::oid::ObjectIdentifier,
        alt_names: Vec<GeneralName>,
    ) -> Result<Issued, NodeError> {
        let key = new_key()?;
        let subject = Name::from_str(&format!("CN={common_name},O=Signet demo,C=EE"))
            .map_err(|e| err("the subject name", e))?;
        let mut extensions = vec![
            extension(
                &BasicConstraints {
                    ca: false,
                    path_len_constraint: None,
                },
                true,
            )?,
            extension(&KeyUsage(KeyUsages::DigitalSignature.into()), true)?,
            extension(&ExtendedKeyUsage(vec![usage]), false)?,
        ];
        if !alt_names.is_empty() {
            extensions.push(extension(&SubjectAltName(alt_names), false)?);
        }
        let der = self.sign(subject, spki(&key)?, serial, extensions)?;
        let key_pkcs8 = key
            .to_pkcs8_der()
            .map_err(|e| err("the private key", e))?
            .as_bytes()
            .to_vec();
        Ok(Issued { der, key_pkcs8 })
    }

    /// A TLS server certificate for `dns` names and `ips`.
    pub fn server(
        &self,
        common_name: &str,
        dns: &[&str],
        ips: &[IpAddr],
        serial: u64,
    ) -> Result<Issued, NodeError> {
        let mut names = Vec::new();
        for d in dns {
            names.push(GeneralName::DnsName(
                Ia5String::new(d).map_err(|e| err("a DNS name", e))?,
            ));
        }
        for ip in ips {
            let bytes = match ip {
                IpAddr::V4(v4) => v4.octets().to_vec(),
                IpAddr::V6(v6) => v6.octets().to_vec(),
            };
            names.push(GeneralName::IpAddress(
                OctetString::new(bytes).map_err(|e| err("an IP address", e))?,
            ));
        }
        self.leaf(common_name, serial, KP_SERVER_AUTH, names)
    }

    /// Names `url` as the OCSP responder in the persons' certificates issued from now on.
    pub fn set_ocsp_url(&mut self, url: &str) {
        self.ocsp_url = Some(url.to_owned());
    }

    /// A person's authentication certificate (as on an ID card: a P-384 key, digitalSignature,
    /// clientAuth, `serialNumber=PNOEE-<code>`), for demonstrations and the benchmark. The key
    /// is PKCS#8 like the others, so `openssl pkcs12 -export` makes a software token of it.
    pub fn person(
        &self,
        given: &str,
        surname: &str,
        code: &str,
        serial: u64,
    ) -> Result<Issued, NodeError> {
        use p384::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _};
        let key = loop {
            let bytes = crate::random::<48>()?;
            if let Ok(key) = p384::ecdsa::SigningKey::from_slice(&bytes) {
                break key;
            }
        };
        // Dotted attribute types: serialNumber, GN, SN, CN, C.
        let subject = Name::from_str(&format!(
            "2.5.4.5=PNOEE-{code},2.5.4.42={given},2.5.4.4={surname},2.5.4.3={surname}\\,{given}\\,{code},2.5.4.6=EE"
        ))
        .map_err(|e| err("the person's name", e))?;
        let mut extensions = vec![
            extension(
                &BasicConstraints {
                    ca: false,
                    path_len_constraint: None,
                },
                true,
            )?,
            extension(&KeyUsage(KeyUsages::DigitalSignature.into()), true)?,
            extension(&ExtendedKeyUsage(vec![KP_CLIENT_AUTH]), false)?,
        ];
        if let Some(url) = &self.ocsp_url {
            extensions.push(extension(
                &AuthorityInfoAccessSyntax(vec![AccessDescription {
                    access_method: AD_OCSP,
                    access_location: GeneralName::UniformResourceIdentifier(
                        Ia5String::new(url).map_err(|e| err("the OCSP URL", e))?,
                    ),
                }]),
                false,
            )?);
        }
        let public = key
            .verifying_key()
            .to_public_key_der()
            .map_err(|e| err("the public key", e))?;
        let public: SubjectPublicKeyInfoOwned =
            der::Decode::from_der(public.as_bytes()).map_err(|e| err("the public key", e))?;
        let der = self.sign(subject, public, serial, extensions)?;
        let key_pkcs8 = key
            .to_pkcs8_der()
            .map_err(|e| err("the private key", e))?
            .as_bytes()
            .to_vec();
        Ok(Issued { der, key_pkcs8 })
    }

    /// A TLS client certificate, for a member organisation's system.
    pub fn client(&self, common_name: &str, serial: u64) -> Result<Issued, NodeError> {
        self.leaf(common_name, serial, KP_CLIENT_AUTH, Vec::new())
    }
}

/// PEM text of DER bytes under `label`.
pub fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
