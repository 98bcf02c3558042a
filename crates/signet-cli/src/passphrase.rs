//! The passphrase of Signet's vault, where the vault is kept with one (no system keyring: a
//! server, a headless machine). The engine asks only when it opens such a vault, which every data
//! command does before it asks for any PIN; the answer comes from the terminal (without echo; a new
//! passphrase twice; a wrong one asked again) or, with `--pin-stdin`, from the first line of
//! standard input — read through the same line reader as the PINs that follow it, so nothing is
//! read ahead. With `--pin-stdin` the passphrase is one line: a wrong one is not tried again (the
//! next line is a PIN), and the command stops.

use std::io::IsTerminal as _;
use std::sync::atomic::{AtomicBool, Ordering};

use signet_api::ApiError;
use signet_api::vault::{MIN_NEW_PASSPHRASE, Passphrase, PassphraseProblem, PassphraseRequest};
use signet_core::Code;

/// Set when the passphrase was needed and there was no one to ask (no terminal, no
/// --pin-stdin): the command then exits 64, as for a PIN in that case.
static NO_ONE_TO_ASK: AtomicBool = AtomicBool::new(false);

/// Whether the vault's passphrase was needed with no terminal and no --pin-stdin.
pub(crate) fn had_no_one_to_ask() -> bool {
    NO_ONE_TO_ASK.load(Ordering::Relaxed)
}

/// The context's asker for the vault's passphrase.
pub(crate) fn asker(
    pin_stdin: bool,
) -> impl Fn(&PassphraseRequest) -> Result<Option<Passphrase>, ApiError> + Send + Sync + 'static {
    move |request| ask(request, pin_stdin)
}

fn ask(request: &PassphraseRequest, pin_stdin: bool) -> Result<Option<Passphrase>, ApiError> {
    tracing::debug!(new = request.new, again = ?request.again, pin_stdin, "asking for the vault's passphrase");
    if pin_stdin {
        if request.again.is_some() {
            return Ok(None);
        }
        let line = crate::pin::stdin_line().map_err(|e| {
            ApiError::new(
                Code::Io,
                format!("cannot read the vault's passphrase from standard input: {e}"),
            )
        })?;
        let Some(line) = line else {
            return Err(ApiError::new(
                Code::InvalidInput,
                "Standard input ended before the passphrase of Signet's vault was given.",
            )
            .recommend("With --pin-stdin, where Signet's vault is kept with a passphrase (no system keyring), the first line of standard input is the vault's passphrase, then one line per PIN or password asked."));
        };
        return passphrase(line.trim_end_matches(['\r', '\n'])).map(Some);
    }
    if !std::io::stdin().is_terminal() {
        NO_ONE_TO_ASK.store(true, Ordering::Relaxed);
        return Err(ApiError::new(
            Code::InvalidInput,
            "Signet's vault is kept with a passphrase here (no system keyring), and there is no terminal to ask for it on, and --pin-stdin was not given.",
        )
        .recommend("Run the command in a terminal, or give the vault's passphrase as the first line of standard input with --pin-stdin (then one line per PIN or password asked)."));
    }
    match request.again {
        None if request.new => eprintln!("{}\n", request.why),
        None => {}
        Some(PassphraseProblem::Wrong) => {
            eprintln!("That passphrase does not open Signet's vault; try again.");
        }
        Some(PassphraseProblem::TooShort) => eprintln!(
            "A passphrase needs at least {MIN_NEW_PASSPHRASE} characters; choose a longer one."
        ),
    }
    if !request.new {
        return passphrase(&crate::pin::ask_terminal("Passphrase of Signet's vault: ")?).map(Some);
    }
    let typed = crate::pin::ask_terminal("New passphrase for Signet's vault: ")?;
    let again = crate::pin::ask_terminal("The same passphrase again: ")?;
    if *again != *typed {
        return Err(ApiError::new(
            Code::InvalidInput,
            "The two passphrases differ; no vault was made.",
        )
        .recommend("Run the command again and type the same passphrase twice."));
    }
    passphrase(&typed).map(Some)
}

fn passphrase(text: &str) -> Result<Passphrase, ApiError> {
    Passphrase::new(text).map_err(|e| {
        ApiError::new(Code::InvalidInput, format!("the vault's passphrase: {e}"))
            .recommend("Give the passphrase of Signet's vault; it cannot be empty.")
    })
}
