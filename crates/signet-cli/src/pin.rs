//! Where PINs come from: standard input with `--pin-stdin` (one line per secret asked), or the
//! terminal, asked without echo and showing the tries left. Never an argument or an environment
//! variable. Without a terminal and without `--pin-stdin` the command is a usage error.

use std::io::{BufRead as _, IsTerminal as _};

use signet_api::ApiError;
use signet_api::card::{Pin, PinKind, PinPurpose, PinState};
use signet_api::job::{PinRequest, SecretKind};
use signet_core::Code;
use zeroize::Zeroizing;

use crate::exit::Status;

/// How the secrets are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PinSource {
    /// One line of standard input per secret.
    Stdin,
    /// The terminal, without echo.
    Terminal,
}

impl PinSource {
    /// `--pin-stdin`, or the terminal when standard input is one; otherwise a usage error,
    /// printed, with its status.
    pub(crate) fn choose(pin_stdin: bool, json: bool) -> Result<Self, Status> {
        if pin_stdin {
            return Ok(Self::Stdin);
        }
        if std::io::stdin().is_terminal() {
            return Ok(Self::Terminal);
        }
        let err = ApiError::new(
            Code::InvalidInput,
            "No terminal to ask for the PIN on, and --pin-stdin was not given.",
        )
        .recommend("Run the command in a terminal, or give the PIN on standard input with --pin-stdin, one line per PIN.");
        crate::report::error(&err, json);
        Err(Status::Usage)
    }

    /// Reads one secret of `kind`. `state` (the card's count) is shown on the terminal. A new
    /// value is asked twice on the terminal.
    pub(crate) fn read(
        self,
        kind: PinKind,
        purpose: PinPurpose,
        state: Option<PinState>,
    ) -> Result<Pin, ApiError> {
        let typed = self.read_typed(kind, purpose, state)?;
        pin(kind, typed)
    }

    /// What the person typed for one secret, before it is checked.
    fn read_typed(
        self,
        kind: PinKind,
        purpose: PinPurpose,
        state: Option<PinState>,
    ) -> Result<Zeroizing<String>, ApiError> {
        let name = match kind {
            PinKind::Password => "Password".to_owned(),
            kind => kind.to_string(),
        };
        tracing::debug!(pin = %kind, ?purpose, source = ?self, "asking for a secret");
        match self {
            Self::Stdin => read_line(),
            Self::Terminal => {
                let prompt = match (purpose, state) {
                    (PinPurpose::Current, Some(state))
                        if state.retries_left != PinState::UNKNOWN =>
                    {
                        format!(
                            "{name} ({} left): ",
                            crate::report::counted_as(state.retries_left, "try", "tries")
                        )
                    }
                    (PinPurpose::Current, _) => format!("{name}: "),
                    (PinPurpose::New, _) => format!("New {name}: "),
                };
                let typed = ask_terminal(&prompt)?;
                if purpose == PinPurpose::New {
                    let again = ask_terminal(&format!("New {name} again: "))?;
                    if *again != *typed {
                        return Err(ApiError::new(
                            Code::InvalidInput,
                            format!("The two new {name}s differ; nothing was changed."),
                        )
                        .recommend("Run the command again and type the same new value twice."));
                    }
                }
                Ok(typed)
            }
        }
    }
}

/// The secrets of one command that signs or logs in: a card's PINs are asked each time the card
/// needs one (PIN2 before every signature); a PKCS#12 file's password is asked once, kept wiped on
/// drop, and given again for the file's opening and each of its signatures.
pub(crate) struct SecretAsker {
    /// `None` for a command that may need no secret at all: the source is chosen when one is.
    source: Option<PinSource>,
    pin_stdin: bool,
    /// A secret was asked with neither a terminal nor --pin-stdin.
    lacked_source: bool,
    password: Option<Zeroizing<String>>,
}

impl SecretAsker {
    /// For a command that always needs a secret: `--pin-stdin`, or the terminal; otherwise the
    /// usage error is printed and its status returned before anything is done.
    pub(crate) fn choose(pin_stdin: bool, json: bool) -> Result<Self, Status> {
        Ok(Self {
            source: Some(PinSource::choose(pin_stdin, json)?),
            pin_stdin,
            password: None,
            lacked_source: false,
        })
    }

    /// For a command that needs a secret only sometimes (`signet data` with a live session):
    /// the source is chosen at the first secret asked, and its absence is that secret's error.
    pub(crate) fn when_needed(pin_stdin: bool) -> Self {
        Self {
            source: None,
            pin_stdin,
            password: None,
            lacked_source: false,
        }
    }

    fn source(&mut self) -> Result<PinSource, ApiError> {
        if let Some(source) = self.source {
            return Ok(source);
        }
        let source = if self.pin_stdin {
            PinSource::Stdin
        } else if std::io::stdin().is_terminal() {
            PinSource::Terminal
        } else {
            self.lacked_source = true;
            return Err(ApiError::new(
                Code::InvalidInput,
                "No terminal to ask for the PIN on, and --pin-stdin was not given.",
            )
            .recommend("Run the command in a terminal, or give the PIN on standard input with --pin-stdin, one line per PIN."));
        };
        self.source = Some(source);
        Ok(source)
    }

    /// The current value of `kind` (the card's count shown on the terminal).
    /// A PIN the reader's PIN pad takes is not asked: the line says where to type it.
    pub(crate) fn ask(&mut self, kind: PinKind, state: Option<PinState>) -> Result<Pin, ApiError> {
        if state.is_some_and(|s| s.pin_pad) {
            eprintln!("{}", on_pad_line(kind));
            return Ok(Pin::on_pad(kind));
        }
        let source = self.source()?;
        if kind != PinKind::Password {
            return source.read(kind, PinPurpose::Current, state);
        }
        let typed = match &self.password {
            Some(known) => known.clone(),
            None => {
                let typed = source.read_typed(kind, PinPurpose::Current, state)?;
                let typed = Zeroizing::new(typed.trim_end_matches(['\r', '\n']).to_owned());
                self.password = Some(typed.clone());
                typed
            }
        };
        pin(kind, typed)
    }
}

impl SecretAsker {
    /// Answers a job's PIN request: on the terminal it first shows who signs what; a wrong
    /// answer is asked again (the next line with `--pin-stdin`); a PKCS#12 password given once
    /// is given again for the same job until it is found wrong.
    pub(crate) fn answer(&mut self, request: &PinRequest) -> Result<Pin, ApiError> {
        let kind = match request.secret {
            SecretKind::Pin1 => PinKind::Pin1,
            SecretKind::Pin2 => PinKind::Pin2,
            SecretKind::Puk => PinKind::Puk,
            SecretKind::Password => PinKind::Password,
        };
        if request.retry {
            self.password = None;
        }
        if request.pin_pad {
            // Nothing is read: the person types on the reader, which the job already waits for.
            eprint!("{}", what_is_signed(request));
            return Ok(Pin::on_pad(kind));
        }
        let source = self.source()?;
        if source == PinSource::Terminal && (self.password.is_none() || kind != PinKind::Password) {
            eprint!("{}", what_is_signed(request));
        }
        let state = request.tries_left.map(|retries_left| PinState {
            kind,
            retries_left,
            max_retries: 3,
            pin_pad: false,
        });
        self.ask(kind, state).map_err(|err| {
            if !request.retry || source != PinSource::Stdin {
                return err;
            }
            // The last line given was wrong and there is no other: say what was wrong.
            let what = match kind {
                PinKind::Password => "the password of the PKCS#12 file".to_owned(),
                kind => format!("{kind}"),
            };
            let left = request
                .tries_left
                .map(|n| format!(" ({} left)", crate::report::counted_as(n, "try", "tries")))
                .unwrap_or_default();
            ApiError::new(
                Code::PinIncorrect,
                format!("{what} is wrong{left}, and standard input has no other line to try"),
            )
            .recommend("Give the right one on standard input; each wrong one counts against the tries left.")
        })
    }

    /// After a wrong PKCS#12 password on the terminal: says so, and forgets it so that the next
    /// password is asked anew. `false` (nothing said) when the secrets come from standard input.
    pub(crate) fn password_was_wrong(&mut self) -> bool {
        self.password = None;
        if self.source != Some(PinSource::Terminal) {
            return false;
        }
        eprintln!("That password does not open the file; try again.");
        true
    }

    /// Whether no secret could be asked for want of a terminal and of --pin-stdin.
    pub(crate) fn had_no_source(&self) -> bool {
        self.lacked_source
    }
}

/// The lines the terminal shows before a PIN is typed: a wrong one before, the signer, each
/// document with its size and SHA-256.
fn what_is_signed(request: &PinRequest) -> String {
    let mut text = String::new();
    if request.retry {
        text.push_str("That was not right; try again.\n");
    }
    if let Some(signer) = &request.signer {
        text.push_str(&format!("Signing as {signer}"));
        if let Some(p) = request.position {
            text.push_str(&format!(" ({} of {})", p.n, p.of));
        }
        text.push_str(":\n");
    }
    for d in &request.documents {
        text.push_str(&format!(
            "  {} ({}, SHA-256 {})\n",
            d.name,
            crate::report::counted(d.size, "byte"),
            d.sha256
        ));
    }
    if request.pin_pad {
        let kind = request.secret.into();
        text.push_str(&on_pad_line(kind));
        text.push('\n');
    }
    text
}

/// What the terminal says instead of a prompt when the reader's PIN pad takes the PIN (the
/// desktop's dialog says the same).
fn on_pad_line(kind: PinKind) -> String {
    format!("Enter {kind} on the reader's keypad.")
}

fn pin(kind: PinKind, typed: Zeroizing<String>) -> Result<Pin, ApiError> {
    signet_api::card::pin_from_typed(kind, typed)
}

/// The next line of standard input (with its line ending), `None` at its end. Every secret read
/// from standard input — the vault's passphrase first, then the PINs — is read here, through the
/// process's one buffered standard input, so no line is read ahead and lost.
pub(crate) fn stdin_line() -> std::io::Result<Option<Zeroizing<String>>> {
    // Room for a long passphrase: a line that outgrew the buffer would leave a copy behind.
    let mut line = Zeroizing::new(String::with_capacity(1024));
    let read = std::io::stdin().lock().read_line(&mut line)?;
    Ok((read > 0).then_some(line))
}

fn read_line() -> Result<Zeroizing<String>, ApiError> {
    stdin_line()
        .map_err(|e| {
            ApiError::new(
                Code::Io,
                format!("cannot read the PIN from standard input: {e}"),
            )
        })?
        .ok_or_else(|| {
            ApiError::new(
                Code::InvalidInput,
                "Standard input ended before every PIN was given.",
            )
            .recommend("Give one line per PIN asked, in the order the command asks for them (after the vault's passphrase, where the vault is kept with one).")
        })
}

/// Asks on the terminal without echo.
pub(crate) fn ask_terminal(prompt: &str) -> Result<Zeroizing<String>, ApiError> {
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|e| ApiError::new(Code::Io, format!("cannot read from the terminal: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use signet_api::job::SecretKind;

    #[test]
    fn a_pin_pad_request_prints_where_to_type_instead_of_a_prompt() {
        let request = PinRequest {
            id: 1,
            secret: SecretKind::Pin2,
            tries_left: Some(3),
            retry: false,
            signer: Some("Mari Tamm (38001085718)".into()),
            documents: Vec::new(),
            position: None,
            pin_pad: true,
            new_value: false,
            consent_change: None,
        };
        let mut asker = SecretAsker::when_needed(false);
        // No terminal and no --pin-stdin are needed: nothing is read.
        let pin = asker.answer(&request).unwrap();
        assert!(pin.entered_on_pad());
        assert!(!asker.had_no_source());
        let text = what_is_signed(&request);
        assert!(
            text.ends_with("Enter PIN2 on the reader's keypad.\n"),
            "{text}"
        );
        let state = PinState {
            kind: PinKind::Pin1,
            retries_left: 3,
            max_retries: 3,
            pin_pad: true,
        };
        assert!(
            asker
                .ask(PinKind::Pin1, Some(state))
                .unwrap()
                .entered_on_pad()
        );
    }
}
