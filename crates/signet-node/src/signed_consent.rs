//! A consent change carrying the person's qualified signature: an ASiC-E container
//! (`Content-Type: application/vnd.etsi.asic-e+zip`) whose one data file, `consent.json`, is the
//! change ([`ConsentRequest`]), signed at B-LT (or B-LTA) with the card's signing key.
//!
//! The node validates it with signet-asic against the person CAs it trusts for login: one
//! signature, TOTAL-PASSED (path, key usage, embedded OCSP and time-stamp), covering
//! `consent.json`, and made by the session's person (`serialNumber` `PNOEE-…` of the signer).
//! Anything else is refused before the change is considered.

use std::path::PathBuf;

use axum::http::StatusCode;
use signet_asic::Container;
use signet_asic::xades::verify::{Trust, validate_container};
use signet_core::Indication;
use signet_data::consent::ConsentRequest;
use signet_data::entry::PersonCode;

use crate::http::ApiError;
use crate::{State, random};

/// The media type of a signed change.
pub(crate) const ASICE: &str = "application/vnd.etsi.asic-e+zip";
/// The data file holding the change.
pub(crate) const CONSENT_FILE: &str = "consent.json";

fn unprocessable(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

/// A temporary file removed when dropped.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The personal code in an RFC 4514 subject: the value of its `serialNumber` attribute
/// (`2.5.4.5`), `PNOEE-…`. Escaped commas stay inside their value.
fn personal_code(subject: &str) -> Option<PersonCode> {
    let mut parts = Vec::new();
    let (mut current, mut escaped) = (String::new(), false);
    for c in subject.chars() {
        match c {
            _ if escaped => {
                current.push(c);
                escaped = false;
            }
            '\\' => {
                current.push(c);
                escaped = true;
            }
            ',' | '+' => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    let codes: Vec<PersonCode> = parts
        .iter()
        .filter_map(|p| p.trim().split_once('='))
        .filter(|(k, _)| k.eq_ignore_ascii_case("serialNumber") || *k == "2.5.4.5")
        .filter_map(|(_, v)| v.strip_prefix("PNOEE-"))
        .filter_map(|d| PersonCode::new(&format!("EE{d}")).ok())
        .collect();
    match codes.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// Opens and validates a signed change; the change it carries.
pub(crate) fn open(
    state: &State,
    actor: &PersonCode,
    container: &[u8],
) -> Result<ConsentRequest, ApiError> {
    let name: String = random::<12>()?.iter().map(|b| format!("{b:02x}")).collect();
    let file = TempFile(std::env::temp_dir().join(format!("signet-node-consent-{name}.asice")));
    // Readable by the node alone: it names the person and their consent.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(&file.0)
        .and_then(|mut f| std::io::Write::write_all(&mut f, container))
        .map_err(|e| crate::NodeError::Internal(format!("a signed consent: {e}")))?;
    let bad = |why: String| ApiError::new(StatusCode::BAD_REQUEST, "bad_container", why);
    let opened =
        Container::open(&file.0).map_err(|e| bad(format!("not an ASiC-E container: {e}")))?;
    let files = opened.data_files();
    if files.len() != 1 || files[0].name != CONSENT_FILE {
        return Err(bad(format!(
            "the container must hold exactly one data file, {CONSENT_FILE}"
        )));
    }
    let bytes = opened
        .read_small(CONSENT_FILE, crate::MAX_BODY as u64)
        .map_err(|e| bad(format!("{CONSENT_FILE}: {e}")))?;
    let request: ConsentRequest = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::bad_request(format!("{CONSENT_FILE} is not a consent change: {e}"))
    })?;
    let report = validate_container(
        &opened,
        &Trust {
            anchors: state.person_anchors.clone(),
            list: None,
            now: state.clock.now(),
        },
    );
    let [signature] = report.signatures.as_slice() else {
        return Err(unprocessable(
            "signature_invalid",
            format!(
                "the container must hold one signature, not {}",
                report.signatures.len()
            ),
        ));
    };
    if report.indication != Indication::TotalPassed {
        tracing::warn!(indication = %report.indication, "a signed consent change did not validate");
        return Err(unprocessable(
            "signature_invalid",
            format!(
                "the signature is {}: {}",
                report.indication,
                signature.errors.first().map_or("", String::as_str)
            ),
        ));
    }
    if !matches!(signature.level.as_deref(), Some("B-LT" | "B-LTA"))
        || !signature.covers.iter().any(|c| c == CONSENT_FILE)
    {
        return Err(unprocessable(
            "signature_invalid",
            "the signature must be at B-LT or B-LTA and cover consent.json",
        ));
    }
    let signer = signature.signer.as_deref().and_then(personal_code);
    if signer.as_ref() != Some(actor) {
        tracing::warn!(
            "a signed consent change was signed by someone other than the session's person"
        );
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "signature_not_yours",
            "the consent change must be signed by the person who is logged in",
        ));
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::personal_code;

    #[test]
    fn the_personal_code_is_the_serial_number_attribute_alone() {
        let mari =
            "C=EE,CN=TAMM\\,MARI\\,38001085718,SN=TAMM,GN=MARI,serialNumber=PNOEE-38001085718";
        assert_eq!(personal_code(mari).unwrap().as_str(), "EE38001085718");
        assert_eq!(
            personal_code("CN=x,2.5.4.5=PNOEE-38001085718")
                .unwrap()
                .as_str(),
            "EE38001085718"
        );
        // A common name that spells an attribute is not one.
        assert_eq!(personal_code("CN=x\\,serialNumber=PNOEE-38001085718"), None);
        assert_eq!(
            personal_code("serialNumber=PNOEE-38001085718,serialNumber=PNOEE-49403136526"),
            None
        );
    }
}
