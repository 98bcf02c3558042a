//! The level a batch's output reached, found by validating it as `sign` validates its own
//! ([`crate::reached`]): offline, now, with the trust signing used. A file below the level
//! asked for is reported with why; its output stays (a complete signature at the level
//! reached) and the journal records that level, so running the batch again never counts it
//! as done at the level asked.

use std::path::Path;

use signet_core::BaselineLevel;

use crate::asice::TrustFiles;
use crate::pades::PadesSigner;
use crate::reached::{self, PdfSignatures, Reached, Shortfall};
use crate::{ApiError, Context};

/// The level of the newest signature of the signed PDF at `output`.
pub(super) fn of_pdf(context: &Context, output: &Path, signer: &PadesSigner) -> Reached {
    match std::fs::read(output) {
        Ok(bytes) => Reached::of_pdf(
            &reached::validate_pdf(context, &bytes, &signer.trust()),
            PdfSignatures::Newest,
        ),
        Err(e) => {
            tracing::warn!(error = %e, "a batch output cannot be read back to validate it");
            Reached { level: None }
        }
    }
}

/// The level of the signature entry `signature` of the container at `output`.
pub(super) fn of_container(
    context: &Context,
    output: &Path,
    trust: &TrustFiles,
    signature: &str,
) -> Reached {
    match crate::asice::asice_verify(context, output, trust, None) {
        Ok(report) => Reached::of_container(&report, Some(signature)),
        Err(e) => {
            tracing::warn!(code = %e.code, "a batch output cannot be validated");
            Reached { level: None }
        }
    }
}

/// `Ok(level reached)` at the level `asked` or above; otherwise the level reached and the error
/// that says why and that the output stays.
pub(super) fn judge(
    output: &Path,
    asked: BaselineLevel,
    reached: &Reached,
) -> Result<BaselineLevel, (Option<BaselineLevel>, ApiError)> {
    reached::require(output, asked, reached, Shortfall::Signed).map_err(|e| (reached.level, e))
}

/// The refusal of an output an earlier run signed below the level now asked for.
pub(super) fn signed_below(
    output: &Path,
    level: Option<BaselineLevel>,
    asked: BaselineLevel,
) -> ApiError {
    let shown = level.map_or("no baseline level", BaselineLevel::as_str);
    ApiError::new(
        signet_core::Code::InvalidInput,
        format!(
            "{} was signed by an earlier run of this batch, but at {shown}, not {asked}: Signet does not overwrite it",
            output.display()
        ),
    )
    .recommend(format!(
        "Extend it with `signet extend {} --level {asked}` once what it lacked is given, or move it away and run the same command again.",
        output.display()
    ))
}
