//! Extending a signed PDF to B-LT or B-LTA: validation data for every signature and document
//! time-stamp in a `/DSS` revision, and for B-LTA a document time-stamp over it, written back in
//! place, atomically — and only when validation of the result finds the level asked for
//! ([`crate::reached`]).

use std::io::Write as _;
use std::path::Path;

use signet_core::{BaselineLevel, Code, Fetch};
use signet_pades::ltv::{self, ValidationData};
use signet_pades::validate;

use crate::asice::TrustFiles;
use crate::extending::{ExtendedFile, ExtendedSignature};
use crate::output::{InputSeen, Placement, write_atomically};
use crate::pades::{pades_error, signing_trust, timestamper};
use crate::reached::{self, PdfSignatures, PdfTrust, Reached, Shortfall};
use crate::verification::DocumentFormat;
use crate::{ApiError, Context};

/// Adds validation data for every signature and document time-stamp (B-LT) and, for B-LTA, a
/// document time-stamp over it, to the PDF at `path`, written back atomically. Chains are built
/// to the anchors in `trust` and, when given, to its trusted list's. What is reported is what
/// validation of the result found; below `level`, nothing is written and the error says why.
pub fn pades_extend(
    context: &Context,
    path: &Path,
    level: BaselineLevel,
    tsa: Option<&str>,
    trust: &TrustFiles,
    fetch: &dyn Fetch,
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
    let seen = InputSeen::of(path);
    let bytes = std::fs::read(path).map_err(|e| crate::input::unreadable(path, &e))?;
    let doc = signet_pdf::Document::open(&bytes)
        .map_err(|e| pades_error(signet_pades::PadesError::Pdf(e)))?;
    let anchor_bytes: Vec<Vec<u8>> = trust.trust.iter().map(|f| f.bytes.clone()).collect();
    let (pool, anchors) = signing_trust(context, &anchor_bytes, &[], trust.list.as_ref())?;
    let list = trust
        .list
        .as_ref()
        .map(crate::asice::load_list)
        .transpose()?;
    let pdf_trust = PdfTrust {
        anchors: &anchors,
        pool: &pool,
        list: list.as_ref(),
    };
    let before = reached::validate_pdf(context, &bytes, &pdf_trust);
    let stays = Reached::of_pdf(&before, PdfSignatures::All);
    let mut all = ValidationData::default();
    let mut per = Vec::new();
    let contents = signature_contents(&doc);
    if contents.is_empty() {
        return Err(ApiError::new(
            Code::InvalidInput,
            format!("{} has no signature to extend", path.display()),
        ));
    }
    for c in &contents {
        let der_len = validate::der_length(c).unwrap_or(c.len());
        let mut targets = ltv::certificates_to_cover(&c[..der_len]);
        if targets.is_empty() {
            continue;
        }
        let mut p = pool.clone();
        p.extend(targets.iter().cloned());
        targets.dedup_by(|a, b| a.der() == b.der());
        let data = ltv::collect(fetch, context.clock(), &targets, &p, &Default::default())
            .map_err(|e| reached::stays_at(pades_error(e), &stays))?;
        all.merge(&data);
        per.push((c.clone(), data));
    }
    let mut out = ltv::add_dss(&bytes, &all, &per).map_err(pades_error)?;
    if level == BaselineLevel::B_LTA
        && let Some(url) = tsa
    {
        let mut ts = timestamper(fetch, context, url, &anchors, &pool);
        out = ltv::add_document_timestamp(&out, &mut ts, 12_000)
            .map_err(|e| reached::stays_at(pades_error(e), &stays))?;
    }
    let after = reached::validate_pdf(context, &out, &pdf_trust);
    let reached = reached::require(
        path,
        level,
        &Reached::of_pdf(&after, PdfSignatures::All),
        Shortfall::NotWritten,
    )?;
    // In place by design, but only over the very bytes that were extended.
    seen.holds(&bytes)?;
    write_atomically(path, Placement::Replace, |f| f.write_all(&out))?;
    let archive_time = after
        .signatures
        .iter()
        .rev()
        .find(|s| s.kind == "document-timestamp")
        .and_then(|s| s.timestamps.iter().find(|t| t.valid))
        .map(|t| t.time.clone())
        .filter(|_| level == BaselineLevel::B_LTA);
    let signatures = after
        .signatures
        .iter()
        .filter(|s| s.kind == "signature")
        .map(|s| ExtendedSignature {
            name: s.field.clone(),
            id: None,
            from: before
                .signatures
                .iter()
                .find(|b| b.field == s.field)
                .and_then(|b| b.level.clone())
                .unwrap_or_else(|| "none".to_owned()),
            level: s.level.clone(),
            extended: true,
            indication: s.indication,
            archive_timestamp_time: archive_time.clone(),
        })
        .collect();
    tracing::info!(level = %reached, signatures = per.len(), "PDF extended");
    Ok(ExtendedFile {
        file: path.display().to_string(),
        format: DocumentFormat::Pdf,
        level,
        reached: Some(reached.to_string()),
        written: true,
        signatures,
    })
}

/// The `/Contents` bytes of every signature value in the document.
fn signature_contents(doc: &signet_pdf::Document<'_>) -> Vec<Vec<u8>> {
    use signet_pdf::Object;
    let mut out = Vec::new();
    let Ok(catalog) = doc.catalog() else {
        return out;
    };
    let Ok(Some(form)) = doc.resolve_dict(catalog.get("AcroForm")) else {
        return out;
    };
    let fields = doc
        .resolve(form.get("Fields").unwrap_or(&Object::Null))
        .unwrap_or(Object::Null);
    for f in fields.as_array().unwrap_or_default() {
        let Ok(Some(fd)) = doc.resolve_dict(Some(f)) else {
            continue;
        };
        let Ok(Some(v)) = doc.resolve_dict(fd.get("V")) else {
            continue;
        };
        if let Some(c) = v.get("Contents").and_then(Object::as_str) {
            out.push(c.to_vec());
        }
    }
    out
}
