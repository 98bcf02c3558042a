//! `signet card …`: thin calls into `signet_api::card`, and how their results look.

use signet_api::ApiError;
use signet_api::card::{CardKey, PinKind, PinPurpose, PinState};
use signet_api::token::TokenSpec;
use signet_core::Code;

use crate::args::{CardCommand, KeyChoice, PinCommand, SignDigest, WhichPin};
use crate::exit::Status;
use crate::pin::PinSource;
use crate::report;

pub(crate) fn run(command: &CardCommand, json: bool) -> Status {
    match command {
        CardCommand::Status => match signet_api::card::card_status() {
            Ok(status) if !status.activated => {
                // Shown, but not ready: it cannot sign until PIN2 is changed.
                let shown = if json {
                    report::print_json(&status)
                } else {
                    report::text(&status_text(&status))
                };
                let trouble = signet_api::card::not_activated();
                if !json {
                    report::error(&trouble, false);
                }
                match shown {
                    Status::Success => Status::for_error(trouble.code),
                    other => other,
                }
            }
            Ok(status) if json => report::print_json(&status),
            Ok(s) => report::text(&status_text(&s)),
            Err(err) => report::error(&err, json),
        },
        CardCommand::Certs => match signet_api::card::card_certificates() {
            Ok(certs) if json => report::print_json(&certs),
            Ok(certs) => report::text(
                &certs
                    .iter()
                    .map(|c| {
                        format!(
                            "{}: {}\n  issuer: {}\n  valid until: {}\n",
                            c.key,
                            c.subject,
                            c.issuer,
                            signet_api::localtime::local_times_in(&c.not_after.to_string())
                        )
                    })
                    .collect::<String>(),
            ),
            Err(err) => report::error(&err, json),
        },
        CardCommand::SignDigest(args) => sign_digest(args, json),
        CardCommand::Pin(command) => pin_command(command, json),
    }
}

fn status_text(s: &signet_api::json::CardStatus) -> String {
    format!(
        "reader: {}\ncard: {}\nholder: {} {}\npersonal code: {}\ndocument: {} (valid until {})\ntries left: PIN1 {}, PIN2 {}, PUK {}\n",
        s.reader,
        s.card,
        s.given_names,
        s.surname,
        s.personal_code,
        s.document_number,
        s.expiry,
        s.pin1_retries,
        s.pin2_retries,
        s.puk_retries
    )
}

fn sign_digest(args: &SignDigest, json: bool) -> Status {
    let key = match args.key {
        KeyChoice::Sign => CardKey::Signing,
        KeyChoice::Auth => CardKey::Authentication,
    };
    let mut asker = match crate::pin::SecretAsker::choose(args.pin_stdin, json) {
        Ok(asker) => asker,
        Err(status) => return status,
    };
    let clock = signet_core::SystemClock;
    // A PKCS#12 file's wrong password is asked again on the terminal (the file counts no tries;
    // three in all, as for the vault's passphrase); a card's PIN never is (its tries count).
    let mut tries = 0;
    let signed = loop {
        tries += 1;
        let ask = |kind: PinKind, state: Option<PinState>| asker.ask(kind, state);
        match signet_api::card::token_sign_digest(&args.token, &args.digest, key, &clock, ask) {
            Err(err)
                if err.code == Code::PinIncorrect
                    && matches!(args.token, TokenSpec::P12 { .. })
                    && tries < 3
                    && asker.password_was_wrong() => {}
            other => break other,
        }
    };
    match signed {
        Ok(signature) if json => report::print_json(&signature),
        Ok(signature) => report::text(&format!("{}\n", signature.signature_hex)),
        Err(err) => report::error(&err, json),
    }
}

fn pin_command(command: &PinCommand, json: bool) -> Status {
    let (args, unblock) = match command {
        PinCommand::Change(args) => (args, false),
        PinCommand::Unblock(args) => (args, true),
    };
    let kind = match args.which {
        WhichPin::Pin1 => PinKind::Pin1,
        WhichPin::Pin2 => PinKind::Pin2,
        WhichPin::Puk => PinKind::Puk,
    };
    let source = match PinSource::choose(args.pin_stdin, json) {
        Ok(source) => source,
        Err(status) => return status,
    };
    // The card checks the current value before the new one is asked: the same secret asked
    // again means the last one was wrong.
    let mut asked: Vec<(PinKind, PinPurpose)> = Vec::new();
    let mut ask = |kind: PinKind, purpose: PinPurpose, state: Option<PinState>| {
        let retry = asked.contains(&(kind, purpose));
        asked.push((kind, purpose));
        if retry && source == PinSource::Terminal {
            eprintln!("That {kind} was not right; try again.");
        }
        source.read(kind, purpose, state).map_err(|err| {
            if !retry || source != PinSource::Stdin {
                return err;
            }
            let left = state
                .map(|s| format!(" Tries left: {}.", s.retries_left))
                .unwrap_or_default();
            ApiError::new(
                Code::PinIncorrect,
                format!("{kind} was incorrect.{left} Standard input has no other line to try."),
            )
            .recommend("Give the right one on standard input; each wrong one counts against the tries left.")
        })
    };
    let outcome = if unblock {
        signet_api::card::card_unblock_pin(kind, &mut ask)
    } else {
        signet_api::card::card_change_pin(kind, &mut ask)
    };
    match outcome {
        Ok(done) if json => report::print_json(&done),
        Ok(done) => report::text(&format!(
            "{} {}.\n",
            done.pin,
            if unblock { "unblocked" } else { "changed" }
        )),
        Err(err) => report::error(&err, json),
    }
}
