//! `cert verify`: who a certificate belongs to, its issuer chain, its qualification and the
//! verdict on it at a time, with the reason (issue 3; the report is described in
//! `docs/cert-verify-json.md`).

use std::time::SystemTime;

use serde::Serialize;
use signet_core::{Code, Fetch, Indication, SubIndication};
use signet_pki::cert::oid;
use signet_pki::ocsp::{CertificateStatus, ListedResponder, OcspAnswer, OcspPolicy, Responder};
use signet_pki::qualification::{QcPurpose, assess};
use signet_pki::time::Utc;
use signet_pki::tsl::{SVC_CA_QC, TrustedList};
use signet_pki::{
    Cert, PathReport, PathValidator, Revocation, TrustAnchors, ValidationTime, validate_certificate,
};

use crate::{ApiError, Context};

/// What a certificate is checked for.
pub use signet_pki::Purpose;

/// Reads an RFC 3339 time (`2026-11-27T12:00:00Z`), as the command line takes times.
pub fn parse_time(text: &str) -> Result<SystemTime, String> {
    signet_pki::time::parse_rfc3339(text).map_err(|e| e.to_string())
}

/// What `cert verify` is asked.
#[derive(Debug, Clone)]
pub struct CertVerifyRequest {
    /// The certificate file: DER, or PEM with the certificate first and untrusted intermediate
    /// CA certificates after it.
    pub cert: FileBytes,
    /// Files of trusted certificates (DER or PEM, several per PEM file).
    pub trust: Vec<FileBytes>,
    /// The time to judge at; `None` is the present.
    pub at: Option<SystemTime>,
    /// What the certificate is to be used for; `None` decides from its key usage.
    pub purpose: Option<Purpose>,
    /// How the revocation status is had.
    pub revocation: RevocationMode,
    /// A trusted list (ETSI TS 119 612) whose services are anchors, with the certificates
    /// allowed to sign it.
    pub trusted_list: Option<TrustedListFiles>,
}

/// A trusted list file and the files of its pinned signer certificates.
#[derive(Debug, Clone)]
pub struct TrustedListFiles {
    /// The list (XML).
    pub list: FileBytes,
    /// Its allowed signers.
    pub signers: Vec<FileBytes>,
}

/// A file's name (for messages) and content.
#[derive(Debug, Clone)]
pub struct FileBytes {
    /// The name as the person gave it.
    pub name: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// Where `cert verify` takes the revocation status from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevocationMode {
    /// Not asked: the verdict covers the path only, and the report says so.
    NotChecked,
    /// Ask the OCSP responder named in the certificate.
    Ocsp,
    /// No network: with no cached answer, the status is unknown (INDETERMINATE).
    Offline,
}

/// The `cert verify` report (`signet cert verify --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CertReport {
    /// The verdict.
    pub indication: Indication,
    /// Why, unless TOTAL-PASSED.
    pub sub_indication: Option<SubIndication>,
    /// The reasons, the deciding one first; empty when TOTAL-PASSED.
    pub reasons: Vec<Reason>,
    /// Who the certificate belongs to.
    pub holder: Holder,
    /// The certificate, then its issuers up to the trust anchor (only the certificate when no
    /// path was found).
    pub chain: Vec<CertFacts>,
    /// What the certificate declares about its qualification.
    pub qualification: Qualification,
    /// The purpose the key usage was checked for.
    pub purpose: String,
    /// The time judged at (RFC 3339).
    pub validation_time: String,
    /// `present` when no time was asked (an expired certificate is then INDETERMINATE),
    /// `asked` for `--at`.
    pub time_kind: &'static str,
    /// The revocation status and where it came from.
    pub revocation: RevocationFacts,
    /// The trusted list used, when one was given.
    pub trusted_list: Option<TrustedListFacts>,
}

/// The trusted list a report used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TrustedListFacts {
    /// SchemeTerritory.
    pub territory: String,
    /// TSLSequenceNumber.
    #[ts(type = "number")]
    pub sequence_number: u64,
    /// ListIssueDateTime (RFC 3339).
    pub issued: String,
    /// NextUpdate (RFC 3339), when given.
    pub next_update: Option<String>,
    /// Whether the validation time is before NextUpdate; a stale list gives no anchors.
    pub fresh: bool,
    /// How many services were anchors at the validation time.
    #[ts(type = "number")]
    pub anchors: usize,
}

/// One reason behind a verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    /// The indication this reason leads to.
    pub indication: Indication,
    /// The sub-indication.
    pub sub_indication: SubIndication,
    /// The reason in English, with its values.
    pub message: String,
}

/// Who a certificate belongs to, from its subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Holder {
    /// commonName.
    pub common_name: Option<String>,
    /// givenName.
    pub given_name: Option<String>,
    /// surname.
    pub surname: Option<String>,
    /// serialNumber (ETSI EN 319 412-1 semantics: `PNOEE-38001085718`).
    pub serial_number: Option<String>,
    /// organizationName.
    pub organization: Option<String>,
    /// countryName.
    pub country: Option<String>,
}

/// The facts about one certificate of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CertFacts {
    /// The subject (RFC 4514).
    pub subject: String,
    /// The issuer (RFC 4514).
    pub issuer: String,
    /// The serial number in upper-case hex.
    pub serial: String,
    /// notBefore (RFC 3339).
    pub not_before: String,
    /// notAfter (RFC 3339).
    pub not_after: String,
    /// Whether it is one of the trusted certificates given.
    pub trust_anchor: bool,
}

/// The qualification: the certificate's qcStatements (ETSI EN 319 412-5), overruled by the
/// qualifiers of its issuer's CA/QC service when a trusted list is given (ETSI TS 119 612
/// clause 5.5.9.2, applied as TS 119 615 describes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Qualification {
    /// QcCompliance: issued as a qualified certificate.
    pub qc_compliance: bool,
    /// QcSSCD: the key is in a qualified signature or seal creation device.
    pub qscd: bool,
    /// QcType: `esign`, `eseal`, `web`, or the OID.
    pub types: Vec<String>,
    /// Where this comes from: `certificate` (its own statements), or `trusted list` when the
    /// issuer is a qualified CA/QC service of the trusted list given at the validation time.
    pub source: &'static str,
    /// The trusted list's service for the issuer: its type, status, name and provider.
    pub service: Option<String>,
    /// The trusted-list qualifiers that applied (QCWithQSCD, NotQualified, …).
    pub qualifiers: Vec<String>,
    /// False when the list leaves the qualification undecided (conflicting qualifiers, criteria
    /// Signet cannot evaluate); `qcCompliance` and `qscd` are then not to be relied on.
    pub determinable: bool,
    /// One line for people.
    pub summary: String,
}

/// The revocation status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RevocationFacts {
    /// `ocsp`, `offline` or `not-checked`.
    pub mode: &'static str,
    /// `good`, `revoked`, `unknown`, or `null` when no answer was had.
    pub status: Option<&'static str>,
    /// revocationTime, when revoked (RFC 3339).
    pub revoked_at: Option<String>,
    /// The reason code, when revoked and given.
    pub reason: Option<String>,
    /// producedAt of the OCSP answer.
    pub produced_at: Option<String>,
    /// thisUpdate of the OCSP answer.
    pub this_update: Option<String>,
    /// Who signed the answer: `issuing CA` or the delegated responder's subject.
    pub responder: Option<String>,
    /// The CA certificates below the trust anchor, judged by their issuer's CRL (issuing CA
    /// first); empty when none was checked.
    pub ca_crls: Vec<CaCrlFacts>,
}

/// What a CRL said about one CA certificate of the path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CaCrlFacts {
    /// The CA's subject.
    pub subject: String,
    /// The CRL's thisUpdate (RFC 3339).
    pub this_update: String,
    /// The CRL's nextUpdate (RFC 3339).
    pub next_update: String,
    /// The revocation date when listed (after the validation time, since the path passed).
    pub revoked_at: Option<String>,
    /// The reason code, when listed with one.
    pub reason: Option<String>,
}

fn rfc3339(at: SystemTime) -> String {
    Utc(at).to_string()
}

/// Reads the certificates of `file`, naming it in the error.
fn read_certs(file: &FileBytes) -> Result<Vec<Cert>, ApiError> {
    Cert::from_file_bytes(&file.bytes).map_err(|e| {
        ApiError::new(Code::InvalidInput, format!("{}: {e}", file.name))
            .recommend("Give an X.509 certificate file, DER or PEM.")
    })
}

/// The purpose a certificate's key usage suggests: nonRepudiation is for signatures,
/// digitalSignature alone for authentication, anything else is checked for no use in particular.
fn purpose_of(cert: &Cert) -> Purpose {
    use x509_cert::ext::pkix::KeyUsages;
    if cert.allows_key_usage(KeyUsages::NonRepudiation) {
        Purpose::Signature
    } else if cert.has_ext_key_usage(oid::ID_KP_CLIENT_AUTH) {
        Purpose::Authentication
    } else if cert.has_ext_key_usage(oid::ID_KP_TIME_STAMPING) {
        Purpose::TimeStamping
    } else if cert.has_ext_key_usage(oid::ID_KP_OCSP_SIGNING) {
        Purpose::OcspSigning
    } else {
        Purpose::Any
    }
}

/// Validates a certificate as `request` says: the path to the trusted certificates at the time
/// asked, then the revocation status.
pub fn cert_verify(
    context: &Context,
    fetch: &dyn Fetch,
    request: &CertVerifyRequest,
) -> Result<CertReport, ApiError> {
    let mut given = read_certs(&request.cert)?.into_iter();
    let target = given.next().ok_or_else(|| {
        ApiError::new(
            Code::InvalidInput,
            format!("{}: no certificate", request.cert.name),
        )
    })?;
    let intermediates: Vec<Cert> = given.collect();
    let mut anchors = TrustAnchors::default();
    for file in &request.trust {
        for cert in read_certs(file)? {
            anchors.push(cert);
        }
    }
    let time = match request.at {
        Some(at) => ValidationTime::Proven(at),
        None => ValidationTime::now(context.clock()),
    };
    let purpose = request.purpose.unwrap_or_else(|| purpose_of(&target));
    let list = request
        .trusted_list
        .as_ref()
        .map(read_trusted_list)
        .transpose()?;
    // A verified, fresh list's OCSP/QC services are authorised responders too.
    let policy = OcspPolicy {
        listed_responders: list
            .as_ref()
            .map(|l| ListedResponder::from_list(l, context.clock().now()))
            .unwrap_or_default(),
        ..OcspPolicy::default()
    };
    let revocation = match request.revocation {
        RevocationMode::NotChecked => Revocation::NotRequired,
        RevocationMode::Offline => Revocation::Offline(None),
        RevocationMode::Ocsp => Revocation::Online {
            fetch,
            clock: context.clock(),
            policy: &policy,
        },
    };
    let list_facts = list.as_ref().map(|list| {
        let fresh = list.is_fresh_at(time.at());
        let listed = if fresh {
            list.anchors(time.at())
        } else {
            TrustAnchors::default()
        };
        let count = listed.iter().count();
        for anchor in listed.iter() {
            anchors.push(anchor.clone());
        }
        TrustedListFacts {
            territory: list.territory.clone(),
            sequence_number: list.sequence_number,
            issued: rfc3339(list.issued),
            next_update: list.next_update.map(rfc3339),
            fresh,
            anchors: count,
        }
    });
    let validator = PathValidator::new(&anchors, intermediates);
    let report = validate_certificate(&validator, &target, purpose, time, revocation);
    tracing::info!(
        serial = %target.serial_hex(),
        issuer = %target.issuer_for_logs(),
        indication = %report.indication,
        sub_indication = ?report.sub_indication,
        "certificate verified"
    );
    let mut cert_report = build_report(&target, &anchors, &report, request.revocation);
    if let (Some(list), Some(issuer), Some(facts)) = (&list, report.issuer(), &list_facts)
        && facts.fresh
    {
        apply_list(
            &mut cert_report.qualification,
            list,
            &target,
            issuer,
            time.at(),
        );
    }
    cert_report.trusted_list = list_facts;
    Ok(cert_report)
}

fn read_trusted_list(files: &TrustedListFiles) -> Result<TrustedList, ApiError> {
    let mut signers = Vec::new();
    for file in &files.signers {
        signers.extend(read_certs(file)?);
    }
    TrustedList::verify(&files.list.bytes, &signers).map_err(|e| {
        ApiError::new(Code::InvalidInput, format!("{}: {e}", files.list.name)).recommend(
            "Use a trusted list whose signature verifies with one of the signer certificates given.",
        )
    })
}

/// The issuer's CA/QC service in the list at `at`: the list, not the certificate alone, then
/// says whether the certificate is qualified, its key in a QSCD, and for what (ETSI TS 119 615;
/// [`signet_pki::qualification::assess`]).
fn apply_list(
    qualification: &mut Qualification,
    list: &TrustedList,
    target: &Cert,
    issuer: &Cert,
    at: SystemTime,
) {
    let Some(found) = list.service_of(issuer) else {
        return;
    };
    let status = found.service.status_at(at).unwrap_or("no status");
    let kind = found
        .service
        .service_type
        .rsplit("/Svctype/")
        .next()
        .unwrap_or(&found.service.service_type)
        .to_owned();
    qualification.service = Some(format!(
        "{kind} {status}: {} ({})",
        found.service.name, found.provider
    ));
    if found.service.service_type != SVC_CA_QC {
        return;
    }
    let assessed = assess(target, found.service, at);
    qualification.source = "trusted list";
    qualification.qualifiers = assessed
        .applied
        .iter()
        .map(|q| q.name().to_owned())
        .collect();
    qualification.determinable = assessed.qualified.is_some() && assessed.qscd.is_some();
    qualification.qc_compliance = assessed.qualified == Some(true);
    qualification.qscd = assessed.qscd == Some(true);
    qualification.types = assessed
        .purposes
        .iter()
        .map(|p| match p {
            QcPurpose::ESig => "esign".to_owned(),
            QcPurpose::ESeal => "eseal".to_owned(),
            QcPurpose::Wsa => "web".to_owned(),
            other => format!("{other:?}"),
        })
        .collect();
    let why = if assessed.notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", assessed.notes.join("; "))
    };
    qualification.summary = if !qualification.determinable {
        format!("qualification not determinable{why}")
    } else if assessed.qualified_esig_in_qscd() {
        "qualified certificate for electronic signatures, key in a QSCD".to_owned()
    } else if assessed.qualified == Some(true) {
        format!(
            "qualified certificate ({}){}{why}",
            if qualification.types.is_empty() {
                "no purpose".to_owned()
            } else {
                qualification.types.join(", ")
            },
            if qualification.qscd {
                ", key in a QSCD"
            } else {
                ", key not in a QSCD"
            }
        )
    } else {
        format!("not a qualified certificate{why}")
    };
}

fn build_report(
    target: &Cert,
    anchors: &TrustAnchors,
    report: &PathReport,
    mode: RevocationMode,
) -> CertReport {
    let chain: Vec<&Cert> = if report.chain.is_empty() {
        vec![target]
    } else {
        report.chain.iter().collect()
    };
    CertReport {
        indication: report.indication,
        sub_indication: report.sub_indication,
        reasons: report
            .findings
            .iter()
            .map(|finding| Reason {
                indication: finding.indication,
                sub_indication: finding.sub_indication,
                message: finding.problem.to_string(),
            })
            .collect(),
        holder: holder(target),
        chain: chain
            .into_iter()
            .map(|cert| CertFacts {
                subject: cert.subject().to_string(),
                issuer: cert.issuer().to_string(),
                serial: cert.serial_hex(),
                not_before: rfc3339(cert.not_before()),
                not_after: rfc3339(cert.not_after()),
                trust_anchor: anchors.contains(cert),
            })
            .collect(),
        qualification: qualification(target),
        purpose: report.purpose.to_string(),
        validation_time: rfc3339(report.time.at()),
        time_kind: if report.time.is_proven() {
            "asked"
        } else {
            "present"
        },
        revocation: RevocationFacts {
            ca_crls: report
                .ca_revocation
                .iter()
                .map(|c| CaCrlFacts {
                    subject: c.subject.clone(),
                    this_update: rfc3339(c.this_update),
                    next_update: rfc3339(c.next_update),
                    revoked_at: c.revoked_at.map(rfc3339),
                    reason: c.reason.clone(),
                })
                .collect(),
            ..revocation_facts(mode, report.revocation.as_ref())
        },
        trusted_list: None,
    }
}

fn revocation_facts(mode: RevocationMode, answer: Option<&OcspAnswer>) -> RevocationFacts {
    let mode = match mode {
        RevocationMode::NotChecked => "not-checked",
        RevocationMode::Ocsp => "ocsp",
        RevocationMode::Offline => "offline",
    };
    let mut facts = RevocationFacts {
        mode,
        status: None,
        revoked_at: None,
        reason: None,
        produced_at: None,
        this_update: None,
        responder: None,
        ca_crls: Vec::new(),
    };
    if let Some(answer) = answer {
        facts.status = Some(match answer.status {
            CertificateStatus::Good => "good",
            CertificateStatus::Revoked { time, reason } => {
                facts.revoked_at = Some(rfc3339(time));
                facts.reason = reason.map(|r| format!("{r:?}"));
                "revoked"
            }
            _ => "unknown",
        });
        facts.produced_at = Some(rfc3339(answer.produced_at));
        facts.this_update = Some(rfc3339(answer.this_update));
        facts.responder = Some(match &answer.responder {
            Responder::Delegated { subject, .. } => subject.clone(),
            Responder::TrustedList {
                subject,
                service,
                territory,
            } => format!("{subject} (OCSP/QC service {service} of the {territory} trusted list)"),
            _ => "issuing CA".to_owned(),
        });
    }
    facts
}

/// The value of the first attribute `id` in `cert`'s subject, when it is a string.
fn attribute(cert: &Cert, id: const_oid::ObjectIdentifier) -> Option<String> {
    cert.subject()
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid == id)
        .and_then(|atv| match der::Tagged::tag(&atv.value) {
            der::Tag::Utf8String | der::Tag::PrintableString | der::Tag::Ia5String => {
                std::str::from_utf8(atv.value.value())
                    .ok()
                    .map(str::to_owned)
            }
            _ => None,
        })
}

fn holder(cert: &Cert) -> Holder {
    use const_oid::db::rfc4519;
    Holder {
        common_name: attribute(cert, rfc4519::CN),
        given_name: attribute(cert, rfc4519::GIVEN_NAME),
        surname: attribute(cert, rfc4519::SN),
        serial_number: attribute(cert, rfc4519::SERIAL_NUMBER),
        organization: attribute(cert, rfc4519::O),
        country: attribute(cert, rfc4519::C),
    }
}

fn qualification(cert: &Cert) -> Qualification {
    let statements = cert.qc_statements().cloned().unwrap_or_default();
    let types: Vec<String> = statements
        .types
        .iter()
        .map(|t| match *t {
            oid::QCT_ESIGN => "esign".to_owned(),
            oid::QCT_ESEAL => "eseal".to_owned(),
            oid::QCT_WEB => "web".to_owned(),
            other => other.to_string(),
        })
        .collect();
    let summary = if statements.qualified_esign_in_qscd() {
        "qualified certificate for electronic signatures, key in a QSCD".to_owned()
    } else if statements.compliance {
        format!(
            "qualified certificate ({}){}",
            if types.is_empty() {
                "no QcType".to_owned()
            } else {
                types.join(", ")
            },
            if statements.sscd {
                ", key in a QSCD"
            } else {
                ", key not declared in a QSCD"
            }
        )
    } else {
        "not a qualified certificate (no QcCompliance statement)".to_owned()
    };
    Qualification {
        qc_compliance: statements.compliance,
        qscd: statements.sscd,
        types,
        source: "certificate",
        service: None,
        qualifiers: Vec::new(),
        determinable: true,
        summary,
    }
}
