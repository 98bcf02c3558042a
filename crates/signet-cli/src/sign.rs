//! `signet sign`, `signet verify`, `signet extend`: which format each file is, then the PAdES
//! (`pdf`) or ASiC-E (`asice`) module does the work.

use std::io::Read as _;
use std::path::Path;

use crate::args::{ExtendArgs, Format, SignArgs, VerifyArgs};
use crate::exit::Status;
use crate::report;

/// What a file is, by its first bytes (its name is only a hint).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sniffed {
    /// `%PDF-` within the first 1024 bytes.
    Pdf,
    /// A ZIP archive: an ASiC-E container when it is signed.
    Zip,
    /// Anything else.
    Other,
}

/// Reads the first bytes of `path` and says what it is.
pub(crate) fn sniff(path: &Path) -> std::io::Result<Sniffed> {
    let mut head = Vec::with_capacity(1024);
    std::fs::File::open(path)?
        .take(1024)
        .read_to_end(&mut head)?;
    Ok(if head.windows(5).any(|w| w == b"%PDF-") {
        Sniffed::Pdf
    } else if head.starts_with(b"PK\x03\x04") {
        Sniffed::Zip
    } else {
        Sniffed::Other
    })
}

/// The format `signet sign` uses when `--format` is not given: PAdES when every file is a PDF,
/// ASiC-E otherwise (and always when adding to a container).
pub(crate) fn format_for(args: &SignArgs) -> Format {
    if let Some(format) = args.format {
        return format;
    }
    if args.add_to.is_some() || args.container.is_some() {
        return Format::Asice;
    }
    let all_pdf = args
        .files
        .iter()
        .all(|f| matches!(sniff(f), Ok(Sniffed::Pdf)));
    if all_pdf {
        Format::Pades
    } else {
        Format::Asice
    }
}

pub(crate) fn sign(args: &SignArgs, json: bool) -> Status {
    // A missing input is reported before any PIN is asked (files named with --add-to are
    // already in the container).
    if args.add_to.is_none()
        && let Some(missing) = args.files.iter().find(|f| !f.is_file())
    {
        let err = signet_api::ApiError::new(
            signet_core::Code::FileNotFound,
            format!("{}: no such file", missing.display()),
        )
        .recommend("Check that the file exists and the name is spelled right.");
        return crate::report::error(&err, json);
    }
    match format_for(args) {
        Format::Pades => crate::pdf::sign(args, json),
        Format::Asice => crate::asice::sign(args, json),
    }
}

fn all_pdf(files: &[std::path::PathBuf]) -> bool {
    files.iter().all(|f| matches!(sniff(f), Ok(Sniffed::Pdf)))
}

pub(crate) fn verify(args: &VerifyArgs, json: bool) -> Status {
    if all_pdf(&args.files) {
        return crate::pdf::verify(args, json);
    }
    let mut verdicts = Vec::new();
    let mut asice_reports = Vec::new();
    for file in &args.files {
        match sniff(file) {
            Ok(Sniffed::Zip) | Ok(Sniffed::Other) if crate::asice::is_container(file) => {
                match crate::asice::verify_one(file, &args.trust) {
                    Ok((report, verdict)) => {
                        if !json {
                            let status = report::text(&crate::asice::verify_text(&report));
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
            Ok(Sniffed::Pdf) => {
                let err = signet_api::ApiError::new(
                    signet_core::Code::InvalidInput,
                    format!(
                        "{} is a PDF among ASiC-E containers: one command verifies either PDFs or containers",
                        file.display()
                    ),
                )
                .recommend("Verify the PDFs and the containers with separate commands.");
                return report::error(&err, json);
            }
            Ok(Sniffed::Other | Sniffed::Zip) => {
                let err = signet_api::ApiError::new(
                    signet_core::Code::InvalidInput,
                    format!(
                        "{} is neither a PDF nor an ASiC-E container",
                        file.display()
                    ),
                )
                .recommend("Give signed PDFs or .asice/.bdoc containers.");
                return report::error(&err, json);
            }
            Err(e) => {
                let mut err = signet_api::ApiError::from(e);
                err.message = format!("{}: {}", file.display(), err.message);
                return report::error(&err, json);
            }
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

pub(crate) fn extend(args: &ExtendArgs, json: bool) -> Status {
    if all_pdf(&args.files) {
        return crate::pdf::extend(args, json);
    }
    if args
        .files
        .iter()
        .all(|f| !matches!(sniff(f), Ok(Sniffed::Pdf | Sniffed::Other)))
    {
        return crate::asice_extend::extend(args, json);
    }
    let err = signet_api::ApiError::new(
        signet_core::Code::InvalidInput,
        "signet extend takes either PDFs or ASiC-E containers, not both at once (or a file that is neither)",
    )
    .recommend("Extend the PDFs and the containers in separate commands.");
    report::error(&err, json)
}
