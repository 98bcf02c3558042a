//! A consent change the agency wants signed — the node answers HTTP 422 `signature_required`
//! for a data set whose law asks for the person's qualified signature: the same change, as
//! `consent.json` in an ASiC-E container at B-LT signed with the person's signing key (the ID
//! card's PIN2, with the PIN request saying what is signed), is sent again with the same
//! idempotency key. The container is made in a private temporary folder and removed after.

use signet_core::BaselineLevel;

use crate::asice::{AsiceSignRequest, asice_sign_hooked};
use crate::signing::{Hooks, Settings};

use super::transport::Answer;
use super::*;

/// The media type of a signed change.
pub(super) const ASICE: &str = "application/vnd.etsi.asic-e+zip";

/// Whether the node refused the change because it must be signed.
pub(super) fn signature_required(answer: &Answer) -> bool {
    answer.status == 422
        && serde_json::from_slice::<serde_json::Value>(&answer.body)
            .ok()
            .is_some_and(|v| v["error"] == "signature_required")
}

/// `body` (the change's JSON) as `consent.json` in a new ASiC-E container at B-LT, signed by
/// the token `spec` names with the settings' time-stamping authority and trust.
pub(super) fn signed_change(
    context: &Context,
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
    body: &[u8],
) -> Result<Vec<u8>, ApiError> {
    let settings = Settings::resolve(context, None, None)?;
    if settings.tsa.is_none() {
        return Err(ApiError::new(
            Code::InvalidInput,
            "this consent must be signed at B-LT, which needs a time-stamping authority",
        )
        .recommend("Set a time-stamping service in Settings, then change the consent again."));
    }
    let dir = tempfile::Builder::new()
        .prefix("signet-consent-")
        .tempdir()
        .map_err(|e| {
            ApiError::new(
                Code::Io,
                format!("no temporary folder for the signed consent: {e}"),
            )
            .recommend("Check that the temporary folder is writable and not full.")
        })?;
    let file = dir.path().join("consent.json");
    std::fs::write(&file, body).map_err(|e| {
        ApiError::new(
            Code::Io,
            format!("the consent cannot be written for signing: {e}"),
        )
        .recommend("Check that the temporary folder is writable and not full.")
    })?;
    let out = dir.path().join("consent.asice");
    let request = AsiceSignRequest {
        files: vec![file],
        out: out.clone(),
        add_to: None,
        level: BaselineLevel::B_LT,
        tsa: settings.tsa.clone(),
        trust: settings.trust.clone(),
        chain: Vec::new(),
        replace_existing: false,
        seen: Vec::new(),
        expected_sha256: Vec::new(),
    };
    let mut token = open_token(spec, ask)?;
    let fetch = crate::http::HttpFetch::default();
    asice_sign_hooked(
        context,
        &fetch,
        &request,
        token.as_mut(),
        ask,
        &Hooks::none(),
    )?;
    tracing::info!("consent change signed for the agency");
    std::fs::read(&out).map_err(|e| {
        ApiError::new(
            Code::Io,
            format!("the signed consent cannot be read back: {e}"),
        )
        .recommend("Try again; if it keeps failing, report it with the log file.")
    })
}
