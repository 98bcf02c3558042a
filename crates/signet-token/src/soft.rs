//! The software token: a PKCS#12 file (RFC 7292) with a P-384 key and its certificate,
//! protected by a password. For tests, CI and people without a card.
//!
//! ```text
//! PFX ::= SEQUENCE { version INTEGER {v3(3)}, authSafe ContentInfo, macData MacData OPTIONAL }
//! AuthenticatedSafe ::= SEQUENCE OF ContentInfo  -- data or encryptedData, each SafeContents
//! SafeBag ::= SEQUENCE { bagId OID, bagValue [0] EXPLICIT ANY, bagAttributes SET OF … OPTIONAL }
//! ```
//!
//! Read: the PBES2 encryption (PBKDF2 + AES-CBC) and the SHA-256 HMAC integrity of what
//! OpenSSL 3 writes by default. The key is decrypted for each signature with the password and
//! dropped (zeroized) right after; only the certificate stays in memory.

use std::path::Path;

use der::asn1::{ContextSpecific, ObjectIdentifier, OctetString};
use der::{Decode as _, Encode as _};
use hmac::Mac as _;
use p384::ecdsa::SigningKey;
use p384::pkcs8::DecodePrivateKey as _;
use sha2::Sha256;
use signature::hazmat::PrehashSigner as _;
use zeroize::Zeroizing;

use crate::{
    KeyRole, Pin, PinKind, PinState, RawSignature, SigningToken, TokenCertificate, TokenError,
};

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// What the file holds once opened.
struct Contents {
    certificates: Vec<Vec<u8>>,
    /// The encrypted key (PKCS#8 EncryptedPrivateKeyInfo, DER).
    encrypted_key: Option<Vec<u8>>,
}

/// A PKCS#12 file as a signing token. Its one key is offered as the signing key.
pub struct SoftToken {
    certificate: Vec<u8>,
    encrypted_key: Vec<u8>,
}

impl std::fmt::Debug for SoftToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftToken").finish_non_exhaustive()
    }
}

fn malformed(what: impl std::fmt::Display) -> TokenError {
    TokenError::Malformed(format!("PKCS#12: {what}"))
}

impl SoftToken {
    /// Reads the PKCS#12 file at `path`, checking its integrity with `password`.
    pub fn open(path: &Path, password: &Pin) -> Result<Self, TokenError> {
        let der = std::fs::read(path)
            .map_err(|e| malformed(format!("cannot read {}: {e}", path.display())))?;
        Self::from_der(&der, password)
    }

    /// Reads a PKCS#12 file's bytes, checking its integrity with `password`.
    pub fn from_der(der: &[u8], password: &Pin) -> Result<Self, TokenError> {
        if password.kind() != PinKind::Password {
            return Err(TokenError::WrongPinKind {
                role: "PKCS#12 file",
                expected: PinKind::Password,
                given: password.kind(),
            });
        }
        let password = password.expose_digits();
        let pfx = pkcs12::pfx::Pfx::from_der(der).map_err(malformed)?;
        if pfx.auth_safe.content_type != ID_DATA {
            return Err(malformed("public-key integrity mode is not supported"));
        }
        let auth_safe = pfx
            .auth_safe
            .content
            .decode_as::<OctetString>()
            .map_err(malformed)?;
        let mac = pfx
            .mac_data
            .ok_or_else(|| malformed("no MAC: integrity unprotected"))?;
        check_mac(&mac, auth_safe.as_bytes(), password)?;
        let contents = read_auth_safe(auth_safe.as_bytes(), password)?;
        let certificate = contents
            .certificates
            .into_iter()
            .next()
            .ok_or_else(|| malformed("no certificate"))?;
        let encrypted_key = contents
            .encrypted_key
            .ok_or_else(|| malformed("no private key"))?;
        Ok(Self {
            certificate,
            encrypted_key,
        })
    }

    fn key(&self, password: &Pin) -> Result<SigningKey, TokenError> {
        let info =
            pkcs8::EncryptedPrivateKeyInfo::from_der(&self.encrypted_key).map_err(malformed)?;
        let document = info
            .decrypt(password.expose_digits())
            .map_err(|_| TokenError::WrongPassword)?;
        SigningKey::from_pkcs8_der(document.as_bytes())
            .map_err(|e| malformed(format!("the key is not a P-384 key: {e}")))
    }
}

/// Checks the HMAC-SHA-256 over the authenticated safe (RFC 7292 appendix B key derivation).
fn check_mac(
    mac: &pkcs12::mac_data::MacData,
    content: &[u8],
    password: &[u8],
) -> Result<(), TokenError> {
    if mac.mac.algorithm.oid != SHA256 {
        return Err(malformed(format!(
            "MAC digest {} (only SHA-256 is read)",
            mac.mac.algorithm.oid
        )));
    }
    let text = std::str::from_utf8(password).map_err(|_| TokenError::WrongPassword)?;
    let key = Zeroizing::new(
        pkcs12::kdf::derive_key_utf8::<Sha256>(
            text,
            mac.mac_salt.as_bytes(),
            pkcs12::kdf::Pkcs12KeyType::Mac,
            mac.iterations,
            32,
        )
        .map_err(malformed)?,
    );
    let mut hmac = hmac::Hmac::<Sha256>::new_from_slice(&key).map_err(malformed)?;
    hmac.update(content);
    hmac.verify_slice(mac.mac.digest.as_bytes())
        .map_err(|_| TokenError::WrongPassword)
}

fn read_auth_safe(der: &[u8], password: &[u8]) -> Result<Contents, TokenError> {
    let infos: Vec<cms::content_info::ContentInfo> = Vec::from_der(der).map_err(malformed)?;
    let mut contents = Contents {
        certificates: Vec::new(),
        encrypted_key: None,
    };
    for info in infos {
        let safe_contents = if info.content_type == ID_DATA {
            info.content
                .decode_as::<OctetString>()
                .map_err(malformed)?
                .into_bytes()
        } else if info.content_type == ID_ENCRYPTED_DATA {
            let encrypted: cms::encrypted_data::EncryptedData =
                info.content.decode_as().map_err(malformed)?;
            let eci = encrypted.enc_content_info;
            let ciphertext = eci
                .encrypted_content
                .ok_or_else(|| malformed("encrypted data without content"))?;
            let parameters = eci.content_enc_alg.to_der().map_err(malformed)?;
            let scheme = pkcs8::pkcs5::EncryptionScheme::try_from(parameters.as_slice())
                .map_err(|e| malformed(format!("encryption scheme: {e}")))?;
            scheme
                .decrypt(password, ciphertext.as_bytes())
                .map_err(|_| TokenError::WrongPassword)?
        } else {
            continue;
        };
        let bags: pkcs12::safe_bag::SafeContents =
            Vec::from_der(&safe_contents).map_err(malformed)?;
        for bag in bags {
            // bagValue is [0] EXPLICIT: unwrap the context tag first.
            let value = ContextSpecific::<der::Any>::from_der(&bag.bag_value).map_err(malformed)?;
            let inner = value.value.to_der().map_err(malformed)?;
            if bag.bag_id == CERT_BAG {
                let cert = pkcs12::cert_type::CertBag::from_der(&inner).map_err(malformed)?;
                if cert.cert_id == X509_CERTIFICATE {
                    contents.certificates.push(cert.cert_value.into_bytes());
                }
            } else if bag.bag_id == SHROUDED_KEY_BAG && contents.encrypted_key.is_none() {
                contents.encrypted_key = Some(inner);
            }
        }
    }
    Ok(contents)
}

impl SigningToken for SoftToken {
    fn certificates(&mut self) -> Result<Vec<TokenCertificate>, TokenError> {
        Ok(vec![TokenCertificate {
            role: KeyRole::Signing,
            der: self.certificate.clone(),
        }])
    }

    fn pin_kind(&self, _role: KeyRole) -> PinKind {
        PinKind::Password
    }

    /// A file has no try counter: reported as 255 of 255.
    fn pin_state(&mut self, kind: PinKind) -> Result<PinState, TokenError> {
        Ok(PinState {
            kind,
            retries_left: u8::MAX,
            max_retries: u8::MAX,
        })
    }

    fn sign_digest(
        &mut self,
        role: KeyRole,
        digest: &[u8],
        pin: Pin,
    ) -> Result<RawSignature, TokenError> {
        if role != KeyRole::Signing {
            return Err(malformed("the file holds only a signing key"));
        }
        if digest.is_empty() || digest.len() > 48 {
            return Err(TokenError::DigestLength { len: digest.len() });
        }
        let mut padded = [0_u8; 48];
        padded[48 - digest.len()..].copy_from_slice(digest);
        let key = self.key(&pin)?;
        drop(pin);
        let signature: p384::ecdsa::Signature = key
            .sign_prehash(&padded)
            .map_err(|e| malformed(format!("signing failed: {e}")))?;
        Ok(RawSignature(signature.to_bytes().to_vec()))
    }
}
