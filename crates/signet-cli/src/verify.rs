//! `signet verify`, `signet extend`: the engine's `verify` and `extend` (signet-api) for any mix of
//! PDFs and containers, printed for people or as one JSON document (docs/verify-json.md).

use signet_api::extending::{ExtendOutcome, ExtendRequest, ExtendedFile};
use signet_api::localtime::{local_rfc3339, local_times_in};
use signet_api::signing::TrustPaths;
use signet_api::verification::{
    DocumentFormat, SignatureView, Verdict, VerifiedFile, VerifiedFiles, VerifyOptions,
};
use signet_api::verification_export::{ReportFormat, ReportPlace, save_report};
use signet_api::{ApiError, Context};
use signet_core::Code;

use crate::args::{ExtendArgs, TrustArgs, VerifyArgs};
use crate::exit::{Status, for_verdicts};
use crate::report;

/// What the command line gives of the trust; nothing given: the settings' (the profile's).
fn trust_paths(t: &TrustArgs) -> Option<TrustPaths> {
    Some(TrustPaths {
        anchors: t.trust.clone(),
        list: t.tsl.clone(),
        list_signers: t.tsl_signer.clone(),
    })
}

/// A job nobody answers: `verify` and `extend` ask no secret.
fn quiet_job() -> signet_api::job::JobControl {
    signet_api::job::channel(|_| {}).1
}

/// `status`, unless printing failed.
fn after_printing(printed: Status, status: Status) -> Status {
    if printed == Status::Success {
        status
    } else {
        printed
    }
}

pub(crate) fn verify(context: &Context, args: &VerifyArgs, json: bool) -> Status {
    let options = VerifyOptions {
        trust: trust_paths(&args.trust),
        at: args.trust.at,
        offline: args.trust.offline,
    };
    let fetch = signet_api::http::HttpFetch::default();
    // A report file that exists already stops the command before anything is judged.
    let taken = [&args.report_pdf, &args.report_json]
        .into_iter()
        .flatten()
        .find(|f| f.exists());
    if let Some(file) = taken {
        return report::error(&signet_api::verification_export::report_exists(file), json);
    }
    let verified = match signet_api::verification::verify_with(
        context,
        &args.files,
        &options,
        &fetch,
        &quiet_job(),
    ) {
        Ok(verified) => verified,
        Err(err) => return report::error(&err, json),
    };
    let status = for_verdicts(verified.files.iter().map(|f| f.verdict));
    // The reports asked for are written before anything is printed: a report that cannot be
    // written is the command's one error.
    let mut saved = String::new();
    let reports = [
        (&args.report_pdf, ReportFormat::Pdf),
        (&args.report_json, ReportFormat::Json),
    ];
    for (file, format) in reports {
        let Some(file) = file else { continue };
        match save_report(
            &verified,
            format,
            args.report_language,
            &ReportPlace::File(file.clone()),
        ) {
            Ok(path) => saved.push_str(&format!("report saved: {}\n", path.display())),
            Err(err) => return report::error(&err, json),
        }
    }
    let printed = if json {
        report::print_json(&verified)
    } else {
        report::text(&format!("{}{saved}", verify_text(&verified, args.subjects)))
    };
    after_printing(printed, status)
}

fn verdict_text(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Valid => "VALID",
        Verdict::ValidWithWarnings => "VALID, with remarks",
        Verdict::CannotTell => "CANNOT TELL (yet)",
        Verdict::NotValid => "NOT VALID",
    }
}

fn format_text(format: DocumentFormat) -> &'static str {
    match format {
        DocumentFormat::Pdf => "PDF",
        DocumentFormat::Container => "container",
    }
}

/// What a qualification code (`QES`, `AdES/QC`, `AdES`) is, in full.
fn qualification_text(code: &str) -> &'static str {
    match code {
        "QES" => "qualified electronic signature (QES)",
        "AdES/QC" => "advanced signature with a qualified certificate (AdES/QC)",
        _ => "advanced signature (AdES), not qualified",
    }
}

/// One fact of a signature: "    what: value".
fn line(out: &mut String, what: &str, value: &str) {
    out.push_str(&format!("    {what}: {value}\n"));
}

/// The text of one signature.
fn signature_text(s: &SignatureView, subjects: bool) -> String {
    let kind = if s.kind == "documentTimestamp" {
        "document time-stamp"
    } else {
        "signature"
    };
    let id = s.id.as_deref().map(|i| format!(" {i}")).unwrap_or_default();
    // The qualification has a line of its own, saying whether a trusted list confirmed it.
    let who = s.signer_subject.as_deref().map_or_else(
        || "unknown signer".to_owned(),
        |subject| signet_api::people::signer_line(subject, s.signer_issuer.as_deref(), None),
    );
    let mut out = format!(
        "  {kind}{id} {} [{}]: {}{} — {who}\n",
        s.name,
        s.level.as_deref().unwrap_or("not baseline"),
        s.indication,
        s.sub_indication
            .as_deref()
            .map(|x| format!(" / {x}"))
            .unwrap_or_default(),
    );
    if subjects {
        if let Some(subject) = &s.signer_subject {
            line(&mut out, "subject", subject);
        }
        if let Some(issuer) = &s.signer_issuer {
            line(&mut out, "issuer", issuer);
        }
    }
    match (&s.proven_time, &s.claimed_time) {
        (Some(t), _) => line(&mut out, "time (proven)", &local_rfc3339(t)),
        (None, Some(t)) => line(&mut out, "time (claimed)", &local_rfc3339(t)),
        (None, None) => {}
    }
    if let Some(tsa) = &s.timestamp_authority {
        line(&mut out, "time-stamped by", tsa);
    }
    if let Some(t) = &s.archive_time {
        line(&mut out, "archive time-stamp", &local_rfc3339(t));
    }
    if let Some(code) = &s.qualification {
        let service = s
            .trust_service
            .as_deref()
            .map(|n| format!(", issuer service {n}"))
            .unwrap_or_default();
        let by = if s.trust_service.is_some() {
            "trusted list"
        } else {
            "qualification"
        };
        line(
            &mut out,
            by,
            &format!("{}{service}", qualification_text(code)),
        );
    }
    for (what, value) in [("reason", &s.reason), ("location", &s.location)] {
        if let Some(v) = value {
            line(&mut out, what, v);
        }
    }
    for r in &s.revocation {
        line(&mut out, "revocation", &local_times_in(r));
    }
    for e in &s.errors {
        out.push_str(&format!("    ! {e}\n"));
    }
    for w in &s.warnings {
        out.push_str(&format!("    ~ {w}\n"));
    }
    for c in s
        .changes
        .iter()
        .filter(|c| !c.allowed || c.kind == "form-fill" || c.kind == "annotation")
    {
        let values = match (&c.old_value, &c.new_value) {
            (None, None) => String::new(),
            (o, n) => format!(
                ": {:?} → {:?}",
                o.as_deref().unwrap_or(""),
                n.as_deref().unwrap_or("")
            ),
        };
        out.push_str(&format!(
            "    {} revision {}: {}{values}\n",
            if c.allowed { "changed" } else { "NOT ALLOWED" },
            c.revision,
            c.detail
        ));
    }
    out
}

/// The text of one file.
fn file_text(f: &VerifiedFile, subjects: bool) -> String {
    let mut out = format!(
        "{} ({}): {} ({})\n",
        f.path,
        format_text(f.format),
        verdict_text(f.verdict),
        f.indication
    );
    for p in &f.problems {
        out.push_str(&format!("  ! {p}\n"));
    }
    for r in &f.removed_signatures {
        out.push_str(&format!("  ! removed by a later revision: {r}\n"));
    }
    if !f.data_files.is_empty() {
        out.push_str(&format!(
            "  {}: {}\n",
            report::counted(f.data_files.len(), "file"),
            f.data_files.join(", ")
        ));
    }
    if f.signatures.is_empty() {
        out.push_str("  no signatures\n");
    }
    for s in &f.signatures {
        out.push_str(&signature_text(s, subjects));
    }
    out
}

/// The text of a `verify`: each file, then the trusted list used and the validation time.
fn verify_text(verified: &VerifiedFiles, subjects: bool) -> String {
    let mut out: String = verified
        .files
        .iter()
        .map(|f| file_text(f, subjects))
        .collect();
    if let Some(list) = &verified.trust_data {
        out.push_str(&format!(
            "trusted list: {}, issued {}\n",
            list.territory,
            local_rfc3339(&list.issued)
        ));
    }
    out.push_str(&format!(
        "validated at {}\n",
        local_rfc3339(&verified.validation_time)
    ));
    out
}

/// `signet extend`: every file raised in place by the engine, which reports the level reached.
pub(crate) fn extend(context: &Context, args: &ExtendArgs, json: bool) -> Status {
    let t = &args.trust;
    if t.offline || t.at.is_some() {
        let err = ApiError::new(
            Code::InvalidInput,
            "extending asks the time-stamping authority and the OCSP responders now: --offline and --at do not apply",
        )
        .recommend("Leave out --offline and --at.");
        let _ = report::error(&err, json);
        return Status::Usage;
    }
    let request = ExtendRequest {
        files: args.files.clone(),
        level: args.level,
        tsa: args.tsa.clone(),
        trust: trust_paths(t),
    };
    let fetch = signet_api::http::HttpFetch::default();
    match signet_api::extending::extend(context, &request, &fetch, &quiet_job()) {
        Ok(outcome) if json => report::print_json(&outcome),
        Ok(outcome) => report::text(&extend_text(&outcome)),
        Err(err) => report::error(&err, json),
    }
}

fn extended_text(e: &ExtendedFile) -> String {
    let reached = e.reached.as_deref().unwrap_or("?");
    let mut out = if e.written {
        format!(
            "extended {} to {reached} ({})\n",
            e.file,
            report::counted(e.signatures.len(), "signature")
        )
    } else {
        format!("{} is at {reached} already: unchanged\n", e.file)
    };
    for s in &e.signatures {
        out.push_str(&format!(
            "  {}{}: {} → {} ({}){}\n",
            s.name,
            s.id.as_deref().map(|i| format!(" {i}")).unwrap_or_default(),
            s.from,
            s.level.as_deref().unwrap_or("?"),
            s.indication,
            s.archive_timestamp_time
                .as_deref()
                .map(|t| format!(", archive time-stamp {t}"))
                .unwrap_or_default()
        ));
    }
    out
}

fn extend_text(outcome: &ExtendOutcome) -> String {
    outcome.extended.iter().map(extended_text).collect()
}
