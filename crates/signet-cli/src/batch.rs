//! `signet batch FILE… --out-dir DIR`: the plan, one question, then one line per file (JSON
//! lines with `--json`, docs/batch-json.md). The work is signet-api's `batch` module.

use std::io::{BufRead as _, IsTerminal as _};
use std::path::PathBuf;

use clap::Args;
use signet_api::batch::{Batch, BatchEvent, BatchFormat, BatchPlan, FileState, SignerInfo};
use signet_api::batching::BatchChoice;
use signet_api::card::{PinKind, PinState};
use signet_api::signing::TrustPaths;
use signet_api::token::TokenSpec;
use signet_api::{ApiError, Context};
use signet_core::{BaselineLevel, Code};

use crate::args::{Format, SignTrustArgs};
use crate::exit::Status;
use crate::report;

/// `signet batch FILE… --out-dir DIR`
#[derive(Debug, Args)]
pub(crate) struct BatchArgs {
    /// The files to sign: PDFs as PAdES (one output each, NAME.signed.pdf), other files each
    /// into its own ASiC-E container NAME.asice, named as `signet sign` names them.
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// The folder for the signed files and the batch's journal (.signet-batch.jsonl); created
    /// when missing. Running the same command again skips the files the journal lists.
    #[arg(long)]
    pub(crate) out_dir: PathBuf,
    /// The format; by default PAdES for PDFs and ASiC-E for anything else.
    #[arg(long, value_enum)]
    pub(crate) format: Option<Format>,
    /// The baseline level: B-B, B-T, B-LT or B-LTA (by default the person's settings', else
    /// B-LT). Levels from B-T need a TSA.
    #[arg(long, value_parser = parse_level)]
    pub(crate) level: Option<BaselineLevel>,
    /// The signing device: pcsc[:READER], pkcs11:MODULE or p12:FILE (by default the profile's,
    /// else the person's settings', else the ID card).
    #[arg(long)]
    pub(crate) token: Option<TokenSpec>,
    /// The time-stamping authority's URL (RFC 3161; by default the profile's, else the person's
    /// settings').
    #[arg(long)]
    pub(crate) tsa: Option<String>,
    /// Certificates completing the signer's chain (DER or PEM), for both formats.
    #[arg(long)]
    pub(crate) chain: Vec<PathBuf>,
    /// Read the PINs or the password from standard input, one line per PIN asked (a card asks
    /// PIN2 for every file; a PKCS#12 password is asked once). Needs --yes.
    #[arg(long)]
    pub(crate) pin_stdin: bool,
    /// Sign without asking "Sign these N files?" (needed with --pin-stdin and --json).
    #[arg(long, short = 'y')]
    pub(crate) yes: bool,
    #[command(flatten)]
    pub(crate) sign_trust: SignTrustArgs,
}

fn parse_level(text: &str) -> Result<BaselineLevel, String> {
    text.parse()
        .map_err(|_| format!("unknown level `{text}`: use B-B, B-T, B-LT or B-LTA"))
}

fn usage(message: &str, recommendation: &str, json: bool) -> Status {
    let err = ApiError::new(Code::InvalidInput, message).recommend(recommendation);
    let _ = report::error(&err, json);
    Status::Usage
}

fn format_name(format: BatchFormat) -> &'static str {
    match format {
        BatchFormat::Pades => "PAdES",
        BatchFormat::Asice => "ASiC-E",
    }
}

/// The signer as a person reads them: name, device, issuer, validity.
fn signer_text(s: &SignerInfo) -> String {
    format!(
        "Signer: {}\n  issued by {}\n  valid {} to {}{}\n",
        signet_api::people::signer_line(&s.subject, Some(&s.issuer), None),
        signet_api::people::authority(&s.issuer),
        signet_api::localtime::local_rfc3339(&s.not_before),
        signet_api::localtime::local_rfc3339(&s.not_after),
        if s.valid_now { "" } else { " (NOT VALID NOW)" }
    )
}

fn plan_text(plan: &BatchPlan) -> String {
    let mut out = format!(
        "Batch: {}, {}, level {}, into {}\n",
        report::counted(plan.count, "file"),
        report::counted(plan.total_bytes, "byte"),
        plan.level,
        plan.out_dir
    );
    match &plan.signer {
        Some(s) => out.push_str(&signer_text(s)),
        None => out.push_str(&format!(
            "Signer: the certificate of {} (shown once its password is given)\n",
            plan.token
        )),
    }
    for f in &plan.files {
        let what = match f.state {
            FileState::Sign => String::new(),
            FileState::Done => "  (signed before: skipped)".to_owned(),
            FileState::Refused => format!(
                "  (cannot be signed: {})",
                f.error.as_ref().map_or("", |e| e.message.as_str())
            ),
        };
        out.push_str(&format!(
            "  {} ({}) {} → {}{what}\n",
            f.input,
            report::counted(f.size, "byte"),
            format_name(f.format),
            f.output
        ));
    }
    out
}

fn event_text(event: &BatchEvent) -> String {
    match event {
        BatchEvent::Plan(plan) => plan_text(plan),
        BatchEvent::Signer(signer) => signer_text(signer),
        BatchEvent::Signed {
            n,
            of,
            input,
            output,
            level,
            warnings,
            ..
        } => {
            let mut line = format!("[{n}/{of}] signed {input} → {output} at {level}\n");
            for w in warnings {
                line.push_str(&format!("  warning: {w}\n"));
            }
            line
        }
        BatchEvent::Skipped {
            n,
            of,
            input,
            output,
            ..
        } => format!("[{n}/{of}] skipped {input}: already signed, {output} kept\n"),
        BatchEvent::Failed {
            n,
            of,
            input,
            reached: Some(_),
            error,
            ..
        } => format!(
            "[{n}/{of}] BELOW THE LEVEL ASKED {input}: {}\n  {}\n",
            error.message, error.recommendation
        ),
        BatchEvent::Failed {
            n,
            of,
            input,
            error,
            ..
        } => format!(
            "[{n}/{of}] FAILED {input}: {}\n  {}\n",
            error.message, error.recommendation
        ),
        BatchEvent::Summary(s) => format!(
            "{}: {} signed, {} skipped (signed before), {} failed, {} left\n",
            report::counted(s.files, "file"),
            s.signed,
            s.skipped,
            s.failed,
            s.left
        ),
    }
}

fn print(event: &BatchEvent, json: bool) -> Status {
    if json {
        match serde_json::to_string(event) {
            Ok(line) => report::print_text(&format!("{line}\n")),
            Err(err) => {
                tracing::error!(error = %err, "cannot serialise a batch event");
                Status::Internal
            }
        }
    } else {
        report::print_text(&event_text(event))
    }
}

/// Asks "Sign these N files? [y/N]" on the terminal; true only for y or yes.
fn confirm(count: usize) -> Result<bool, ApiError> {
    let question = if count == 1 {
        "Sign this 1 file? [y/N] ".to_owned()
    } else {
        format!("Sign these {count} files? [y/N] ")
    };
    let _ = report::print_text(&question);
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| ApiError::new(Code::Io, format!("cannot read the answer: {e}")))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

pub(crate) fn run(context: &Context, args: &BatchArgs, json: bool) -> Status {
    if !args.yes && (args.pin_stdin || json) {
        return usage(
            "signet batch asks \"Sign these N files?\" on the terminal, but with --pin-stdin standard input carries the PINs, and with --json there is no one to ask",
            "Review the files and give --yes to sign them without the question.",
            json,
        );
    }
    if !args.yes && !std::io::stdin().is_terminal() {
        return usage(
            "No terminal to ask \"Sign these N files?\" on, and --yes was not given.",
            "Run the command in a terminal, or give --yes to sign without the question.",
            json,
        );
    }
    let t = &args.sign_trust;
    let choice = BatchChoice {
        files: args.files.clone(),
        out_dir: Some(args.out_dir.clone()),
        format: args.format.map(|f| match f {
            Format::Pades => BatchFormat::Pades,
            Format::Asice => BatchFormat::Asice,
        }),
        level: args.level,
        token: args.token.clone(),
        tsa: args.tsa.clone(),
        trust: Some(TrustPaths {
            anchors: t.trust.clone(),
            list: t.tsl.clone(),
            list_signers: t.tsl_signer.clone(),
        }),
        chain: args.chain.clone(),
        reviewed: Vec::new(),
    };
    // The settings by the one precedence (the engine's, as for `sign`); the plan is made and
    // shown before any PIN or password is asked.
    let batch = match signet_api::batching::request(context, &choice)
        .and_then(|request| Batch::prepare(context, request))
    {
        Ok(batch) => batch,
        Err(err) => return report::error(&err, json),
    };
    let printed = print(&BatchEvent::Plan(batch.plan().clone()), json);
    if printed != Status::Success {
        return printed;
    }
    let to_sign = batch.plan().to_sign;
    if !args.yes && to_sign > 0 {
        match confirm(to_sign) {
            Ok(true) => {}
            Ok(false) => {
                let _ = report::print_text("Nothing was signed.\n");
                return Status::Cancelled;
            }
            Err(err) => return report::error(&err, json),
        }
    }
    let mut asker = match crate::pin::SecretAsker::choose(args.pin_stdin, json) {
        Ok(asker) => asker,
        Err(status) => return status,
    };
    let mut ask = |kind: PinKind, state: Option<PinState>| asker.ask(kind, state);
    let fetch = signet_api::http::HttpFetch::default();
    let mut print_status = Status::Success;
    let summary = batch.run(context, &fetch, &mut ask, &mut |event| {
        let status = print(event, json);
        if status != Status::Success {
            print_status = status;
        }
    });
    if let Some(err) = &summary.stopped {
        // The JSON summary carries the error; text mode says it on standard error.
        if !json {
            let _ = report::error(err, false);
        }
        return Status::for_error(err.code);
    }
    if print_status != Status::Success {
        return print_status;
    }
    if summary.failed > 0 {
        Status::DataError
    } else {
        Status::Success
    }
}

#[cfg(test)]
mod tests {
    use signet_api::batch::{BatchPlan, SignerInfo};
    use signet_core::BaselineLevel;

    #[test]
    fn the_plan_names_the_signer_as_a_person_reads_them_not_by_dn() {
        let plan = BatchPlan {
            out_dir: "/out".into(),
            journal: "/out/.signet-batch.json".into(),
            level: BaselineLevel::B_LT,
            token: "pcsc".into(),
            signer: Some(SignerInfo {
                subject: r"SERIALNUMBER=PNOEE-38001085718,GIVENNAME=MARI,SN=TAMM,CN=TAMM\,MARI\,38001085718,C=EE".into(),
                issuer: "CN=ESTEID2018,O=SK ID Solutions AS,C=EE".into(),
                not_before: "2025-01-01T00:00:00Z".into(),
                not_after: "2030-01-01T00:00:00Z".into(),
                valid_now: true,
            }),
            count: 0,
            total_bytes: 0,
            to_sign: 0,
            files: Vec::new(),
        };
        let text = super::plan_text(&plan);
        assert!(
            text.contains("Signer: Mari Tamm (38001085718), ID card\n  issued by ESTEID2018\n"),
            "{text}"
        );
        assert!(!text.contains("CN="), "{text}");
    }
}
