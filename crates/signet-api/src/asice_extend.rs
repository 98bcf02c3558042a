//! `signet extend X.asice --level B-LT|B-LTA` (issue 17 item 7): raises every signature of a
//! container to the level asked for ([`signet_asic::extend`]), validates the result, and only
//! then puts it in place of the container, atomically.
//!
//! - The container is validated first: a signature that fails (TOTAL-FAILED) is not extended.
//! - B-B and B-T signatures are taken through B-LT as signing does: a time-stamp first (B-B),
//!   then the signer's OCSP answer, produced after it, with the CA certificates and CRLs.
//! - The extended container is written to a temporary file next to the container and
//!   validated with the same trust: unless every signature is TOTAL-PASSED at the level asked
//!   for, the error says why and the container is left as it was. It replaces the container
//!   only if the container did not change meanwhile.

use std::path::Path;

use signet_asic::extend::extend_container;
use signet_asic::xades::sign::Services;
use signet_core::{BaselineLevel, Code, Fetch, Indication};
use signet_pki::ocsp::{ListedResponder, OcspPolicy};
use signet_pki::{PathValidator, TrustAnchors};

use crate::asice::{TrustFiles, asic_error, asice_verify, load_trust};
use crate::extending::{ExtendedFile, ExtendedSignature};
use crate::output::{InputSeen, Placement};
use crate::reached::{self, Reached, Shortfall};
use crate::verification::DocumentFormat;
use crate::{ApiError, Context};

/// Extends every signature of the container at `path` to `level` (B-LT or B-LTA), in place.
/// `tsa` is needed for B-LTA and for a B-B signature; `trust` says what the time-stamp, the
/// signer's issuer and the OCSP responder are judged against, and validates the result.
pub fn asice_extend(
    context: &Context,
    fetch: &dyn Fetch,
    path: &Path,
    level: BaselineLevel,
    tsa: Option<&str>,
    trust: &TrustFiles,
) -> Result<ExtendedFile, ApiError> {
    if !level.has_validation_data() {
        return Err(ApiError::new(
            Code::InvalidInput,
            format!("extend makes B-LT or B-LTA, not {level}"),
        )
        .recommend("Use --level B-LT or --level B-LTA."));
    }
    if level == BaselineLevel::B_LTA && tsa.is_none() {
        return Err(
            ApiError::new(Code::InvalidInput, "B-LTA needs a time-stamping authority")
                .recommend("Give one with --tsa URL."),
        );
    }
    if signet_asic::asics::is_asics(path) {
        return Err(
            crate::not_built("renewing the time-stamp of an ASiC-S container").recommend(format!(
                "{} was not changed. signet verify validates it; extend takes ASiC-E containers and PDFs.",
                path.display()
            )),
        );
    }
    let seen = InputSeen::of(path);
    let loaded = load_trust(trust)?;
    let now = context.clock().now();
    let mut anchors = TrustAnchors::new(loaded.anchors.iter().cloned());
    let mut intermediates = Vec::new();
    if let Some(list) = &loaded.list {
        for a in list.anchors(now).iter() {
            anchors.push(a.clone());
        }
        intermediates.extend(list.certificates_of(signet_pki::tsl::SVC_CA_QC));
    }
    if anchors.iter().next().is_none() {
        return Err(ApiError::new(
            Code::InvalidInput,
            "extending checks the time-stamp, finds the signer's issuer and OCSP responder, and validates the result: Signet needs to know what to trust",
        )
        .recommend("Give --tsl with --tsl-signer, or --trust with the CA certificates."));
    }

    // A failing signature is not extended: a time-stamp would only preserve a failure.
    let before = asice_verify(context, path, trust, None)?;
    if let Some(refused) = &before.refused {
        return Err(ApiError::new(
            Code::InvalidInput,
            format!("{} is refused: {refused}", path.display()),
        )
        .recommend("Signet extends only containers it can validate."));
    }
    if let Some(bad) = before
        .signatures
        .iter()
        .find(|s| s.indication == Indication::TotalFailed)
    {
        return Err(ApiError::new(
            Code::InvalidInput,
            format!(
                "{}: the signature {} fails ({}): Signet does not extend a failing signature",
                path.display(),
                bad.id.as_deref().unwrap_or(&bad.file),
                bad.errors
                    .first()
                    .map(String::as_str)
                    .unwrap_or("TOTAL-FAILED")
            ),
        )
        .recommend("Run signet verify on it to see why."));
    }

    let validator = PathValidator::new(&anchors, intermediates);
    let services = Services {
        fetch,
        clock: context.clock(),
        tsa_url: tsa,
        validator: &validator,
        ocsp_policy: OcspPolicy {
            listed_responders: loaded
                .list
                .as_ref()
                .map(|l| ListedResponder::from_list(l, now))
                .unwrap_or_default(),
            ..OcspPolicy::default()
        },
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temp = tempfile::Builder::new()
        .prefix(".signet-extend-")
        .suffix(".asice")
        .tempfile_in(dir)?;
    let mut unchanged = || {
        if seen.unchanged() {
            Ok(())
        } else {
            Err(signet_asic::AsicError::InputChanged(path.to_owned()))
        }
    };
    let done = extend_container(
        path,
        temp.path(),
        level,
        &services,
        Placement::Replace,
        &mut unchanged,
    )
    .map_err(|e| reached::stays_at(extend_error(path, e), &Reached::of_container(&before, None)))?;
    let written = done.iter().any(|d| d.changed);
    let checked = if written { temp.path() } else { path };

    // The result is judged with the same trust before it replaces anything.
    let after = asice_verify(context, checked, trust, None)?;
    let mut signatures = Vec::new();
    let mut problems = Vec::new();
    for d in &done {
        let report = after
            .signatures
            .iter()
            .find(|s| s.file == d.entry && s.id == d.id);
        match report {
            Some(r) if r.indication == Indication::TotalPassed => {}
            Some(r) => problems.push(format!(
                "{} is {} at {}{}",
                r.id.as_deref().unwrap_or(&r.file),
                r.indication,
                r.level.as_deref().unwrap_or("no level"),
                r.errors
                    .first()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default()
            )),
            None => problems.push(format!("{} is missing from the result", d.entry)),
        }
        signatures.push(ExtendedSignature {
            name: d.entry.clone(),
            id: d.id.clone(),
            from: d.from.to_string(),
            level: report.and_then(|r| r.level.clone()),
            extended: d.changed,
            indication: report.map_or(Indication::Indeterminate, |r| r.indication),
            archive_timestamp_time: report.and_then(|r| r.archive_timestamp_time.clone()),
        });
    }
    if after.refused.is_some() || !problems.is_empty() {
        if let Some(r) = &after.refused {
            problems.insert(0, r.clone());
        }
        let what = if written {
            "the extended container does not validate"
        } else {
            "the container does not validate"
        };
        return Err(ApiError::new(
            Code::InvalidInput,
            format!(
                "{}: {what} at {level}: {}; {} was left as it was",
                path.display(),
                problems.join("; "),
                path.display()
            ),
        )
        .recommend("Check what Signet was told to trust (--tsl, --trust) and run signet verify on the container."));
    }
    // Every signature at the level asked for, by the one check `sign` makes too.
    let reached = reached::require(
        path,
        level,
        &Reached::of_container(&after, None),
        Shortfall::NotWritten,
    )?;
    if written {
        if !seen.unchanged() {
            return Err(ApiError::input_changed(path));
        }
        // The container keeps its permissions (the temporary file is private).
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(temp.path(), meta.permissions())?;
        }
        signet_fs::persist(temp, path, Placement::Replace).map_err(|e| {
            ApiError::new(
                Code::Io,
                format!(
                    "{}: the extended container could not replace it: {e}",
                    path.display(),
                ),
            )
        })?;
        let _ = signet_fs::sync_folder(dir);
    }
    tracing::info!(file = %path.display(), level = %level, written, "container extended");
    Ok(ExtendedFile {
        file: path.display().to_string(),
        format: DocumentFormat::Container,
        level,
        reached: Some(reached.to_string()),
        written,
        signatures,
    })
}

fn extend_error(path: &Path, e: signet_asic::session::SessionError) -> ApiError {
    use signet_asic::session::SessionError as E;
    match e {
        E::InputChanged(_) | E::Container(signet_asic::AsicError::InputChanged(_)) => {
            ApiError::input_changed(path)
        }
        E::Container(c) => asic_error(path, &c),
        E::Sign(s) => ApiError::new(
            Code::Network,
            format!("{}: {s}; the container was left as it was", path.display()),
        )
        .recommend(
            "Check the time-stamping authority and the OCSP responder, and what Signet was told to trust.",
        ),
        other => ApiError::new(Code::Internal, other.to_string()),
    }
}
