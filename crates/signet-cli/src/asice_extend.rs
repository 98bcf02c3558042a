//! `signet extend X.asice --level B-LT|B-LTA`: parses, calls [`signet_api::asice_extend`],
//! prints.

use serde::Serialize;
use signet_api::Context;
use signet_api::asice_extend::{AsiceExtendReport, asice_extend};

use crate::args::ExtendArgs;
use crate::exit::Status;
use crate::report;

#[derive(Serialize)]
struct ExtendDocument {
    extended: Vec<AsiceExtendReport>,
}

fn line(r: &AsiceExtendReport) -> String {
    let mut out = if r.written {
        format!(
            "extended {} to {}\n",
            r.file,
            r.reached.as_deref().unwrap_or("?")
        )
    } else {
        format!(
            "{} is at {} already: unchanged\n",
            r.file,
            r.reached.as_deref().unwrap_or("?")
        )
    };
    for s in &r.signatures {
        out.push_str(&format!(
            "  {} {}: {} → {} ({}){}\n",
            s.file,
            s.id.as_deref().unwrap_or("-"),
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

/// Extends each container in place; stops at the first that cannot be extended.
pub(crate) fn extend(args: &ExtendArgs, json: bool) -> Status {
    let t = &args.trust;
    if t.offline || t.at.is_some() {
        let err = signet_api::ApiError::new(
            signet_core::Code::InvalidInput,
            "extending a container asks the time-stamping authority and the OCSP responder now: --offline and --at do not apply",
        )
        .recommend("Leave out --offline and --at.");
        let _ = report::error(&err, json);
        return Status::Usage;
    }
    let trust = match crate::asice::trust_files(&t.trust, t.tsl.as_ref(), &t.tsl_signer) {
        Ok(files) => files,
        Err(e) => return report::error(&e, json),
    };
    let context = Context::for_this_user();
    let fetch = signet_api::http::HttpFetch::default();
    let mut extended = Vec::new();
    for file in &args.files {
        match asice_extend(
            &context,
            &fetch,
            file,
            args.level,
            args.tsa.as_deref(),
            &trust,
        ) {
            Ok(r) => extended.push(r),
            Err(e) => return report::error(&e, json),
        }
    }
    if json {
        report::print_json(&ExtendDocument { extended })
    } else {
        report::text(&extended.iter().map(line).collect::<String>())
    }
}
