//! `extend`: raises the signatures of signed documents — PDFs and containers, in any mix — to
//! B-LT or B-LTA, each in place, atomically. What a file is comes from its content
//! ([`crate::verification::signed_format`]); the time-stamping authority and the trust by the
//! settings' precedence (the request, the profile, the person's settings). Each file reports the
//! level validation of the result found ([`crate::reached`]), never the level asked for.

use std::path::PathBuf;

use serde::Serialize;
use signet_core::{BaselineLevel, Code, Fetch, Indication};

use crate::job::{JobControl, Phase, Position};
use crate::signing::{Overrides, Settings, TrustPaths};
use crate::verification::{DocumentFormat, signed_format};
use crate::{ApiError, Context};

/// What to extend.
#[derive(Debug, Clone)]
pub struct ExtendRequest {
    /// The signed documents, in order.
    pub files: Vec<PathBuf>,
    /// The level to reach: B-LT or B-LTA.
    pub level: BaselineLevel,
    /// The time-stamping authority's address (the settings' when none).
    pub tsa: Option<String>,
    /// What to trust instead of the settings' (the profile's).
    pub trust: Option<TrustPaths>,
}

/// One signature after `extend`.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ExtendedSignature {
    /// Which signature: the container's signature entry (`META-INF/signatures0.xml`), or the
    /// PDF's signature field (`Signature1`).
    pub name: String,
    /// A container signature's `Id`; none in a PDF.
    pub id: Option<String>,
    /// The level it had (`B-B` … `B-LTA`; `none` when it was at no baseline level).
    pub from: String,
    /// The level validation found in the document written.
    pub level: Option<String>,
    /// Whether Signet changed it (false: it was at the level asked for already).
    pub extended: bool,
    /// The verdict on it in the document written.
    pub indication: Indication,
    /// When the archive time-stamp over it was made (B-LTA).
    pub archive_timestamp_time: Option<String>,
}

/// One document after `extend`.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ExtendedFile {
    /// The document as given.
    pub file: String,
    /// What it is.
    pub format: DocumentFormat,
    /// The level asked for.
    pub level: BaselineLevel,
    /// The lowest level of its signatures, as validation of the result found it.
    pub reached: Option<String>,
    /// Whether the document was replaced (false: every signature was at the level already).
    pub written: bool,
    /// Each signature.
    pub signatures: Vec<ExtendedSignature>,
}

/// What `extend` did.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ExtendOutcome {
    /// Every document, in the order given.
    pub extended: Vec<ExtendedFile>,
}

/// Extends every document of `request`, in order; stops at the first that cannot be extended
/// (those before it stay extended). Every file's format is known, and every file found
/// readable, before any is changed.
pub fn extend(
    context: &Context,
    request: &ExtendRequest,
    fetch: &dyn Fetch,
    job: &JobControl,
) -> Result<ExtendOutcome, ApiError> {
    if request.files.is_empty() {
        return Err(ApiError::new(Code::InvalidInput, "no files to extend")
            .recommend("Choose signed PDFs or containers (.asice, .bdoc)."));
    }
    if !request.level.has_validation_data() {
        return Err(ApiError::new(
            Code::InvalidInput,
            format!("extend makes B-LT or B-LTA, not {}", request.level),
        )
        .recommend("Use --level B-LT or --level B-LTA."));
    }
    let formats = request
        .files
        .iter()
        .map(|f| signed_format(f))
        .collect::<Result<Vec<_>, _>>()?;
    let settings = Settings::resolve_with(
        context,
        &Overrides {
            tsa: request.tsa.clone(),
            trust: request.trust.clone(),
            ..Overrides::default()
        },
    )?;
    let tsa = settings.tsa.as_deref();
    if request.level == BaselineLevel::B_LTA && tsa.is_none() {
        return Err(
            ApiError::new(Code::InvalidInput, "B-LTA needs a time-stamping authority")
                .recommend("Give one with --tsa URL."),
        );
    }
    let total = u32::try_from(request.files.len()).unwrap_or(u32::MAX);
    let mut extended = Vec::new();
    for (i, (path, format)) in request.files.iter().zip(formats).enumerate() {
        job.check()?;
        job.phase(
            Phase::Revocation,
            path.file_name().and_then(|n| n.to_str()),
            Some(Position {
                n: u32::try_from(i + 1).unwrap_or(u32::MAX),
                of: total,
            }),
        );
        let done = match format {
            DocumentFormat::Pdf => crate::pades_extend::pades_extend(
                context,
                path,
                request.level,
                tsa,
                &settings.trust,
                fetch,
            )?,
            DocumentFormat::Container => crate::asice_extend::asice_extend(
                context,
                fetch,
                path,
                request.level,
                tsa,
                &settings.trust,
            )?,
        };
        tracing::info!(n = i + 1, of = total, format = ?format, written = done.written, "extended");
        extended.push(done);
    }
    Ok(ExtendOutcome { extended })
}
