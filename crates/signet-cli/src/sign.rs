//! `signet sign` through the engine (`signet_api::signing::sign`, as a job whose PIN requests are
//! answered here): the arguments become a `SignFilesRequest`; the format, the outputs and the
//! settings are the engine's.

use std::io::IsTerminal as _;

use signet_api::job::{JobEvent, Phase};
use signet_api::pades::VisiblePlace;
use signet_api::signing::{self, SignFilesRequest, SignFormat, SignOutcome, TrustPaths};
use signet_api::{ApiError, Context};
use signet_core::Code;

use crate::args::{Format, SignArgs};
use crate::exit::Status;
use crate::pin::SecretAsker;
use crate::report;

fn parse_visible(text: &str) -> Option<VisiblePlace> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let [page, x, y, w, h] = parts.as_slice() else {
        return None;
    };
    let page: usize = page.parse().ok().filter(|p| *p >= 1)?;
    let num = |s: &str| s.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0);
    Some(VisiblePlace {
        page,
        x: num(x)?,
        y: num(y)?,
        width: num(w).filter(|v| *v > 0.0)?,
        height: num(h).filter(|v| *v > 0.0)?,
    })
}

/// The request `args` make; what they leave out the engine takes from the profile, the
/// person's settings and the defaults.
fn request(args: &SignArgs) -> Result<SignFilesRequest, ApiError> {
    let visible = match args.visible.as_deref().map(parse_visible) {
        Some(None) => {
            return Err(ApiError::new(
                Code::InvalidInput,
                "--visible is PAGE,X,Y,W,H: a page from 1 and four non-negative numbers (points)",
            )
            .recommend("See `signet sign --help`."));
        }
        Some(visible) => visible,
        None => None,
    };
    let t = &args.sign_trust;
    Ok(SignFilesRequest {
        files: args.files.clone(),
        format: args.format.map(|f| match f {
            Format::Pades => SignFormat::Pades,
            Format::Asice => SignFormat::Asice,
        }),
        level: args.level,
        token: args.token.clone(),
        output_dir: args.out_dir.clone(),
        visible,
        reason: args.reason.clone(),
        location: args.location.clone(),
        contact: args.contact.clone(),
        replace_existing: args.force,
        // The files are read after this command was typed; `--force` replaces any output.
        reviewed_sha256: Vec::new(),
        agreed_replacements: None,
        out: args.out.clone(),
        container: args.container.clone(),
        add_to: args.add_to.clone(),
        tsa: args.tsa.clone(),
        chain: args.chain.clone(),
        trust: Some(TrustPaths {
            anchors: t.trust.clone(),
            list: t.tsl.clone(),
            list_signers: t.tsl_signer.clone(),
        }),
        normalise: args.normalise,
    })
}

/// `signet sign`: the engine's job, its PIN requests answered from the terminal or standard
/// input, its steps shown on standard error when that is a terminal.
pub(crate) fn sign(context: &Context, args: &SignArgs, json: bool) -> Status {
    let request = match request(args) {
        Ok(request) => request,
        Err(err) => {
            let _ = report::error(&err, json);
            return Status::Usage;
        }
    };
    // The source of the secrets is chosen at the first one asked: the inputs are looked at
    // before (a missing file is that error, whether or not a PIN could be asked).
    let mut asker = SecretAsker::when_needed(args.pin_stdin);
    match run_job(context, &request, &mut asker) {
        Ok(outcome) if json => report::print_json(&outcome),
        Ok(outcome) => report::text(&outcome_text(&outcome)),
        Err(err) if asker.had_no_source() => {
            let _ = report::error(&err, json);
            Status::Usage
        }
        Err(err) => report::error(&err, json),
    }
}

/// Runs the signing job on its own thread; this one prints its steps and answers its PIN
/// requests. A secret that cannot be read (standard input ended) stops the job with that error.
fn run_job(
    context: &Context,
    request: &SignFilesRequest,
    asker: &mut SecretAsker,
) -> Result<SignOutcome, ApiError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let (handle, control) = signet_api::job::channel(move |event| {
        let _ = tx.send(event);
    });
    let progress = std::io::stderr().is_terminal();
    let fetch = signet_api::http::HttpFetch::default();
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || signing::sign(context, request, &fetch, &control));
        let mut stopped: Option<ApiError> = None;
        // The loop ends when the job ends (its half, holding the sender, is dropped).
        for event in rx {
            match event {
                JobEvent::PinRequest(asked) => match asker.answer(&asked) {
                    // A PIN pad's request waits for no answer: the job asks the reader.
                    Ok(_) if asked.pin_pad => {}
                    Ok(pin) => handle.answer(asked.id, pin),
                    Err(err) => {
                        stopped = Some(err);
                        handle.cancel();
                    }
                },
                JobEvent::Phase {
                    phase,
                    file,
                    position,
                } if progress => {
                    if let Some(step) = step_text(phase) {
                        let place = position
                            .map(|p| format!(" ({} of {})", p.n, p.of))
                            .unwrap_or_default();
                        let file = file.map(|f| format!(" {f}")).unwrap_or_default();
                        eprintln!("{step}{file}{place}…");
                    }
                }
                _ => {}
            }
        }
        let result = worker.join().unwrap_or_else(|_| {
            Err(ApiError::new(
                Code::Internal,
                "the signing job stopped unexpectedly",
            ))
        });
        match (result, stopped) {
            (Err(_), Some(why)) => Err(why),
            (result, _) => result,
        }
    })
}

fn step_text(phase: Phase) -> Option<&'static str> {
    Some(match phase {
        Phase::Reading => "reading",
        Phase::Hashing => "hashing",
        Phase::Signing => "signing",
        Phase::Timestamp => "time-stamping",
        Phase::Revocation => "fetching revocation data",
        Phase::Writing => "writing",
        Phase::Verifying => "validating",
        Phase::WaitingForPin => return None,
    })
}

fn outcome_text(outcome: &SignOutcome) -> String {
    let mut text = String::new();
    for o in &outcome.outputs {
        let inputs: Vec<&str> = o.inputs.iter().map(String::as_str).collect();
        let into = match outcome.format {
            SignFormat::Asice if inputs.len() > 1 => format!(
                " ({} into one container)",
                report::counted(inputs.len(), "file")
            ),
            _ => String::new(),
        };
        let entry = o
            .signature
            .as_deref()
            .map(|s| format!(", {s}"))
            .unwrap_or_default();
        text.push_str(&format!(
            "signed {} → {} ({}{entry}) by {}{into}\n",
            inputs.join(", "),
            o.output,
            o.level,
            outcome.signer
        ));
        for w in &o.warnings {
            text.push_str(&format!("  warning: {w}\n"));
        }
    }
    text
}
