//! `signet verify X.asice`, `signet asice list|extract|add`: the
//! ASiC-E operations of signet-api, printed for people or as JSON (docs/asice-report.md).

use std::path::{Path, PathBuf};

use signet_api::ApiError;
use signet_api::asice::{AsiceVerifyReport, TrustFiles};
use signet_api::cert::{FileBytes, TrustedListFiles};
use signet_api::input::{FileKind, file_kind};

use crate::args::{AsiceCommand, TrustArgs};
use crate::exit::{FileVerdict, Status, for_verdicts};
use crate::report;

fn read(path: &Path) -> Result<FileBytes, ApiError> {
    let bytes = std::fs::read(path).map_err(|e| {
        let mut err = ApiError::from(e);
        err.message = format!("{}: {}", path.display(), err.message);
        err
    })?;
    Ok(FileBytes {
        name: path.display().to_string(),
        bytes,
    })
}

pub(crate) fn trust_files(
    trust: &[PathBuf],
    tsl: Option<&PathBuf>,
    tsl_signers: &[PathBuf],
) -> Result<TrustFiles, ApiError> {
    Ok(TrustFiles {
        trust: trust.iter().map(|p| read(p)).collect::<Result<_, _>>()?,
        list: match tsl {
            Some(list) => Some(TrustedListFiles {
                list: read(list)?,
                signers: tsl_signers
                    .iter()
                    .map(|p| read(p))
                    .collect::<Result<_, _>>()?,
            }),
            None => None,
        },
    })
}

/// Whether `path` is to be judged as an ASiC container: a ZIP archive, or a file named like
/// one (so a container with bytes in front of it is refused with the reason, not as "unknown").
pub(crate) fn is_container(path: &Path, kind: FileKind) -> bool {
    kind == FileKind::Zip || FileKind::claimed_by(path) == Some(FileKind::Zip)
}

/// `signet verify` of one container: the report, and the verdict for the exit status.
pub(crate) fn verify_one(
    path: &Path,
    trust: &TrustArgs,
) -> Result<(AsiceVerifyReport, FileVerdict), ApiError> {
    let files = trust_files(&trust.trust, trust.tsl.as_ref(), &trust.tsl_signer)?;
    let context = signet_api::Context::for_this_user();
    let report = signet_api::asice::asice_verify(&context, path, &files, trust.at)?;
    let verdict = if report.refused.is_some() {
        FileVerdict::Unreadable
    } else if report.signatures.is_empty() {
        FileVerdict::Judged(None)
    } else {
        FileVerdict::Judged(Some(report.indication))
    };
    Ok((report, verdict))
}

/// The text form of a verify report.
pub(crate) fn verify_text(report: &AsiceVerifyReport, subjects: bool) -> String {
    let mut out = format!("{}: {}", report.file, report.indication);
    if let Some(sub) = report.sub_indication {
        out.push_str(&format!(" / {sub:?}"));
    }
    out.push('\n');
    if let Some(why) = &report.refused {
        out.push_str(&format!("  refused: {why}\n"));
    }
    for f in &report.data_files {
        out.push_str(&format!(
            "  file {} ({}, {})\n",
            f.name,
            f.media_type,
            report::counted(f.size, "byte")
        ));
    }
    if report.signatures.is_empty() && report.refused.is_none() {
        out.push_str("  no signatures\n");
    }
    for s in &report.signatures {
        out.push_str(&format!(
            "  signature {} ({}): {}{}\n",
            s.id.as_deref().unwrap_or("?"),
            s.file,
            s.indication,
            s.sub_indication
                .map(|x| format!(" / {x:?}"))
                .unwrap_or_default()
        ));
        if let Some(signer) = &s.signer {
            out.push_str(&format!(
                "    signer: {}\n",
                signet_api::people::signer_line(signer, None, s.qualification.as_deref())
            ));
            if subjects {
                out.push_str(&format!("    subject: {signer}\n"));
            }
        }
        for (what, value) in [
            ("level", &s.level),
            ("qualification", &s.qualification),
            ("signing time (claimed)", &s.signing_time),
            ("time-stamp", &s.timestamp_time),
            ("OCSP produced at", &s.ocsp_produced_at),
            ("archive time-stamp", &s.archive_timestamp_time),
        ] {
            if let Some(v) = value {
                out.push_str(&format!("    {what}: {v}\n"));
            }
        }
        for e in &s.errors {
            out.push_str(&format!("    error: {e}\n"));
        }
        for w in &s.warnings {
            out.push_str(&format!("    warning: {w}\n"));
        }
    }
    for p in &report.problems {
        out.push_str(&format!("  problem: {p}\n"));
    }
    out
}

/// The container (and, for `add`, the files) looked at before anything is done: a PDF is not a
/// container, and an unreadable file is the same error whatever its name.
fn look_at(command: &AsiceCommand) -> Result<(), ApiError> {
    let (AsiceCommand::List { container }
    | AsiceCommand::Extract { container, .. }
    | AsiceCommand::Add { container, .. }) = command;
    if file_kind(container)? == FileKind::Pdf {
        return Err(signet_api::signing::pdf_not_container(container));
    }
    if let AsiceCommand::Add { files, .. } = command {
        crate::verify::kinds(files)?;
    }
    Ok(())
}

/// `signet asice …`.
pub(crate) fn run(command: &AsiceCommand, json: bool) -> Status {
    if let Err(err) = look_at(command) {
        return report::error(&err, json);
    }
    match command {
        AsiceCommand::List { container } => match signet_api::asice::asice_list(container) {
            Ok(listing) if json => report::print_json(&listing),
            Ok(listing) => {
                let mut text = String::new();
                for f in &listing.data_files {
                    text.push_str(&format!("{}\t{}\t{}\n", f.name, f.media_type, f.size));
                }
                for s in &listing.signatures {
                    text.push_str(&format!("{s}\t(signature)\n"));
                }
                for p in &listing.problems {
                    text.push_str(&format!("problem: {p}\n"));
                }
                report::text(&text)
            }
            Err(err) => report::error(&err, json),
        },
        AsiceCommand::Extract {
            container,
            names,
            out_dir,
        } => match signet_api::asice::asice_extract(container, names, out_dir) {
            Ok(paths) if json => report::print_json(&serde_json::json!({
                "extracted": paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>()
            })),
            Ok(paths) => report::text(
                &paths
                    .iter()
                    .map(|p| format!("{}\n", p.display()))
                    .collect::<String>(),
            ),
            Err(err) => report::error(&err, json),
        },
        AsiceCommand::Add { container, files } => {
            let context = signet_api::Context::for_this_user();
            match signet_api::asice::asice_add(&context, container, files) {
                Ok(()) if json => report::print_json(&serde_json::json!({
                    "container": container.display().to_string(),
                    "added": files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>()
                })),
                Ok(()) => report::text(&format!(
                    "added {} to {}\n",
                    report::counted(files.len(), "file"),
                    container.display()
                )),
                Err(err) => report::error(&err, json),
            }
        }
    }
}

/// The exit status for the reports of `signet verify`.
pub(crate) fn status(verdicts: Vec<FileVerdict>) -> Status {
    for_verdicts(verdicts)
}
