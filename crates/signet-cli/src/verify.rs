//! `signet verify`, `signet extend`: each file routed by its content to the PAdES (`pdf`) or
//! ASiC-E (`asice`) module.

use std::path::{Path, PathBuf};

use signet_api::ApiError;
use signet_api::input::{FileKind, file_kind};
use signet_core::Code;

use crate::args::{ExtendArgs, VerifyArgs};
use crate::exit::Status;
use crate::report;

/// What each file is, by its content (signet-api's `file_kind`), read before anything else: a
/// file that cannot be read is the same error whatever its name claims, and a file named `.pdf`
/// that is not a PDF is refused.
pub(crate) fn kinds(files: &[PathBuf]) -> Result<Vec<FileKind>, ApiError> {
    files.iter().map(|f| file_kind(f)).collect()
}

pub(crate) fn verify(args: &VerifyArgs, json: bool) -> Status {
    let kinds = match kinds(&args.files) {
        Ok(kinds) => kinds,
        Err(err) => return report::error(&err, json),
    };
    if kinds.iter().all(|k| *k == FileKind::Pdf) {
        return crate::pdf::verify(args, json);
    }
    let mut verdicts = Vec::new();
    let mut asice_reports = Vec::new();
    for (file, kind) in args.files.iter().zip(kinds) {
        match kind {
            FileKind::Pdf => {
                let err = ApiError::new(
                    Code::InvalidInput,
                    format!(
                        "{} is a PDF among ASiC-E containers: one command verifies either PDFs or containers",
                        file.display()
                    ),
                )
                .recommend("Verify the PDFs and the containers with separate commands.");
                return report::error(&err, json);
            }
            kind if crate::asice::is_container(file, kind) => {
                match crate::asice::verify_one(file, &args.trust) {
                    Ok((report, verdict)) => {
                        if !json {
                            let status =
                                report::text(&crate::asice::verify_text(&report, args.subjects));
                            if status != Status::Success {
                                return status;
                            }
                        }
                        asice_reports.push(report);
                        verdicts.push(verdict);
                    }
                    Err(err) => return report::error(&err, json),
                }
            }
            _ => return report::error(&neither(file), json),
        }
    }
    if json {
        let status = if asice_reports.len() == 1 {
            report::print_json(&asice_reports[0])
        } else {
            report::print_json(&asice_reports)
        };
        if status != Status::Success {
            return status;
        }
    }
    crate::asice::status(verdicts)
}

fn neither(file: &Path) -> ApiError {
    ApiError::new(
        Code::InvalidInput,
        format!(
            "{} is neither a PDF nor an ASiC-E container",
            file.display()
        ),
    )
    .recommend("Give signed PDFs or .asice/.bdoc containers.")
}

pub(crate) fn extend(args: &ExtendArgs, json: bool) -> Status {
    let kinds = match kinds(&args.files) {
        Ok(kinds) => kinds,
        Err(err) => return report::error(&err, json),
    };
    if kinds.iter().all(|k| *k == FileKind::Pdf) {
        return crate::pdf::extend(args, json);
    }
    if let Some((file, _)) =
        args.files.iter().zip(&kinds).find(|(file, kind)| {
            !crate::asice::is_container(file, **kind) && **kind != FileKind::Pdf
        })
    {
        return report::error(&neither(file), json);
    }
    if kinds.iter().all(|k| *k != FileKind::Pdf) {
        return crate::asice_extend::extend(args, json);
    }
    let err = ApiError::new(
        Code::InvalidInput,
        "signet extend takes either PDFs or ASiC-E containers, not both at once",
    )
    .recommend("Extend the PDFs and the containers in separate commands.");
    report::error(&err, json)
}
