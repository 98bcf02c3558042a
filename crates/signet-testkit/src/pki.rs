//! The test PKI: a root, an ESTEID2018-like issuing CA, people's certificates and service
//! certificates, generated fresh for every test in a temporary directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use der::Encode as _;
use x509_cert::Certificate;
use x509_cert::ext::pkix::KeyUsages;
use x509_cert::name::Name;

use crate::TestkitError;
use crate::keys::TestKey;
use crate::openssl;
use crate::x509::{CertSpec, Extensions, issue, name, oid};

pub(crate) const DAY: Duration = Duration::from_secs(86_400);

/// The personal code every "good" test person shares the shape of (a valid Estonian isikukood).
pub const PERSONAL_CODE: &str = "38001085718";

/// The certificates of the test PKI, by what they are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Role {
    /// The self-signed root (trust anchor).
    Root,
    /// The issuing CA, ECDSA P-384, like ESTEID2018; issued by the root, pathLen 0.
    IssuingCa,
    /// A CA that no test trusts; issuer of [`Role::UnknownIssuer`].
    UnknownCa,
    /// The delegated OCSP responder: issued by the issuing CA, id-kp-OCSPSigning, ocsp-nocheck.
    OcspResponder,
    /// An OCSP-signing certificate issued by the root, not by the issuing CA: not authorised to
    /// answer for the issuing CA's certificates (RFC 6960 section 4.2.2.2).
    RogueOcspResponder,
    /// The time-stamping authority: issued by the root, critical id-kp-timeStamping only.
    Tsa,
    /// A would-be TSA without the timeStamping EKU (digitalSignature only).
    TsaWithoutEku,
    /// Mari Tamm's authentication certificate: digitalSignature, id-kp-clientAuth.
    Authentication,
    /// Mari Tamm's qualified signing certificate: nonRepudiation only, QcCompliance, QcSSCD,
    /// QcType esign, QCP-n-qscd.
    Signing,
    /// A qualified signing certificate with an RSA-3072 key.
    RsaSigning,
    /// A qualified signing certificate with an ECDSA P-256 key (a software token's or another
    /// country's card).
    P256Signing,
    /// A signing certificate that expired 30 days before [`crate::TestPki::now`].
    Expired,
    /// A signing certificate valid only from 30 days after [`crate::TestPki::now`].
    NotYetValid,
    /// A signing certificate revoked at [`crate::TestPki::revocation_time`] (keyCompromise).
    Revoked,
    /// A "signing" certificate with keyUsage digitalSignature + keyEncipherment only.
    WrongKeyUsage,
    /// A signing certificate without qcStatements or a qualified policy.
    Unqualified,
    /// A self-signed end-entity certificate with the shape of a signing certificate.
    SelfSigned,
    /// A signing certificate issued by [`Role::UnknownCa`].
    UnknownIssuer,
    /// A signing certificate issued by the issuing CA but absent from the OCSP responder's
    /// database: the responder answers `unknown`.
    NotInResponderDatabase,
    /// A signing certificate whose signature value was damaged after signing.
    BadSignature,
    /// A signing certificate with an unknown critical extension.
    UnknownCriticalExtension,
}

impl Role {
    /// Every role, in declaration order.
    pub const ALL: [Self; 21] = [
        Self::Root,
        Self::IssuingCa,
        Self::UnknownCa,
        Self::OcspResponder,
        Self::RogueOcspResponder,
        Self::Tsa,
        Self::TsaWithoutEku,
        Self::Authentication,
        Self::Signing,
        Self::RsaSigning,
        Self::P256Signing,
        Self::Expired,
        Self::NotYetValid,
        Self::Revoked,
        Self::WrongKeyUsage,
        Self::Unqualified,
        Self::SelfSigned,
        Self::UnknownIssuer,
        Self::NotInResponderDatabase,
        Self::BadSignature,
        Self::UnknownCriticalExtension,
    ];

    /// A short file-name-friendly name.
    pub fn file_stem(self) -> String {
        format!("{self:?}").to_ascii_lowercase()
    }
}

/// One generated certificate with its private key and the files OpenSSL reads.
#[derive(Debug)]
pub struct Issued {
    /// The role.
    pub role: Role,
    /// The parsed certificate.
    pub cert: Certificate,
    /// Its DER encoding.
    pub der: Vec<u8>,
    /// The private key.
    pub key: TestKey,
    /// The certificate as PEM, on disk.
    pub cert_path: PathBuf,
    /// The private key as PKCS#8 PEM, on disk.
    pub key_path: PathBuf,
}

/// The generated certificates.
#[derive(Debug)]
pub struct Certificates {
    /// The time every validity period is placed around (whole seconds).
    pub now: SystemTime,
    /// When [`Role::Revoked`] was revoked: ten days before `now`.
    pub revocation_time: SystemTime,
    /// The OCSP responder URL written into the AIA of the issuing CA's certificates.
    pub ocsp_url: String,
    /// The URL of the root's CRL, written into the cRLDistributionPoints of the certificates the
    /// root issues that have no OCSP responder (the issuing CA and the TSA).
    pub root_crl_url: String,
    pub(crate) by_role: BTreeMap<Role, Issued>,
    /// The OpenSSL `index.txt` of the issuing CA.
    pub(crate) index_path: PathBuf,
}

impl Certificates {
    /// The certificate of `role`.
    pub fn get(&self, role: Role) -> &Issued {
        // Invariant: `generate` fills every role of `Role::ALL`.
        #[allow(clippy::expect_used, reason = "generate() issues every role")]
        self.by_role.get(&role).expect("every role is generated")
    }

    /// The DER of `role`'s certificate.
    pub fn der(&self, role: Role) -> &[u8] {
        &self.get(role).der
    }

    /// Generates the whole PKI into `dir`, valid around `now`.
    pub fn generate(dir: &Path, now: SystemTime, ocsp_url: &str) -> Result<Self, TestkitError> {
        let now = whole_seconds(now);
        let root_crl_url = format!(
            "{}/root.crl",
            ocsp_url.strip_suffix("/ocsp").unwrap_or(ocsp_url)
        );
        let revocation_time = now - 10 * DAY;
        let mut by_role = BTreeMap::new();
        let mut index = Vec::new();
        let mut serial = 0x1000_u64;
        let mut next_serial = || {
            serial += 1;
            serial
        };

        // Root and issuing CA.
        let root_key = TestKey::p384();
        let root_name = org_name("Signet Test Root")?;
        let mut ext = Extensions::default();
        ext.basic_constraints(true, None)?
            .key_usage(KeyUsages::KeyCertSign | KeyUsages::CRLSign)?
            .subject_key_id(&root_key)?;
        let root = issue(
            spec(
                root_name.clone(),
                next_serial(),
                now - 800 * DAY,
                now + 7300 * DAY,
                ext,
            ),
            &root_key.spki()?,
            &root_name,
            &root_key,
        )?;

        let ca_key = TestKey::p384();
        let ca_name = org_name("Signet Test ESTEID2018")?;
        let mut ext = Extensions::default();
        ext.basic_constraints(true, Some(0))?
            .key_usage(KeyUsages::KeyCertSign | KeyUsages::CRLSign)?
            .subject_key_id(&ca_key)?
            .authority_key_id(&root_key)?
            .crl_url(&root_crl_url)?;
        let ca = issue(
            spec(
                ca_name.clone(),
                next_serial(),
                now - 700 * DAY,
                now + 3650 * DAY,
                ext,
            ),
            &ca_key.spki()?,
            &root_name,
            &root_key,
        )?;

        let unknown_key = TestKey::p384();
        let unknown_name = org_name("Signet Untrusted CA")?;
        let mut ext = Extensions::default();
        ext.basic_constraints(true, None)?
            .key_usage(KeyUsages::KeyCertSign | KeyUsages::CRLSign)?
            .subject_key_id(&unknown_key)?;
        let unknown_ca = issue(
            spec(
                unknown_name.clone(),
                next_serial(),
                now - 700 * DAY,
                now + 3650 * DAY,
                ext,
            ),
            &unknown_key.spki()?,
            &unknown_name,
            &unknown_key,
        )?;

        // Service certificates.
        let ocsp_key = TestKey::p384();
        let mut ext = Extensions::default();
        ext.basic_constraints(false, None)?
            .key_usage(KeyUsages::DigitalSignature.into())?
            .ext_key_usage(false, &[oid::KP_OCSP_SIGNING])?
            .ocsp_nocheck()?
            .subject_key_id(&ocsp_key)?
            .authority_key_id(&ca_key)?;
        let ocsp = issue(
            spec(
                org_name("Signet Test OCSP")?,
                next_serial(),
                now - 30 * DAY,
                now + 365 * DAY,
                ext,
            ),
            &ocsp_key.spki()?,
            &ca_name,
            &ca_key,
        )?;
        index.push(IndexLine::valid(&ocsp));

        let rogue_key = TestKey::p384();
        let mut ext = Extensions::default();
        ext.basic_constraints(false, None)?
            .key_usage(KeyUsages::DigitalSignature.into())?
            .ext_key_usage(false, &[oid::KP_OCSP_SIGNING])?
            .authority_key_id(&root_key)?;
        let rogue = issue(
            spec(
                org_name("Signet Rogue OCSP")?,
                next_serial(),
                now - 30 * DAY,
                now + 365 * DAY,
                ext,
            ),
            &rogue_key.spki()?,
            &root_name,
            &root_key,
        )?;

        let tsa_key = TestKey::p384();
        let mut ext = Extensions::default();
        ext.basic_constraints(false, None)?
            .key_usage(KeyUsages::DigitalSignature.into())?
            .ext_key_usage(true, &[oid::KP_TIME_STAMPING])?
            .subject_key_id(&tsa_key)?
            .authority_key_id(&root_key)?
            .crl_url(&root_crl_url)?;
        let tsa = issue(
            spec(
                org_name("Signet Test TSA")?,
                next_serial(),
                now - 365 * DAY,
                now + 1825 * DAY,
                ext,
            ),
            &tsa_key.spki()?,
            &root_name,
            &root_key,
        )?;

        let bad_tsa_key = TestKey::p384();
        let mut ext = Extensions::default();
        ext.basic_constraints(false, None)?
            .key_usage(KeyUsages::DigitalSignature.into())?
            .subject_key_id(&bad_tsa_key)?
            .authority_key_id(&root_key)?;
        let bad_tsa = issue(
            spec(
                org_name("Signet Test TSA without EKU")?,
                next_serial(),
                now - 365 * DAY,
                now + 1825 * DAY,
                ext,
            ),
            &bad_tsa_key.spki()?,
            &root_name,
            &root_key,
        )?;

        let rsa_pem = openssl::genrsa(dir, 3072)?;

        let people = PeopleFactory {
            ca_name: &ca_name,
            ca_key: &ca_key,
            ocsp_url,
            now,
        };
        let mut persons: Vec<(Role, Certificate, TestKey)> = Vec::new();
        {
            let mut add =
                |role: Role, cert: Certificate, key: TestKey| persons.push((role, cert, key));
            let (key, cert) = people.auth(next_serial())?;
            add(Role::Authentication, cert, key);
            let (key, cert) =
                people.signer(next_serial(), SignerShape::default(), TestKey::p384())?;
            add(Role::Signing, cert, key);
            let rsa = SignerShape {
                person: ("KASK", "JAAN", "37605030299"),
                ..SignerShape::default()
            };
            let (key, cert) =
                people.signer(next_serial(), rsa, TestKey::rsa_from_pem(&rsa_pem)?)?;
            add(Role::RsaSigning, cert, key);
            let p256 = SignerShape {
                person: ("MAASIKAS", "MARI", "48801010012"),
                ..SignerShape::default()
            };
            let (key, cert) = people.signer(next_serial(), p256, TestKey::p256())?;
            add(Role::P256Signing, cert, key);
            let expired = SignerShape {
                person: ("VANA", "VELLO", "35001010014"),
                window: Some((now - 400 * DAY, now - 30 * DAY)),
                ..SignerShape::default()
            };
            let (key, cert) = people.signer(next_serial(), expired, TestKey::p384())?;
            add(Role::Expired, cert, key);
            let future = SignerShape {
                person: ("TULEV", "TIIU", "60501010018"),
                window: Some((now + 30 * DAY, now + 1000 * DAY)),
                ..SignerShape::default()
            };
            let (key, cert) = people.signer(next_serial(), future, TestKey::p384())?;
            add(Role::NotYetValid, cert, key);
            let revoked = SignerShape {
                person: ("KADUNUD", "KALLE", "38507060012"),
                ..SignerShape::default()
            };
            let (key, cert) = people.signer(next_serial(), revoked, TestKey::p384())?;
            add(Role::Revoked, cert, key);
            let wrong_ku = SignerShape {
                person: ("VALE", "VEIKO", "39002020013"),
                key_usage: KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment,
                ..SignerShape::default()
            };
            let (key, cert) = people.signer(next_serial(), wrong_ku, TestKey::p384())?;
            add(Role::WrongKeyUsage, cert, key);
            let unqualified = SignerShape {
                person: ("LIHT", "LIISA", "49403136526"),
                qualified: false,
                ..SignerShape::default()
            };
            let (key, cert) = people.signer(next_serial(), unqualified, TestKey::p384())?;
            add(Role::Unqualified, cert, key);
            let unlisted = SignerShape {
                person: ("TUNDMATU", "TOOMAS", "37001010021"),
                ..SignerShape::default()
            };
            let (key, cert) = people.signer(next_serial(), unlisted, TestKey::p384())?;
            add(Role::NotInResponderDatabase, cert, key);
            let bad_sig = SignerShape {
                person: ("MURDUD", "MARGUS", "38811110016"),
                ..SignerShape::default()
            };
            let (key, mut cert) = people.signer(next_serial(), bad_sig, TestKey::p384())?;
            damage_signature(&mut cert)?;
            add(Role::BadSignature, cert, key);
            let critical = SignerShape {
                person: ("KRIITILINE", "KAIA", "48912120019"),
                unknown_critical: true,
                ..SignerShape::default()
            };
            let (key, cert) = people.signer(next_serial(), critical, TestKey::p384())?;
            add(Role::UnknownCriticalExtension, cert, key);

            // Outside the issuing CA.
            let self_key = TestKey::p384();
            let self_name = person_name(("ISE", "IVO", "38203030013"))?;
            let mut ext = Extensions::default();
            ext.basic_constraints(false, None)?
                .key_usage(KeyUsages::NonRepudiation.into())?
                .qc_statements_esign()?;
            let cert = issue(
                spec(
                    self_name.clone(),
                    next_serial(),
                    now - 100 * DAY,
                    now + 1000 * DAY,
                    ext,
                ),
                &self_key.spki()?,
                &self_name,
                &self_key,
            )?;
            add(Role::SelfSigned, cert, self_key);
            let stranger = TestKey::p384();
            let mut ext = Extensions::default();
            ext.basic_constraints(false, None)?
                .key_usage(KeyUsages::NonRepudiation.into())?
                .qc_statements_esign()?
                .authority_key_id(&unknown_key)?;
            let cert = issue(
                spec(
                    person_name(("VOORAS", "VIIVE", "47101010033"))?,
                    next_serial(),
                    now - 100 * DAY,
                    now + 1000 * DAY,
                    ext,
                ),
                &stranger.spki()?,
                &unknown_name,
                &unknown_key,
            )?;
            add(Role::UnknownIssuer, cert, stranger);
        }

        for (role, cert, _) in &persons {
            match role {
                Role::SelfSigned | Role::UnknownIssuer | Role::NotInResponderDatabase => {}
                Role::Revoked => index.push(IndexLine::revoked(cert, revocation_time)),
                _ => index.push(IndexLine::valid(cert)),
            }
        }

        let mut store = |role: Role, cert: Certificate, key: TestKey| -> Result<(), TestkitError> {
            let issued = write_issued(dir, role, cert, key)?;
            by_role.insert(role, issued);
            Ok(())
        };
        store(Role::Root, root, root_key)?;
        store(Role::IssuingCa, ca, ca_key)?;
        store(Role::UnknownCa, unknown_ca, unknown_key)?;
        store(Role::OcspResponder, ocsp, ocsp_key)?;
        store(Role::RogueOcspResponder, rogue, rogue_key)?;
        store(Role::Tsa, tsa, tsa_key)?;
        store(Role::TsaWithoutEku, bad_tsa, bad_tsa_key)?;
        for (role, cert, key) in persons {
            store(role, cert, key)?;
        }

        let index_path = dir.join("index.txt");
        let mut text = String::new();
        for line in index {
            text.push_str(&line?);
            text.push('\n');
        }
        std::fs::write(&index_path, text).map_err(|e| TestkitError::io(&index_path, e))?;
        std::fs::write(dir.join("index.txt.attr"), "unique_subject = no\n")
            .map_err(|e| TestkitError::io(dir, e))?;

        Ok(Self {
            now,
            revocation_time,
            ocsp_url: ocsp_url.to_owned(),
            root_crl_url,
            by_role,
            index_path,
        })
    }
}

pub(crate) fn whole_seconds(t: SystemTime) -> SystemTime {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

pub(crate) fn spec(
    subject: Name,
    serial: u64,
    nb: SystemTime,
    na: SystemTime,
    ext: Extensions,
) -> CertSpec {
    CertSpec {
        subject,
        serial,
        not_before: nb,
        not_after: na,
        extensions: ext.0,
    }
}

pub(crate) fn org_name(cn: &str) -> Result<Name, TestkitError> {
    name(&[
        (oid::COUNTRY, "EE"),
        (oid::ORGANIZATION, "Signet Test"),
        (oid::COMMON_NAME, cn),
    ])
}

/// `C=EE, CN=SURNAME,GIVEN,CODE, SN=SURNAME, GN=GIVEN, serialNumber=PNOEE-CODE`.
fn person_name((surname, given, code): (&str, &str, &str)) -> Result<Name, TestkitError> {
    let cn = format!("{surname},{given},{code}");
    let serial = format!("PNOEE-{code}");
    name(&[
        (oid::COUNTRY, "EE"),
        (oid::COMMON_NAME, &cn),
        (oid::SURNAME, surname),
        (oid::GIVEN_NAME, given),
        (oid::SERIAL_NUMBER, &serial),
    ])
}

fn damage_signature(cert: &mut Certificate) -> Result<(), TestkitError> {
    let mut bytes = cert.signature.raw_bytes().to_vec();
    // An ECDSA DER signature ends in the last octet of s: changing it keeps the DER valid.
    if let Some(last) = bytes.last_mut() {
        *last ^= 0x01;
    }
    cert.signature = der::asn1::BitString::from_bytes(&bytes)?;
    Ok(())
}

struct SignerShape {
    person: (&'static str, &'static str, &'static str),
    /// notBefore and notAfter; `None` for the usual window around `now`.
    window: Option<(SystemTime, SystemTime)>,
    key_usage: der::flagset::FlagSet<KeyUsages>,
    qualified: bool,
    unknown_critical: bool,
}

impl Default for SignerShape {
    fn default() -> Self {
        Self {
            person: ("TAMM", "MARI", PERSONAL_CODE),
            window: None,
            key_usage: KeyUsages::NonRepudiation.into(),
            qualified: true,
            unknown_critical: false,
        }
    }
}

struct PeopleFactory<'a> {
    ca_name: &'a Name,
    ca_key: &'a TestKey,
    ocsp_url: &'a str,
    now: SystemTime,
}

impl PeopleFactory<'_> {
    fn window(&self, shape: &SignerShape) -> (SystemTime, SystemTime) {
        shape
            .window
            .unwrap_or((self.now - 365 * DAY, self.now + 4 * 365 * DAY))
    }

    fn signer(
        &self,
        serial: u64,
        shape: SignerShape,
        key: TestKey,
    ) -> Result<(TestKey, Certificate), TestkitError> {
        let (nb, na) = self.window(&shape);
        let mut ext = Extensions::default();
        ext.basic_constraints(false, None)?
            .key_usage(shape.key_usage)?;
        if shape.qualified {
            ext.policies(&[oid::QCP_N_QSCD])?.qc_statements_esign()?;
        }
        if shape.unknown_critical {
            ext.unknown_critical()?;
        }
        ext.subject_key_id(&key)?
            .authority_key_id(self.ca_key)?
            .ocsp_url(self.ocsp_url)?;
        let cert = issue(
            spec(person_name(shape.person)?, serial, nb, na, ext),
            &key.spki()?,
            self.ca_name,
            self.ca_key,
        )?;
        Ok((key, cert))
    }

    fn auth(&self, serial: u64) -> Result<(TestKey, Certificate), TestkitError> {
        let key = TestKey::p384();
        let (nb, na) = self.window(&SignerShape::default());
        let mut ext = Extensions::default();
        ext.basic_constraints(false, None)?
            .key_usage(KeyUsages::DigitalSignature.into())?
            .ext_key_usage(false, &[oid::KP_CLIENT_AUTH])?
            .subject_key_id(&key)?
            .authority_key_id(self.ca_key)?
            .ocsp_url(self.ocsp_url)?;
        let cert = issue(
            spec(
                person_name(("TAMM", "MARI", PERSONAL_CODE))?,
                serial,
                nb,
                na,
                ext,
            ),
            &key.spki()?,
            self.ca_name,
            self.ca_key,
        )?;
        Ok((key, cert))
    }
}

fn write_issued(
    dir: &Path,
    role: Role,
    cert: Certificate,
    key: TestKey,
) -> Result<Issued, TestkitError> {
    let der = cert.to_der()?;
    let stem = role.file_stem();
    let cert_path = dir.join(format!("{stem}.crt"));
    let key_path = dir.join(format!("{stem}.key"));
    std::fs::write(&cert_path, pem("CERTIFICATE", &der)?)
        .map_err(|e| TestkitError::io(&cert_path, e))?;
    std::fs::write(&key_path, key.to_pkcs8_pem()?).map_err(|e| TestkitError::io(&key_path, e))?;
    Ok(Issued {
        role,
        cert,
        der,
        key,
        cert_path,
        key_path,
    })
}

/// PEM text for DER bytes.
pub fn pem(label: &str, der: &[u8]) -> Result<String, TestkitError> {
    der::pem::encode_string(label, der::pem::LineEnding::LF, der)
        .map_err(|e| TestkitError::Key(format!("PEM: {e}")))
}

/// One line of an OpenSSL CA database (`index.txt`): status, expiry, revocation, serial, file,
/// subject, separated by tabs.
pub(crate) struct IndexLine;

impl IndexLine {
    /// A revoked line with an OpenSSL reason name (`keyCompromise`, `CACompromise`, …).
    pub(crate) fn revoked_for(
        cert: &Certificate,
        at: SystemTime,
        reason: &str,
    ) -> Result<String, TestkitError> {
        let when = openssl::index_time(at)?;
        Self::line(cert, "R", &format!("{when},{reason}"))
    }

    fn valid(cert: &Certificate) -> Result<String, TestkitError> {
        Self::line(cert, "V", "")
    }

    fn revoked(cert: &Certificate, at: SystemTime) -> Result<String, TestkitError> {
        let when = openssl::index_time(at)?;
        Self::line(cert, "R", &format!("{when},keyCompromise"))
    }

    fn line(cert: &Certificate, status: &str, revocation: &str) -> Result<String, TestkitError> {
        let tbs = &cert.tbs_certificate;
        let expiry = openssl::index_time(tbs.validity.not_after.to_system_time())?;
        let serial: String = tbs
            .serial_number
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect();
        Ok(format!(
            "{status}\t{expiry}\t{revocation}\t{serial}\tunknown\t/CN=test-{serial}"
        ))
    }
}
