//! `verify`: any mix of PDFs and containers in one call, with one report shape — a list of files,
//! each with its format, its verdict in plain terms and each signature's, whatever the format.
//!
//! This is the one shape the window shows and `signet verify --json` prints
//! (`docs/verify-json.md`); the command line's text is written from the same facts. What a file
//! is comes from its content ([`signed_format`]), never from the caller.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Serialize;
use signet_core::{Code, Fetch, Indication};

use crate::input::{FileKind, file_kind};
use crate::job::{JobControl, Phase, Position};
use crate::pades::PadesVerifyRequest;
use crate::signing::{Overrides, Settings, TrustPaths};
use crate::{ApiError, Context};

/// The format of a signed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum DocumentFormat {
    /// A PDF with PAdES (or PDF) signatures.
    Pdf,
    /// An ASiC-E or ASiC-S container.
    Container,
}

/// A verdict a person reads: four words, the same for a file and a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Verdict {
    /// Valid.
    Valid,
    /// Valid, with remarks (allowed changes after signing, warnings).
    ValidWithWarnings,
    /// Signet cannot tell yet (trust, revocation or time could not be established).
    CannotTell,
    /// Not valid.
    NotValid,
}

/// One change made after a signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ChangeView {
    /// The revision that made it (1-based).
    #[ts(type = "number")]
    pub revision: usize,
    /// `form-fill`, `annotation`, `signature`, `dss`, `document-timestamp`, `metadata`,
    /// `content`, `other`.
    pub kind: String,
    /// Whether the policy allows it.
    pub allowed: bool,
    /// The page, for a change of what a page shows.
    #[ts(type = "number | null")]
    pub page: Option<usize>,
    /// What changed, in words.
    pub detail: String,
    /// A form field's value before the change.
    pub old_value: Option<String>,
    /// A form field's value after the change.
    pub new_value: Option<String>,
}

/// One signature (or document time-stamp) as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SignatureView {
    /// `signature` or `documentTimestamp`.
    pub kind: String,
    /// Which signature: the PDF's signature field (`Signature1`), or the container's signature
    /// entry (`META-INF/signatures0.xml`).
    pub name: String,
    /// A container signature's `Id` (`S0`); none in a PDF.
    pub id: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// EN 319 102-1 indication.
    pub indication: Indication,
    /// Its sub-indication, when not passed.
    pub sub_indication: Option<String>,
    /// The signer, as a person reads the name ("Mari Tamm (38001085718)").
    pub signer: Option<String>,
    /// The signer certificate's full subject.
    pub signer_subject: Option<String>,
    /// The signer certificate's issuer, in full, when the format gives it (PDF).
    pub signer_issuer: Option<String>,
    /// The time the signer claims (RFC 3339).
    pub claimed_time: Option<String>,
    /// The time proven by a time-stamp (RFC 3339).
    pub proven_time: Option<String>,
    /// Who time-stamped it.
    pub timestamp_authority: Option<String>,
    /// When the archive time-stamp over it was made (a container's B-LTA; RFC 3339).
    pub archive_time: Option<String>,
    /// The level reached (`B-B` … `B-LTA`, `LT-TM`).
    pub level: Option<String>,
    /// `QES`, `AdES/QC` or `AdES`, when known.
    pub qualification: Option<String>,
    /// The trusted list's service that issued the signer's certificate, when a list was used.
    pub trust_service: Option<String>,
    /// Why it was signed (a PDF's `/Reason`).
    pub reason: Option<String>,
    /// Where it was signed (a PDF's `/Location`).
    pub location: Option<String>,
    /// The certificate path, signer first (subjects).
    pub chain: Vec<String>,
    /// Revocation data, in words.
    pub revocation: Vec<String>,
    /// The data files of a container it covers (their references verified); empty in a PDF,
    /// where a signature covers its revision.
    pub covers: Vec<String>,
    /// Changes after it (PDF).
    pub changes: Vec<ChangeView>,
    /// What failed.
    pub errors: Vec<String>,
    /// Remarks.
    pub warnings: Vec<String>,
    /// For a PDF signature: the length of the file as it was signed (what its byte range
    /// covers); shorter than the file when later revisions followed.
    #[ts(type = "number | null")]
    pub signed_length: Option<u64>,
}

/// One file verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedFile {
    /// The path.
    pub path: String,
    /// The file's name.
    pub name: String,
    /// The SHA-256 (hex) of the file as it was verified: what the person saw judged. Adding a
    /// signature to it ([`crate::signing::SignFilesRequest::reviewed_sha256`]) is refused when
    /// the file is no longer this one.
    pub sha256: String,
    /// What it is.
    pub format: DocumentFormat,
    /// The verdict on the whole file: its worst signature's, or not valid with no signature.
    pub verdict: Verdict,
    /// The EN 319 102-1 indication of the whole file: its worst signature's; TOTAL-FAILED when
    /// it cannot be read as a signed document or was modified after signing (a PDF), or is
    /// refused (a container); INDETERMINATE for a container without a signature.
    pub indication: Indication,
    /// File-level problems (unreadable, refused container, bytes after the last revision).
    pub problems: Vec<String>,
    /// Signatures a later revision removed.
    pub removed_signatures: Vec<String>,
    /// The files a container holds.
    pub data_files: Vec<String>,
    /// Whether another signature can be added to it ([`crate::signing::sign`] with `add_to`):
    /// an ASiC-E container Signet could read. Not a PDF, not an ASiC-S container (its one
    /// time-stamp token is all it holds), not a refused container.
    pub can_add_signature: bool,
    /// Each signature.
    pub signatures: Vec<SignatureView>,
}

/// The trusted list a verdict used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TrustData {
    /// The list's territory (`EE`, `EU`).
    pub territory: String,
    /// When it was issued (RFC 3339).
    pub issued: String,
    /// When its next issue is due (RFC 3339); a list past it is out of date.
    pub next_update: Option<String>,
}

/// Every file of one `verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedFiles {
    /// The files, in the order given.
    pub files: Vec<VerifiedFile>,
    /// The trusted list used, when one was.
    pub trust_data: Option<TrustData>,
    /// The validation time (RFC 3339).
    pub validation_time: String,
}

/// What a caller may give `verify` instead of the settings.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// What to trust instead of the settings' (the profile's).
    pub trust: Option<TrustPaths>,
    /// Validate as at this time instead of now.
    pub at: Option<SystemTime>,
    /// Fetch nothing for a PDF: only the validation data it holds (containers are always
    /// judged by what they hold).
    pub offline: bool,
}

fn verdict_of(indication: Indication, warned: bool) -> Verdict {
    match indication {
        Indication::TotalPassed if warned => Verdict::ValidWithWarnings,
        Indication::TotalPassed => Verdict::Valid,
        Indication::Indeterminate => Verdict::CannotTell,
        Indication::TotalFailed => Verdict::NotValid,
    }
}

fn name_of(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn pdf_view(path: &Path, sha256: String, report: &signet_pades::validate::Report) -> VerifiedFile {
    use signet_pades::validate::Verdict as V;
    let signatures: Vec<SignatureView> = report
        .signatures
        .iter()
        .map(|s| {
            let changes: Vec<ChangeView> = s
                .modifications
                .iter()
                .map(|m| ChangeView {
                    revision: m.revision,
                    kind: m.kind.clone(),
                    allowed: m.allowed,
                    page: m.page,
                    detail: m.detail.clone(),
                    old_value: m.old_value.clone(),
                    new_value: m.new_value.clone(),
                })
                .collect();
            let warned = !s.warnings.is_empty()
                || changes
                    .iter()
                    .any(|c| matches!(c.kind.as_str(), "form-fill" | "annotation"));
            let verdict = if s.modified {
                Verdict::NotValid
            } else {
                verdict_of(s.indication, warned)
            };
            let qualification = match (&s.trusted_list, &s.qualification) {
                (Some(l), _) if l.qes => Some("QES".to_owned()),
                (Some(l), _) if l.qualified == Some(true) => Some("AdES/QC".to_owned()),
                (Some(_), _) => Some("AdES".to_owned()),
                (None, Some(q)) if q.qualified_esign_in_qscd => Some("QES".to_owned()),
                (None, Some(q)) if q.qc_compliance => Some("AdES/QC".to_owned()),
                (None, _) => None,
            };
            SignatureView {
                kind: if s.kind == "document-timestamp" {
                    "documentTimestamp".to_owned()
                } else {
                    "signature".to_owned()
                },
                name: s.field.clone(),
                id: None,
                verdict,
                indication: s.indication,
                sub_indication: s.sub_indication.map(|x| x.to_string()),
                signer: s
                    .signer
                    .as_ref()
                    .map(|c| crate::people::display_name(&c.subject)),
                signer_subject: s.signer.as_ref().map(|c| c.subject.clone()),
                signer_issuer: s.signer.as_ref().map(|c| c.issuer.clone()),
                claimed_time: s
                    .claimed_time
                    .as_deref()
                    .map(crate::people::pdf_date_as_rfc3339),
                proven_time: s.best_signing_time.clone(),
                timestamp_authority: s
                    .timestamps
                    .iter()
                    .find(|t| t.valid)
                    .map(|t| crate::people::display_name(&t.tsa)),
                archive_time: None,
                level: s.level.clone(),
                qualification,
                trust_service: s.trusted_list.as_ref().and_then(|l| l.service.clone()),
                reason: s.reason.clone(),
                location: s.location.clone(),
                chain: s.chain.iter().map(|c| c.subject.clone()).collect(),
                revocation: s
                    .revocation
                    .iter()
                    .map(|r| match &r.produced_at {
                        Some(at) => format!("{} ({}, {at})", r.status, r.source),
                        None => format!("{} ({})", r.status, r.source),
                    })
                    .collect(),
                covers: Vec::new(),
                changes,
                // The changes say what was modified, in the window's language.
                errors: s
                    .errors
                    .iter()
                    .filter(|e| !(s.modified && e.starts_with("modified after signing")))
                    .cloned()
                    .collect(),
                warnings: s.warnings.clone(),
                signed_length: s
                    .byte_range
                    .as_ref()
                    .and_then(|br| match br[..] {
                        [_, _, c, d] if c >= 0 && d >= 0 => c.checked_add(d),
                        _ => None,
                    })
                    .and_then(|end| u64::try_from(end).ok())
                    .filter(|_| s.intact),
            }
        })
        .collect();
    let (verdict, indication) = match report.verdict {
        V::Valid => (Verdict::Valid, Indication::TotalPassed),
        V::ValidWithChanges => (Verdict::ValidWithWarnings, Indication::TotalPassed),
        V::Indeterminate => (Verdict::CannotTell, Indication::Indeterminate),
        V::Modified | V::Invalid | V::Unreadable => (Verdict::NotValid, Indication::TotalFailed),
    };
    // The file's verdict is never better than its worst signature.
    let worst = signatures.iter().map(|s| s.verdict).max();
    let worst_indication =
        Indication::worst(signatures.iter().map(|s| s.indication).chain([indication]));
    VerifiedFile {
        path: path.display().to_string(),
        name: name_of(path),
        sha256,
        format: DocumentFormat::Pdf,
        verdict: worst.map_or(verdict, |w| w.max(verdict)),
        indication: worst_indication.unwrap_or(indication),
        problems: report.errors.clone(),
        removed_signatures: report
            .removed_signatures
            .iter()
            .map(ToString::to_string)
            .collect(),
        data_files: Vec::new(),
        signatures,
        can_add_signature: false,
    }
}

fn container_view(
    path: &Path,
    sha256: String,
    report: &crate::asice::AsiceVerifyReport,
) -> VerifiedFile {
    let signatures: Vec<SignatureView> = report
        .signatures
        .iter()
        .map(|s| SignatureView {
            kind: "signature".to_owned(),
            name: s.file.clone(),
            id: s.id.clone(),
            verdict: verdict_of(s.indication, !s.warnings.is_empty()),
            indication: s.indication,
            sub_indication: s.sub_indication.map(|x| x.to_string()),
            signer: s.signer.as_deref().map(crate::people::display_name),
            signer_subject: s.signer.clone(),
            signer_issuer: s.signer_issuer.clone(),
            claimed_time: s.signing_time.clone(),
            proven_time: s.timestamp_time.clone(),
            timestamp_authority: None,
            archive_time: s.archive_timestamp_time.clone(),
            level: s.level.clone(),
            qualification: s.qualification.clone(),
            trust_service: None,
            reason: None,
            location: None,
            chain: Vec::new(),
            revocation: s
                .revocation
                .iter()
                .filter(|o| o.used)
                .map(|o| {
                    format!(
                        "{} (OCSP{})",
                        o.status.as_deref().unwrap_or("no answer"),
                        o.produced_at
                            .as_deref()
                            .map(|t| format!(", {t}"))
                            .unwrap_or_default()
                    )
                })
                .collect(),
            covers: s.covers.clone(),
            changes: Vec::new(),
            errors: s.errors.clone(),
            warnings: s.warnings.clone(),
            signed_length: None,
        })
        .collect();
    let mut verdict = verdict_of(report.indication, false);
    match signatures.iter().map(|s| s.verdict).max() {
        Some(worst) => verdict = verdict.max(worst),
        // A container without a signature proves nothing.
        None => verdict = Verdict::NotValid,
    }
    let mut problems: Vec<String> = report.refused.iter().cloned().collect();
    problems.extend(report.problems.iter().cloned());
    VerifiedFile {
        path: path.display().to_string(),
        name: name_of(path),
        sha256,
        format: DocumentFormat::Container,
        verdict,
        indication: report.indication,
        problems,
        removed_signatures: Vec::new(),
        data_files: report.data_files.iter().map(|d| d.name.clone()).collect(),
        signatures,
        can_add_signature: report.refused.is_none() && !signet_asic::asics::is_asics(path),
    }
}

/// What the signed document at `path` is, by its content: a PDF, or a container (a ZIP
/// archive; a file named like a container is judged as one too, so that one with bytes in
/// front of it is refused with the reason). A file that cannot be read, a file named `.pdf`
/// that is not one, and anything else are refused.
pub fn signed_format(path: &Path) -> Result<DocumentFormat, ApiError> {
    match file_kind(path)? {
        FileKind::Pdf => Ok(DocumentFormat::Pdf),
        FileKind::Zip => Ok(DocumentFormat::Container),
        FileKind::Other if FileKind::claimed_by(path) == Some(FileKind::Zip) => {
            Ok(DocumentFormat::Container)
        }
        FileKind::Other => Err(ApiError::new(
            Code::InvalidInput,
            format!("{} is neither a PDF nor a container", path.display()),
        )
        .recommend("Choose signed PDFs or containers (.asice, .bdoc, .asics).")),
    }
}

/// Verifies every file of `files` — PDFs and containers, in any mix — with the settings' trust
/// (the profile's trusted list or anchors), online where revocation data is missing.
pub fn verify(
    context: &Context,
    files: &[PathBuf],
    fetch: &dyn Fetch,
    job: &JobControl,
) -> Result<VerifiedFiles, ApiError> {
    verify_with(context, files, &VerifyOptions::default(), fetch, job)
}

/// [`verify`] with what the caller gives instead of the settings: the trust (then used whole,
/// never mixed with the profile's), the validation time, offline. Every file's format is known
/// (and every file found readable) before any is judged.
pub fn verify_with(
    context: &Context,
    files: &[PathBuf],
    options: &VerifyOptions,
    fetch: &dyn Fetch,
    job: &JobControl,
) -> Result<VerifiedFiles, ApiError> {
    if files.is_empty() {
        return Err(ApiError::new(Code::InvalidInput, "no files to verify")
            .recommend("Choose signed PDFs or containers (.asice, .bdoc)."));
    }
    let formats = files
        .iter()
        .map(|f| signed_format(f))
        .collect::<Result<Vec<_>, _>>()?;
    let settings = Settings::resolve_with(
        context,
        &Overrides {
            trust: options.trust.clone(),
            ..Overrides::default()
        },
    )?;
    let now = options.at.unwrap_or_else(|| context.clock().now());
    let total = u32::try_from(files.len()).unwrap_or(u32::MAX);
    let mut out = Vec::new();
    for (i, (path, format)) in files.iter().zip(formats).enumerate() {
        job.check()?;
        job.phase(
            Phase::Verifying,
            Some(&name_of(path)),
            Some(Position {
                n: u32::try_from(i + 1).unwrap_or(u32::MAX),
                of: total,
            }),
        );
        let view = match format {
            DocumentFormat::Pdf => {
                let bytes = std::fs::read(path).map_err(|e| crate::input::unreadable(path, &e))?;
                let request = PadesVerifyRequest {
                    trust: settings
                        .trust
                        .trust
                        .iter()
                        .map(|f| f.bytes.clone())
                        .collect(),
                    at: Some(now),
                    offline: options.offline,
                    trusted_list: settings.trust.list.clone(),
                };
                let report = crate::pades::pades_verify(context, &bytes, &request, fetch)?;
                pdf_view(path, crate::job::sha256_hex(&bytes), &report)
            }
            DocumentFormat::Container => {
                // The container is read by entry, not whole: its digest is taken first, and a
                // container that changed meanwhile is not reported as the one hashed.
                let seen = crate::output::InputSeen::of(path);
                let sha256 = crate::signing::facts_of_file(path)?.sha256;
                let report = crate::asice::asice_verify(context, path, &settings.trust, Some(now))?;
                if !seen.unchanged() {
                    return Err(ApiError::changed_while_verified(path));
                }
                container_view(path, sha256, &report)
            }
        };
        tracing::info!(n = i + 1, of = total, verdict = ?view.verdict, "file verified");
        out.push(view);
    }
    let trust_data = match &settings.trust.list {
        Some(list) => crate::asice::load_list(list).ok().map(|l| TrustData {
            territory: l.territory.clone(),
            issued: signet_pki::time::Utc(l.issued).to_string(),
            next_update: l.next_update.map(|t| signet_pki::time::Utc(t).to_string()),
        }),
        None => None,
    };
    Ok(VerifiedFiles {
        files: out,
        trust_data,
        validation_time: signet_pki::time::Utc(now).to_string(),
    })
}

/// Saves the version of the PDF at `path` that a signature covers — its first `length` bytes,
/// which must end a revision (`%%EOF`) — as a new file beside it (`NAME.as-signed.pdf`, numbered
/// when taken), never replacing a file. Returns the file written.
pub fn save_signed_version(path: &Path, length: u64) -> Result<PathBuf, ApiError> {
    let bytes = std::fs::read(path).map_err(|e| crate::input::unreadable(path, &e))?;
    let end = usize::try_from(length).unwrap_or(usize::MAX);
    let prefix = bytes.get(..end).ok_or_else(|| {
        ApiError::new(
            Code::InvalidInput,
            format!("{} is shorter than the signed version", path.display()),
        )
        .recommend("Verify the file again: it changed since.")
    })?;
    // The length must be where an intact signature's byte range ends (checked on the file as
    // it is now, offline): never bytes no signature covers.
    let anchors = signet_pki::TrustAnchors::default();
    let report = signet_pades::validate::validate(
        &bytes,
        &signet_pades::validate::Options {
            anchors: &anchors,
            intermediates: Vec::new(),
            at: signet_core::Clock::now(&signet_core::SystemClock),
            online: None,
            ocsp_policy: Default::default(),
            trusted_list: None,
        },
    );
    let covered = report.signatures.iter().any(|s| {
        s.intact
            && s.kind == "signature"
            && s.byte_range.as_ref().is_some_and(|br| match br[..] {
                [_, _, c, d] => {
                    c.checked_add(d).and_then(|e| u64::try_from(e).ok()) == Some(length)
                }
                _ => false,
            })
    });
    if !covered {
        return Err(ApiError::new(
            Code::InvalidInput,
            "no intact signature of the file covers exactly this version",
        )
        .recommend("Verify the file again and save the version from one of its signatures."));
    }
    let trimmed = prefix
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(&prefix[..0], |i| &prefix[..=i]);
    if !trimmed.ends_with(b"%%EOF") {
        return Err(ApiError::new(
            Code::InvalidInput,
            "the signed part of the file does not end a revision",
        )
        .recommend(
            "The signature's byte range is not a whole revision: this version cannot be saved.",
        ));
    }
    let stem = path
        .file_stem()
        .map_or_else(|| "document".into(), |s| s.to_string_lossy().into_owned());
    let folder = path.parent().unwrap_or_else(|| Path::new("."));
    let out = crate::output::write_numbered(folder, &format!("{stem}.as-signed.pdf"), &mut |f| {
        std::io::Write::write_all(f, prefix)
    })?;
    tracing::info!(bytes = length, "signed version saved");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_no_intact_signature_covers_is_never_saved() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("deed.pdf");
        let first = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n".to_vec();
        let mut all = first.clone();
        all.extend_from_slice(b"2 0 obj<<>>endobj\n%%EOF\n");
        std::fs::write(&file, &all).unwrap();
        // A whole revision, but no signature covers it; not a revision; beyond the file.
        for length in [first.len() as u64, 10, all.len() as u64 + 1] {
            assert!(save_signed_version(&file, length).is_err(), "{length}");
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
