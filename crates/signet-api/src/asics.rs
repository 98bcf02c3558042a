//! `signet verify X.asics`: ASiC-S containers with a time-stamp token
//! ([`signet_asic::asics`]), reported in the words of the ASiC-E report (docs/asice-report.md):
//! the token appears as a "signature" whose `level` is `TST`, `signer` the time-stamping
//! authority and `timestampTime` its genTime.

use std::path::Path;
use std::time::SystemTime;

use signet_asic::AsicError;
use signet_asic::xades::verify::Trust;
use signet_core::{Indication, SubIndication};

use crate::ApiError;
use crate::asice::{AsiceVerifyReport, LoadedTrust};

/// Validates the ASiC-S container at `path` at `now`.
pub(crate) fn asics_verify(
    path: &Path,
    loaded: &LoadedTrust,
    now: SystemTime,
) -> Result<AsiceVerifyReport, ApiError> {
    let trust = Trust {
        anchors: loaded.anchors.clone(),
        list: loaded.list.as_ref(),
        now,
    };
    let file = path.display().to_string();
    let validation_time = signet_pki::time::Utc(now).to_string();
    match signet_asic::asics::validate(path, &trust) {
        Ok(r) => Ok(AsiceVerifyReport {
            file,
            indication: r.indication,
            sub_indication: r.sub_indication,
            refused: None,
            data_files: r.data_files,
            signatures: r.signatures,
            problems: Vec::new(),
            validation_time,
        }),
        Err(AsicError::Io { source, .. }) => Err(ApiError::from(source)),
        Err(e) => Ok(AsiceVerifyReport {
            file,
            indication: Indication::TotalFailed,
            sub_indication: Some(SubIndication::FormatFailure),
            refused: Some(e.to_string()),
            data_files: Vec::new(),
            signatures: Vec::new(),
            problems: Vec::new(),
            validation_time,
        }),
    }
}
