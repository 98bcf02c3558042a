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
    match format_for(args) {
        Format::Pades => crate::pdf::sign(args, json),
        Format::Asice => report::error(&signet_api::not_built("signet sign --format asice"), json),
    }
}

fn all_pdf(files: &[std::path::PathBuf]) -> bool {
    files.iter().all(|f| matches!(sniff(f), Ok(Sniffed::Pdf)))
}

pub(crate) fn verify(args: &VerifyArgs, json: bool) -> Status {
    if all_pdf(&args.files) {
        return crate::pdf::verify(args, json);
    }
    report::error(&signet_api::not_built("signet verify"), json)
}

pub(crate) fn extend(args: &ExtendArgs, json: bool) -> Status {
    if all_pdf(&args.files) {
        return crate::pdf::extend(args, json);
    }
    report::error(&signet_api::not_built("signet extend"), json)
}
