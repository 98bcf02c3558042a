//! `signet verify|extend` for PDFs (PAdES), through signet-api.

use std::path::{Path, PathBuf};

use serde::Serialize;
use signet_api::pades::{self, PadesReport, Verdict};
use signet_api::{ApiError, Context};
use signet_core::{BaselineLevel, Code};

use crate::args::{ExtendArgs, VerifyArgs};
use crate::exit::Status;
use crate::report;

fn usage(message: &str, json: bool) -> Status {
    let err = ApiError::new(Code::InvalidInput, message).recommend("See `signet sign --help`.");
    let _ = report::error(&err, json);
    Status::Usage
}

#[derive(Serialize)]
struct VerifiedFile<'a> {
    file: String,
    format: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<&'a PadesReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a ApiError>,
}

#[derive(Serialize)]
struct VerifyDocument<'a> {
    files: Vec<VerifiedFile<'a>>,
}

fn status_of(verdict: Verdict) -> Status {
    match verdict {
        Verdict::Valid | Verdict::ValidWithChanges => Status::Success,
        Verdict::Indeterminate => Status::Indeterminate,
        Verdict::Modified | Verdict::Invalid | Verdict::Unreadable => Status::Failed,
    }
}

fn worse(a: Status, b: Status) -> Status {
    let rank = |s: Status| match s {
        Status::Success => 0,
        Status::Indeterminate => 1,
        Status::Failed => 2,
        _ => 3,
    };
    if rank(b) > rank(a) { b } else { a }
}

fn verdict_text(v: Verdict) -> &'static str {
    match v {
        Verdict::Valid => "VALID",
        Verdict::ValidWithChanges => "VALID, with listed changes after signing",
        Verdict::Indeterminate => "INDETERMINATE",
        Verdict::Modified => "MODIFIED after signing (not allowed)",
        Verdict::Invalid => "INVALID",
        Verdict::Unreadable => "NOT READABLE as a PDF",
    }
}

/// The qualification code (`QES`, `AdES/QC`, `AdES`) the trusted list gives, when one was used.
fn qualification_code(qes: bool, qualified: Option<bool>) -> &'static str {
    if qes {
        "QES"
    } else if qualified == Some(true) {
        "AdES/QC"
    } else {
        "AdES"
    }
}

fn report_text(file: &Path, r: &PadesReport, subjects: bool) -> String {
    let mut out = format!("{}: {}\n", file.display(), verdict_text(r.verdict));
    for e in &r.errors {
        out.push_str(&format!("  ! {e}\n"));
    }
    if r.signatures.is_empty() && r.verdict != Verdict::Unreadable {
        out.push_str("  no signatures\n");
    }
    for s in &r.signatures {
        let who = s.signer.as_ref().map_or_else(
            || "unknown signer".to_owned(),
            |c| {
                signet_api::people::signer_line(
                    &c.subject,
                    Some(&c.issuer),
                    s.trusted_list
                        .as_ref()
                        .map(|q| qualification_code(q.qes, q.qualified)),
                )
            },
        );
        out.push_str(&format!(
            "  {} {} [{}]: {}{} — {}\n",
            s.kind,
            s.field,
            s.level.as_deref().unwrap_or("not baseline"),
            serde_json::to_value(s.indication)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            s.sub_indication
                .and_then(|x| serde_json::to_value(x).ok())
                .and_then(|v| v.as_str().map(|t| format!(" / {t}")))
                .unwrap_or_default(),
            who
        ));
        if subjects && let Some(c) = &s.signer {
            out.push_str(&format!(
                "    subject: {}\n    issuer: {}\n",
                c.subject, c.issuer
            ));
        }
        if let Some(t) = &s.best_signing_time {
            out.push_str(&format!(
                "    time (proven): {}\n",
                signet_api::people::pdf_date_as_rfc3339(t)
            ));
        } else if let Some(t) = &s.claimed_time {
            out.push_str(&format!(
                "    time (claimed): {}\n",
                signet_api::people::pdf_date_as_rfc3339(t)
            ));
        }
        if let Some(q) = &s.trusted_list {
            let kind = if q.qes {
                "qualified electronic signature (QES)"
            } else if q.qualified == Some(true) {
                "advanced signature with a qualified certificate (AdES/QC)"
            } else {
                "advanced signature (AdES), not qualified"
            };
            out.push_str(&format!(
                "    trusted list: {kind}{}\n",
                q.service
                    .as_deref()
                    .map(|n| format!(", issuer service {n}"))
                    .unwrap_or_default()
            ));
        }
        for e in &s.errors {
            out.push_str(&format!("    ! {e}\n"));
        }
        for w in &s.warnings {
            out.push_str(&format!("    ~ {w}\n"));
        }
        for m in s
            .modifications
            .iter()
            .filter(|m| !m.allowed || m.kind == "form-fill" || m.kind == "annotation")
        {
            let values = match (&m.old_value, &m.new_value) {
                (None, None) => String::new(),
                (o, n) => format!(
                    ": {:?} → {:?}",
                    o.as_deref().unwrap_or(""),
                    n.as_deref().unwrap_or("")
                ),
            };
            out.push_str(&format!(
                "    {} revision {}: {}{values}\n",
                if m.allowed { "changed" } else { "NOT ALLOWED" },
                m.revision,
                m.detail
            ));
        }
    }
    out
}

pub(crate) fn verify(args: &VerifyArgs, json: bool) -> Status {
    let t = &args.trust;
    let (trust, trusted_list) =
        match crate::asice::trust_files(&t.trust, t.tsl.as_ref(), &t.tsl_signer) {
            Ok(files) => (
                files.trust.into_iter().map(|f| f.bytes).collect(),
                files.list,
            ),
            Err(e) => return report::error(&e, json),
        };
    let request = pades::PadesVerifyRequest {
        trust,
        at: args.trust.at,
        offline: args.trust.offline,
        trusted_list,
    };
    let context = Context::for_this_user();
    let fetch = signet_api::http::HttpFetch::default();
    let mut status = Status::Success;
    let mut results: Vec<(PathBuf, Result<PadesReport, ApiError>)> = Vec::new();
    for file in &args.files {
        let result = std::fs::read(file)
            .map_err(|e| ApiError::from(e).recommend("Check the file name."))
            .and_then(|bytes| pades::pades_verify(&context, &bytes, &request, &fetch));
        status = worse(
            status,
            match &result {
                Ok(r) => status_of(r.verdict),
                Err(e) => Status::for_error(e.code),
            },
        );
        results.push((file.clone(), result));
    }
    if json {
        let doc = VerifyDocument {
            files: results
                .iter()
                .map(|(f, r)| VerifiedFile {
                    file: f.display().to_string(),
                    format: "pades",
                    report: r.as_ref().ok(),
                    error: r.as_ref().err(),
                })
                .collect(),
        };
        let printed = report::print_json(&doc);
        return if printed == Status::Success {
            status
        } else {
            printed
        };
    }
    let mut text = String::new();
    for (f, r) in &results {
        match r {
            Ok(r) => text.push_str(&report_text(f, r, args.subjects)),
            Err(e) => text.push_str(&format!(
                "{}: {}\n  {}\n",
                f.display(),
                e.message,
                e.recommendation
            )),
        }
    }
    let printed = report::text(&text);
    if printed == Status::Success {
        status
    } else {
        printed
    }
}

#[derive(Serialize)]
struct ExtendDocument {
    extended: Vec<pades::ExtendedPdf>,
}

pub(crate) fn extend(args: &ExtendArgs, json: bool) -> Status {
    if !args.level.has_validation_data() {
        return usage(
            "extend makes B-LT or B-LTA: use --level B-LT or --level B-LTA",
            json,
        );
    }
    if args.level == BaselineLevel::B_LTA && args.tsa.is_none() {
        return usage(
            "B-LTA needs a time-stamping authority: give --tsa URL",
            json,
        );
    }
    let t = &args.trust;
    let (trust, trusted_list) =
        match crate::asice::trust_files(&t.trust, t.tsl.as_ref(), &t.tsl_signer) {
            Ok(files) => (
                files.trust.into_iter().map(|f| f.bytes).collect::<Vec<_>>(),
                files.list,
            ),
            Err(e) => return report::error(&e, json),
        };
    let context = Context::for_this_user();
    let fetch = signet_api::http::HttpFetch::default();
    let mut extended = Vec::new();
    for file in &args.files {
        match pades::pades_extend(
            &context,
            file,
            args.level,
            args.tsa.as_deref(),
            &trust,
            trusted_list.as_ref(),
            &fetch,
        ) {
            Ok(e) => extended.push(e),
            Err(e) => return report::error(&e, json),
        }
    }
    if json {
        report::print_json(&ExtendDocument { extended })
    } else {
        report::text(
            &extended
                .iter()
                .map(|e| {
                    format!(
                        "extended {} to {} ({})\n",
                        e.file,
                        e.level,
                        report::counted(e.signatures, "signature")
                    )
                })
                .collect::<String>(),
        )
    }
}
