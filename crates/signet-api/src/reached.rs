//! The level a signed output reached — never the level that was asked for. `sign` and `extend`
//! validate what they made (offline, with the trust they used) and report the level found; when
//! it is below the level asked for, [`require`] says why, and the caller exits with an error.
//!
//! One check for both formats and both operations: a PDF's level is the one its validation
//! gives the signatures judged ([`Reached::of_pdf`]), a container's the one its validation gives
//! the signatures judged ([`Reached::of_container`]).

use std::path::Path;

use signet_core::{BaselineLevel, Code};
use signet_pades::validate;
use signet_pki::{Cert, TrustAnchors};

use crate::asice::AsiceVerifyReport;
use crate::{ApiError, Context};

/// What validation of a signed document found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reached {
    /// The lowest baseline level of the signatures judged; `None` when one is at none (or
    /// there was no signature to judge).
    pub(crate) level: Option<BaselineLevel>,
}

/// Which signatures of a PDF are judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PdfSignatures {
    /// Every signature (not document time-stamps): an extended file.
    All,
    /// The last signature in the file: the one just made (document time-stamps come after it).
    Newest,
}

/// What a PDF is validated with: the trust its signing or extending used.
pub(crate) struct PdfTrust<'a> {
    /// The anchors.
    pub(crate) anchors: &'a TrustAnchors,
    /// Certificates completing chains (the chain given, the anchors, the list's CAs).
    pub(crate) pool: &'a [Cert],
    /// The trusted list, verified.
    pub(crate) list: Option<&'a signet_pki::tsl::TrustedList>,
}

fn parse(level: Option<&str>) -> Option<BaselineLevel> {
    level.and_then(|l| l.parse::<BaselineLevel>().ok())
}

/// The validation of the PDF `bytes`, offline, now, with `trust`.
pub(crate) fn validate_pdf(
    context: &Context,
    bytes: &[u8],
    trust: &PdfTrust<'_>,
) -> validate::Report {
    let options = validate::Options {
        anchors: trust.anchors,
        intermediates: trust.pool.to_vec(),
        at: context.clock().now(),
        online: None,
        ocsp_policy: Default::default(),
        trusted_list: trust.list,
    };
    validate::validate(bytes, &options)
}

impl Reached {
    /// The level of a PDF's validation `report` ([`validate_pdf`]).
    pub(crate) fn of_pdf(report: &validate::Report, which: PdfSignatures) -> Self {
        let mut signatures = report.signatures.iter().filter(|s| s.kind == "signature");
        let level = match which {
            PdfSignatures::All => signatures
                .map(|s| parse(s.level.as_deref()))
                .min()
                .flatten(),
            PdfSignatures::Newest => signatures
                .next_back()
                .and_then(|s| parse(s.level.as_deref())),
        };
        Self { level }
    }

    /// The level of the signatures of a container's validation `report`: only the signature
    /// entry `entry` when given (the one just made), else all of them.
    pub(crate) fn of_container(report: &AsiceVerifyReport, entry: Option<&str>) -> Self {
        let level = report
            .signatures
            .iter()
            .filter(|s| entry.is_none_or(|e| s.file == e))
            .map(|s| parse(s.level.as_deref()))
            .min()
            .flatten();
        Self { level }
    }

    /// The level, as a person reads it.
    pub(crate) fn shown(&self) -> &'static str {
        self.level
            .map_or("no baseline level", BaselineLevel::as_str)
    }
}

/// What became of the document whose level fell short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shortfall {
    /// It was signed and the output written (it stays: a signature at the level reached).
    Signed,
    /// Extending it would reach less: nothing was written.
    NotWritten,
}

/// Why a signature is at `reached` and not higher, and what to do: by the first step missing.
fn why(reached: Option<BaselineLevel>, shortfall: Shortfall) -> (&'static str, &'static str) {
    match reached {
        None => (
            ": no signature at a baseline level was found",
            "Run signet verify on it to see why.",
        ),
        Some(BaselineLevel::B_B) if shortfall == Shortfall::NotWritten => (
            ": a signature without a signature time-stamp stays B-B with its validation data added",
            "Extend it to B-LTA with a time-stamping authority: the document time-stamp proves when the signature existed.",
        ),
        Some(BaselineLevel::B_B) => (
            ": the signature carries no time-stamp that verifies with what Signet was told to trust",
            "Check the time-stamping authority and the trust settings (--tsa, --trust, --tsl); extend the file later with a time-stamping authority.",
        ),
        Some(BaselineLevel::B_T) => (
            ": the file holds no revocation data for the signer (the signer's issuer or OCSP responder was not found with the trust given)",
            "Give the signer's CA certificates (--chain, --trust) or a trusted list (--tsl), then extend the file.",
        ),
        Some(_) => (
            ": no document time-stamp covers the validation data",
            "Check the time-stamping authority and the trust settings, then extend the file to B-LTA.",
        ),
    }
}

/// `Ok(level reached)` when `reached` is at `asked` or above; otherwise the error that says
/// what was reached, why not more, and what became of `file`.
pub(crate) fn require(
    file: &Path,
    asked: BaselineLevel,
    reached: &Reached,
    shortfall: Shortfall,
) -> Result<BaselineLevel, ApiError> {
    match reached.level {
        Some(level) if level >= asked => Ok(level),
        level => {
            let shown = reached.shown();
            let (why, what_to_do) = why(level, shortfall);
            // The person reads it in the error; the log keeps it (info: not repeated on stderr).
            tracing::info!(asked = %asked, reached = shown, "level not reached");
            let message = match shortfall {
                Shortfall::Signed => format!(
                    "{}: signed, but the signature validates at {shown}, not {asked}{why}. The signed file stays: it holds a complete signature at {shown}",
                    file.display()
                ),
                Shortfall::NotWritten => format!(
                    "{}: extended, its signatures would reach {shown}, not {asked}{why}; nothing was written",
                    file.display()
                ),
            };
            Err(ApiError::new(Code::InvalidInput, message).recommend(what_to_do))
        }
    }
}

/// `err`, for a document left as it was, saying the level it stays at.
pub(crate) fn stays_at(mut err: ApiError, reached: &Reached) -> ApiError {
    err.message = format!("{} (it stays at {})", err.message, reached.shown());
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_reached_is_said_never_the_level_asked() {
        let file = Path::new("a.signed.pdf");
        let at = |level| Reached { level };
        assert_eq!(
            require(
                file,
                BaselineLevel::B_LT,
                &at(Some(BaselineLevel::B_LTA)),
                Shortfall::Signed
            )
            .unwrap(),
            BaselineLevel::B_LTA
        );
        let err = require(
            file,
            BaselineLevel::B_LT,
            &at(Some(BaselineLevel::B_T)),
            Shortfall::Signed,
        )
        .unwrap_err();
        assert_eq!(err.code, Code::InvalidInput);
        assert!(
            err.message.contains("validates at B-T, not B-LT")
                && err.message.contains("no revocation data")
                && err.message.contains("The signed file stays"),
            "{err}"
        );
        let err = require(file, BaselineLevel::B_LT, &at(None), Shortfall::NotWritten).unwrap_err();
        assert!(
            err.message
                .contains("would reach no baseline level, not B-LT")
                && err.message.ends_with("nothing was written"),
            "{err}"
        );
    }
}
