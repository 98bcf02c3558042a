//! The software token: a PKCS#12 file (RFC 7292) with a P-384 key and its certificate,
//! protected by a password. For tests, CI and people without a card. A file may hold two keys,
//! as an ID card does: the one whose certificate has nonRepudiation is the signing key, the other
//! the authentication key.
//!
//! ```text
//! PFX ::= SEQUENCE { version INTEGER {v3(3)}, authSafe ContentInfo, macData MacData OPTIONAL }
//! AuthenticatedSafe ::= SEQUENCE OF ContentInfo  -- data or encryptedData, each SafeContents
//! SafeBag ::= SEQUENCE { bagId OID, bagValue [0] EXPLICIT ANY, bagAttributes SET OF … OPTIONAL }
//! ```
//!
//! Read: the PBES2 encryption (PBKDF2 + AES-CBC) and the SHA-256 HMAC integrity of what
//! OpenSSL 3 writes by default.
//!
//! Opening the file with its password is the login, as a PKCS#11 session's: the MAC is checked,
//! the key decrypted (PBKDF2 + AES, once) and kept in memory, zeroized when the token is
//! dropped, and the certificate that belongs to it chosen. The password itself is not kept: only
//! an HMAC-SHA-256 of it under a random key drawn at opening, so every signature still checks
//! the password it is given (in constant time, without PBKDF2) and a wrong one is refused with
//! [`TokenError::WrongPassword`].

use std::path::Path;

use der::asn1::{ContextSpecific, ObjectIdentifier, OctetString};
use der::{Decode as _, Encode as _};
use hmac::Mac as _;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::soft_key::SoftKey;
use crate::{
    KeyRole, Pin, PinKind, PinState, RawSignature, SigningToken, TokenCertificate, TokenError,
};

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
const KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// What the file holds once opened.
struct Contents {
    certificates: Vec<Vec<u8>>,
    /// The encrypted keys (PKCS#8 EncryptedPrivateKeyInfo, DER).
    encrypted_keys: Vec<Vec<u8>>,
}

/// A PKCS#12 file as a signing token, unlocked by its password when opened. Its one key is
/// offered as the signing key.
pub struct SoftToken {
    certificate: Vec<u8>,
    /// The decrypted key for the token's lifetime, held by AWS-LC (assembly P-384: a signature
    /// takes a sixth of the pure-Rust curve's time), which wipes the key's memory when it is
    /// freed on drop (`OPENSSL_free` cleanses).
    key: SoftKey,
    /// The authentication key and its certificate, when the file holds two keys.
    authentication: Option<(Vec<u8>, SoftKey)>,
    password: PasswordCheck,
}

/// Recognises the opening password without keeping it: HMAC-SHA-256 of the password under a
/// random key drawn when the token is opened. Both the key and the tag are wiped on drop.
struct PasswordCheck {
    key: Zeroizing<[u8; 32]>,
    tag: Zeroizing<[u8; 32]>,
}

impl PasswordCheck {
    fn new(password: &[u8]) -> Result<Self, TokenError> {
        let mut key = Zeroizing::new([0_u8; 32]);
        getrandom::fill(key.as_mut_slice())
            .map_err(|e| malformed(format!("no randomness to protect the password: {e}")))?;
        let mut tag = Zeroizing::new([0_u8; 32]);
        tag.copy_from_slice(&Self::mac(&key, password)?.finalize().into_bytes());
        Ok(Self { key, tag })
    }

    fn mac(key: &[u8; 32], password: &[u8]) -> Result<hmac::Hmac<Sha256>, TokenError> {
        let mut mac = hmac::Hmac::<Sha256>::new_from_slice(key).map_err(malformed)?;
        mac.update(password);
        Ok(mac)
    }

    /// Whether `password` is the opening one; the comparison takes constant time.
    fn matches(&self, password: &[u8]) -> bool {
        Self::mac(&self.key, password)
            .is_ok_and(|mac| mac.verify_slice(self.tag.as_slice()).is_ok())
    }
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
    /// Opens the PKCS#12 file at `path` with `password`: checks its integrity, decrypts the key
    /// and keeps it for the token's lifetime.
    pub fn open(path: &Path, password: &Pin) -> Result<Self, TokenError> {
        let der = std::fs::read(path)
            .map_err(|e| malformed(format!("cannot read {}: {e}", path.display())))?;
        Self::from_der(&der, password)
    }

    /// Opens a PKCS#12 file's bytes with `password`, as [`SoftToken::open`].
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
        if contents.encrypted_keys.len() > 2 {
            return Err(malformed(
                "more than two private keys (a signing and an authentication key at most)",
            ));
        }
        let mut keys = Vec::new();
        for encrypted_key in &contents.encrypted_keys {
            let key = decrypt_key(encrypted_key, password)?;
            let public = key.public();
            let certificate = contents
                .certificates
                .iter()
                .find(|der| certificate_key(der).as_deref() == Some(public.as_slice()))
                .ok_or_else(|| malformed("no certificate for its private key"))?
                .clone();
            keys.push((certificate, key));
        }
        // AWS-LC seeds its random generator on first use: done here, with the key derivation,
        // rather than in the first signature (and any failure to get randomness shows here).
        aws_lc_rs::rand::fill(&mut [0_u8; 16])
            .map_err(|e| malformed(format!("no randomness for signatures: {e}")))?;
        let second = if keys.len() == 2 { keys.pop() } else { None };
        let (mut certificate, mut key) = keys.pop().ok_or_else(|| malformed("no private key"))?;
        // Two keys: the signing one is the one certified for nonRepudiation.
        let authentication = match second {
            None => None,
            Some(other) => match (non_repudiation(&certificate), non_repudiation(&other.0)) {
                (true, false) => Some(other),
                (false, true) => {
                    let (signing_certificate, signing_key) = other;
                    Some((
                        std::mem::replace(&mut certificate, signing_certificate),
                        std::mem::replace(&mut key, signing_key),
                    ))
                }
                _ => {
                    return Err(malformed(
                        "two keys, but not one certified for signatures (nonRepudiation) and one for authentication",
                    ));
                }
            },
        };
        Ok(Self {
            certificate,
            key,
            authentication,
            password: PasswordCheck::new(password)?,
        })
    }
}

impl std::fmt::Debug for PasswordCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordCheck(<redacted>)")
    }
}

/// The public key (SEC1 point) of a DER certificate, if it reads.
fn certificate_key(der: &[u8]) -> Option<Vec<u8>> {
    let cert = x509_cert::Certificate::from_der(der).ok()?;
    let spki = cert.tbs_certificate.subject_public_key_info;
    Some(spki.subject_public_key.raw_bytes().to_vec())
}

/// Whether a DER certificate's keyUsage has nonRepudiation (contentCommitment).
fn non_repudiation(der: &[u8]) -> bool {
    use x509_cert::ext::pkix::{KeyUsage, KeyUsages};
    let Ok(cert) = x509_cert::Certificate::from_der(der) else {
        return false;
    };
    cert.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .filter(|e| e.extn_id == KEY_USAGE)
        .filter_map(|e| KeyUsage::from_der(e.extn_value.as_bytes()).ok())
        .any(|usage| usage.0.contains(KeyUsages::NonRepudiation))
}

/// Counts the password-based key derivations (PBKDF2, the PKCS#12 KDF) in unit tests.
#[inline]
fn count_derivation() {
    #[cfg(test)]
    tests::DERIVATIONS.with(|n| n.set(n.get() + 1));
}

/// Decrypts the shrouded key bag (PBES2: PBKDF2 + AES-CBC): the one costly step of opening.
fn decrypt_key(encrypted_key: &[u8], password: &[u8]) -> Result<SoftKey, TokenError> {
    count_derivation();
    let info = pkcs8::EncryptedPrivateKeyInfo::from_der(encrypted_key).map_err(malformed)?;
    // A `SecretDocument`: the decrypted PKCS#8 is zeroized when it goes out of scope.
    let document = info
        .decrypt(password)
        .map_err(|_| TokenError::WrongPassword)?;
    SoftKey::from_pkcs8(document.as_bytes()).map_err(malformed)
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
    count_derivation();
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
        encrypted_keys: Vec::new(),
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
            count_derivation();
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
            } else if bag.bag_id == SHROUDED_KEY_BAG {
                contents.encrypted_keys.push(inner);
            }
        }
    }
    Ok(contents)
}

impl SigningToken for SoftToken {
    fn certificates(&mut self) -> Result<Vec<TokenCertificate>, TokenError> {
        let mut certificates = vec![TokenCertificate {
            role: KeyRole::Signing,
            der: self.certificate.clone(),
        }];
        if let Some((der, _)) = &self.authentication {
            certificates.push(TokenCertificate {
                role: KeyRole::Authentication,
                der: der.clone(),
            });
        }
        Ok(certificates)
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
            pin_pad: false,
        })
    }

    fn sign_digest(
        &mut self,
        role: KeyRole,
        digest: &[u8],
        pin: Pin,
    ) -> Result<RawSignature, TokenError> {
        if pin.entered_on_pad() {
            return Err(TokenError::NoPinPad);
        }
        let key = match (role, &self.authentication) {
            (KeyRole::Signing, _) => &self.key,
            (KeyRole::Authentication, Some((_, key))) => key,
            (KeyRole::Authentication, None) => {
                return Err(malformed("the file holds only a signing key"));
            }
        };
        if digest.is_empty() || digest.len() > 64 {
            return Err(TokenError::DigestLength { len: digest.len() });
        }
        if pin.kind() != PinKind::Password {
            return Err(TokenError::WrongPinKind {
                role: "PKCS#12 file",
                expected: PinKind::Password,
                given: pin.kind(),
            });
        }
        if !self.password.matches(pin.expose_digits()) {
            return Err(TokenError::WrongPassword);
        }
        drop(pin);
        Ok(RawSignature(key.sign(digest)?))
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::process::Command;

    use sha2::{Digest as _, Sha384};
    use signature::hazmat::PrehashVerifier as _;
    use signet_testkit::{Role, TestPki};

    use super::*;

    thread_local! {
        /// Password-based key derivations run on this thread.
        pub(super) static DERIVATIONS: Cell<u32> = const { Cell::new(0) };
    }

    const PASSWORD: &str = "unit test password";

    fn password(text: &str) -> Pin {
        Pin::new(PinKind::Password, Zeroizing::new(text.to_owned())).unwrap()
    }

    fn p12(pki: &TestPki) -> Vec<u8> {
        let issued = pki.get(Role::Signing);
        let out = pki.dir().join("unit.p12");
        let done = Command::new("openssl")
            .args(["pkcs12", "-export", "-inkey"])
            .arg(&issued.key_path)
            .arg("-in")
            .arg(&issued.cert_path)
            .arg("-out")
            .arg(&out)
            .arg("-passout")
            .arg(format!("pass:{PASSWORD}"))
            .output()
            .unwrap();
        assert!(done.status.success(), "{done:?}");
        std::fs::read(out).unwrap()
    }

    fn verifies(token: &mut SoftToken, digest: &[u8], raw: &RawSignature) -> bool {
        let der = &token.certificates().unwrap()[0].der;
        let key =
            p384::ecdsa::VerifyingKey::from_sec1_bytes(&certificate_key(der).unwrap()).unwrap();
        let signature = p384::ecdsa::Signature::from_slice(&raw.0).unwrap();
        key.verify_prehash(digest, &signature).is_ok()
    }

    #[test]
    fn the_password_is_derived_at_opening_and_never_per_signature() {
        let pki = TestPki::start().unwrap();
        let der = p12(&pki);
        DERIVATIONS.with(|n| n.set(0));
        let mut token = SoftToken::from_der(&der, &password(PASSWORD)).unwrap();
        let at_opening = DERIVATIONS.with(Cell::get);
        // The MAC key, the certificates' PBES2 and the key's PBES2.
        assert_eq!(at_opening, 3);
        for document in [b"first".as_slice(), b"second"] {
            let digest = Sha384::digest(document);
            let raw = token
                .sign_digest(KeyRole::Signing, &digest, password(PASSWORD))
                .unwrap();
            assert!(verifies(&mut token, &digest, &raw));
        }
        assert_eq!(DERIVATIONS.with(Cell::get), at_opening);
    }

    #[test]
    fn a_wrong_password_at_signing_is_refused_without_a_derivation() {
        let pki = TestPki::start().unwrap();
        let der = p12(&pki);
        let mut token = SoftToken::from_der(&der, &password(PASSWORD)).unwrap();
        let digest = Sha384::digest(b"document");
        DERIVATIONS.with(|n| n.set(0));
        for wrong in [
            "unit test passworD",
            "unit test password ",
            "u",
            PASSWORD.get(..17).unwrap(),
        ] {
            assert_eq!(
                token
                    .sign_digest(KeyRole::Signing, &digest, password(wrong))
                    .unwrap_err(),
                TokenError::WrongPassword,
                "{wrong:?}"
            );
        }
        let pin2 = Pin::new(PinKind::Pin2, Zeroizing::new("12345".to_owned())).unwrap();
        assert!(matches!(
            token.sign_digest(KeyRole::Signing, &digest, pin2),
            Err(TokenError::WrongPinKind { .. })
        ));
        assert_eq!(DERIVATIONS.with(Cell::get), 0);
        // The right one still signs afterwards.
        let raw = token
            .sign_digest(KeyRole::Signing, &digest, password(PASSWORD))
            .unwrap();
        assert!(verifies(&mut token, &digest, &raw));
    }

    fn verifies_with(der: &[u8], digest: &[u8], raw: &RawSignature) -> bool {
        let key =
            p384::ecdsa::VerifyingKey::from_sec1_bytes(&certificate_key(der).unwrap()).unwrap();
        let signature = p384::ecdsa::Signature::from_slice(&raw.0).unwrap();
        key.verify_prehash(digest, &signature).is_ok()
    }

    #[test]
    fn a_file_with_two_keys_offers_the_signing_and_the_authentication_key() {
        let pki = TestPki::start().unwrap();
        // The authentication key first: the roles come from the certificates, not the order.
        let der = signet_testkit::pkcs12(
            &[pki.get(Role::Authentication), pki.get(Role::Signing)],
            &[pki.get(Role::IssuingCa)],
            PASSWORD,
            pki.dir(),
        )
        .unwrap();
        // OpenSSL reads the joined file: its MAC holds and both keys are in it.
        let path = pki.dir().join("two-keys.p12");
        std::fs::write(&path, &der).unwrap();
        let mut openssl = Command::new("openssl")
            .args(["pkcs12", "-info", "-noout", "-passin", "stdin", "-in"])
            .arg(&path)
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(
            &mut openssl.stdin.take().unwrap(),
            format!("{PASSWORD}\n").as_bytes(),
        )
        .unwrap();
        let info = openssl.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&info.stderr);
        assert!(info.status.success(), "{text}");
        assert_eq!(text.matches("Shrouded Keybag").count(), 2, "{text}");

        DERIVATIONS.with(|n| n.set(0));
        let mut token = SoftToken::from_der(&der, &password(PASSWORD)).unwrap();
        // Two MACs' worth of safes: the MAC key, two certificate PBES2s, two key PBES2s.
        assert_eq!(DERIVATIONS.with(Cell::get), 5);
        let certificates = token.certificates().unwrap();
        let der_of = |role: KeyRole| {
            certificates
                .iter()
                .find(|c| c.role == role)
                .map(|c| c.der.clone())
                .unwrap()
        };
        assert_eq!(certificates.len(), 2);
        assert_eq!(der_of(KeyRole::Signing), pki.der(Role::Signing));
        assert_eq!(
            der_of(KeyRole::Authentication),
            pki.der(Role::Authentication)
        );
        let digest = Sha384::digest(b"challenge");
        for (role, other) in [
            (KeyRole::Signing, KeyRole::Authentication),
            (KeyRole::Authentication, KeyRole::Signing),
        ] {
            let raw = token
                .sign_digest(role, &digest, password(PASSWORD))
                .unwrap();
            assert!(verifies_with(&der_of(role), &digest, &raw), "{role:?}");
            assert!(!verifies_with(&der_of(other), &digest, &raw), "{role:?}");
            assert_eq!(
                token
                    .sign_digest(role, &digest, password("wrong"))
                    .unwrap_err(),
                TokenError::WrongPassword
            );
        }

        // Two signing keys: which one is meant cannot be told, so the file is refused.
        let ambiguous = signet_testkit::pkcs12(
            &[pki.get(Role::Signing), pki.get(Role::Revoked)],
            &[],
            PASSWORD,
            pki.dir(),
        )
        .unwrap();
        let err = SoftToken::from_der(&ambiguous, &password(PASSWORD)).unwrap_err();
        assert!(err.to_string().contains("nonRepudiation"), "{err}");
        // A file of one key still offers it as the signing key, whatever its certificate.
        let single =
            signet_testkit::pkcs12(&[pki.get(Role::Authentication)], &[], PASSWORD, pki.dir())
                .unwrap();
        let mut token = SoftToken::from_der(&single, &password(PASSWORD)).unwrap();
        let certificates = token.certificates().unwrap();
        assert_eq!(certificates.len(), 1);
        assert_eq!(certificates[0].role, KeyRole::Signing);
        assert!(matches!(
            token.sign_digest(KeyRole::Authentication, &digest, password(PASSWORD)),
            Err(TokenError::Malformed(_))
        ));
    }

    #[test]
    fn two_openings_draw_different_password_keys() {
        let a = PasswordCheck::new(b"same").unwrap();
        let b = PasswordCheck::new(b"same").unwrap();
        assert_ne!(*a.key, *b.key);
        assert_ne!(*a.tag, *b.tag);
        assert!(a.matches(b"same") && b.matches(b"same"));
        assert!(!a.matches(b"Same") && !a.matches(b"") && !a.matches(b"same\0"));
    }

    #[test]
    fn debug_shows_nothing_secret() {
        let pki = TestPki::start().unwrap();
        let der = p12(&pki);
        let token = SoftToken::from_der(&der, &password(PASSWORD)).unwrap();
        let shown = format!("{token:?} {token:#?} {:?}", token.password);
        assert!(!shown.contains(PASSWORD), "{shown}");
        let crate::soft_key::SoftKey::Ec(key, _) = &token.key else {
            panic!("the test file holds a P-384 key")
        };
        let scalar = aws_lc_rs::encoding::AsBigEndian::<aws_lc_rs::encoding::EcPrivateKeyBin<'_>>::as_be_bytes(&key.private_key()).unwrap();
        for secret in [
            scalar.as_ref(),
            token.password.key.as_slice(),
            token.password.tag.as_slice(),
        ] {
            let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
            let upper = hex.to_uppercase();
            let bytes = format!("{secret:?}");
            assert!(
                !shown.contains(&hex)
                    && !shown.contains(&upper)
                    && !shown.contains(&bytes[1..bytes.len() - 1]),
                "{shown}"
            );
        }
        assert_eq!(
            shown,
            "SoftToken { .. } SoftToken { .. } PasswordCheck(<redacted>)"
        );
    }

    /// A PKCS#12 file exported by OpenSSL from `key` and `cert` (PEM files).
    fn p12_of(dir: &std::path::Path, key: &std::path::Path, cert: &std::path::Path) -> Vec<u8> {
        let out = dir.join("other-key.p12");
        let done = Command::new("openssl")
            .args(["pkcs12", "-export", "-inkey"])
            .arg(key)
            .arg("-in")
            .arg(cert)
            .arg("-out")
            .arg(&out)
            .arg("-passout")
            .arg(format!("pass:{PASSWORD}"))
            .output()
            .unwrap();
        assert!(done.status.success(), "{done:?}");
        std::fs::read(out).unwrap()
    }

    /// An OpenSSL key of `algorithm` (genpkey options) with a self-signed certificate.
    fn openssl_key(dir: &std::path::Path, name: &str, options: &[&str]) -> Vec<u8> {
        let key = dir.join(format!("{name}.key"));
        let cert = dir.join(format!("{name}.pem"));
        let done = Command::new("openssl")
            .arg("genpkey")
            .args(options)
            .arg("-out")
            .arg(&key)
            .output()
            .unwrap();
        assert!(done.status.success(), "{done:?}");
        let done = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-new",
                "-subj",
                "/CN=Signet test",
                "-days",
                "1",
                "-key",
            ])
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .output()
            .unwrap();
        assert!(done.status.success(), "{done:?}");
        p12_of(dir, &key, &cert)
    }

    #[test]
    fn rsa_p256_and_p521_keys_sign_as_the_p384_key_does() {
        use aws_lc_rs::signature::{self as sig, UnparsedPublicKey, VerificationAlgorithm};
        let pki = TestPki::start().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let rsa = pki.get(Role::RsaSigning);
        let files: Vec<(&str, Vec<u8>)> = vec![
            (
                "RSA-3072",
                p12_of(dir.path(), &rsa.key_path, &rsa.cert_path),
            ),
            (
                "RSA-2048",
                openssl_key(
                    dir.path(),
                    "rsa2048",
                    &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
                ),
            ),
            (
                "P-256",
                openssl_key(
                    dir.path(),
                    "p256",
                    &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
                ),
            ),
            (
                "P-521",
                openssl_key(
                    dir.path(),
                    "p521",
                    &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"],
                ),
            ),
        ];
        let message =
            b"Leping / Contract / \xd0\x94\xd0\xbe\xd0\xb3\xd0\xbe\xd0\xb2\xd0\xbe\xd1\x80";
        for (name, der) in files {
            let mut token = SoftToken::from_der(&der, &password(PASSWORD)).unwrap();
            let cert = token.certificates().unwrap()[0].der.clone();
            let public = certificate_key(&cert).unwrap();
            let checks: Vec<(Vec<u8>, &'static dyn VerificationAlgorithm)> =
                if name.starts_with("RSA") {
                    vec![
                        (
                            sha2::Sha256::digest(message).to_vec(),
                            &sig::RSA_PKCS1_2048_8192_SHA256,
                        ),
                        (
                            Sha384::digest(message).to_vec(),
                            &sig::RSA_PKCS1_2048_8192_SHA384,
                        ),
                        (
                            sha2::Sha512::digest(message).to_vec(),
                            &sig::RSA_PKCS1_2048_8192_SHA512,
                        ),
                    ]
                } else if name == "P-256" {
                    vec![(
                        sha2::Sha256::digest(message).to_vec(),
                        &sig::ECDSA_P256_SHA256_FIXED,
                    )]
                } else {
                    vec![(
                        sha2::Sha512::digest(message).to_vec(),
                        &sig::ECDSA_P521_SHA512_FIXED,
                    )]
                };
            for (digest, alg) in checks {
                let raw = token
                    .sign_digest(KeyRole::Signing, &digest, password(PASSWORD))
                    .unwrap();
                let key = UnparsedPublicKey::new(alg, &public);
                assert!(
                    key.verify(message, &raw.0).is_ok(),
                    "{name}, {} bytes",
                    digest.len()
                );
                assert!(key.verify(b"another message", &raw.0).is_err(), "{name}");
            }
            // A wrong password is refused for every key type.
            assert_eq!(
                token
                    .sign_digest(KeyRole::Signing, &[7; 32], password("wrong"))
                    .unwrap_err(),
                TokenError::WrongPassword
            );
        }
        // RSA below 2048 bits is refused when the file is opened.
        let small = openssl_key(
            dir.path(),
            "rsa1024",
            &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
        );
        let e = SoftToken::from_der(&small, &password(PASSWORD)).unwrap_err();
        assert!(e.to_string().contains("fewer than 2048 bits"), "{e}");
    }
}
