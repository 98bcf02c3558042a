//! `signet card …`: thin calls into `signet_api::card`, and how their results look.

use std::io::BufRead as _;

use signet_api::ApiError;
use signet_api::card::{CardKey, PinKind};
use signet_core::Code;
use zeroize::Zeroizing;

use crate::args::{CardCommand, KeyChoice, SignDigest};
use crate::exit::Status;
use crate::report;

pub(crate) fn run(command: &CardCommand, json: bool) -> Status {
    match command {
        CardCommand::Status => match signet_api::card::card_status() {
            Ok(status) if json => report::print_json(&status),
            Ok(s) => report::text(&format!(
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
            )),
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
                            c.key, c.subject, c.issuer, c.not_after
                        )
                    })
                    .collect::<String>(),
            ),
            Err(err) => report::error(&err, json),
        },
        CardCommand::SignDigest(args) => sign_digest(args, json),
        CardCommand::Pin(_) => report::error(&signet_api::not_built("signet card pin"), json),
    }
}

fn sign_digest(args: &SignDigest, json: bool) -> Status {
    let key = match args.key {
        KeyChoice::Sign => CardKey::Signing,
        KeyChoice::Auth => CardKey::Authentication,
    };
    if !args.pin_stdin {
        let err = ApiError::new(
            Code::NotImplemented,
            "Asking for the PIN on the terminal is not built yet.",
        )
        .recommend("Give the PIN on standard input with --pin-stdin, one line per PIN.");
        return report::error(&err, json);
    }
    let ask = |state: signet_api::card::PinState| -> Result<_, ApiError> {
        let kind: PinKind = state.kind;
        tracing::debug!(pin = %kind, retries_left = state.retries_left, "reading the PIN from standard input");
        let mut line = Zeroizing::new(String::with_capacity(64));
        std::io::stdin().lock().read_line(&mut line).map_err(|e| {
            ApiError::new(
                Code::Io,
                format!("cannot read the PIN from standard input: {e}"),
            )
        })?;
        signet_api::card::pin_from_typed(kind, line)
    };
    match signet_api::card::card_sign_digest(&args.digest, key, ask) {
        Ok(signature) if json => report::print_json(&signature),
        Ok(signature) => report::text(&format!("{}\n", signature.signature_hex)),
        Err(err) => report::error(&err, json),
    }
}
