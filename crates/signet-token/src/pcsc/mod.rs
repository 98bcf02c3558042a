//! The Estonian ID card through PC/SC, by its own APDUs (IDEMIA COSMO 8 and COSMO X, Thales
//! 2025).
//!
//! Each operation connects in shared mode, holds one PC/SC transaction only around its short
//! group of APDUs, and lets go: no transaction is open while the person types a PIN, because the
//! caller has the PIN before the operation starts. PIN2 is verified right before every
//! signature and dropped after it.
//!
//! A reader with a PIN pad (PC/SC part 10 `FEATURE_VERIFY_PIN_DIRECT`, [`pinpad`]) takes PIN1
//! and PIN2 on its own keys when the caller answers with [`Pin::on_pad`]: the reader sends
//! VERIFY itself and no digit crosses the host. Then, and only then, a transaction is open while
//! the person types, because the reader needs the card for itself. [`PcscToken::use_pin_pad`]
//! turns the pad off (the person's setting); changing and unblocking PINs always take them from
//! the host.

mod apdu;
mod pinpad;
mod session;
mod thales;
mod watch;

#[cfg(test)]
mod scripted;

pub use watch::{CardEvent, Watcher, watch};

use std::ffi::CString;
use std::time::{Duration, Instant};

use apdu::Dialect;
use pinpad::PinPad;
use session::Session;

use crate::{
    CardTrouble, KeyRole, PersonalData, Pin, PinKind, PinState, RawSignature, SigningToken,
    TokenCertificate, TokenError,
};

pub(crate) const OK: u16 = 0x9000;

/// The readers pcscd knows and whether each holds a card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderStatus {
    /// The reader's name.
    pub name: String,
    /// Whether a card is present.
    pub card_present: bool,
}

/// Lists the readers. Fails with [`CardTrouble::ServiceNotRunning`] or [`CardTrouble::NoReader`].
pub fn readers() -> Result<Vec<ReaderStatus>, TokenError> {
    let context = establish()?;
    reader_statuses(&context)
}

fn establish() -> Result<pcsc::Context, TokenError> {
    pcsc::Context::establish(pcsc::Scope::User).map_err(|e| TokenError::Card(trouble(e)))
}

fn reader_statuses(context: &pcsc::Context) -> Result<Vec<ReaderStatus>, TokenError> {
    let names = context
        .list_readers_owned()
        .map_err(|e| TokenError::Card(trouble(e)))?;
    if names.is_empty() {
        return Err(CardTrouble::NoReader.into());
    }
    let mut states: Vec<pcsc::ReaderState> = names
        .iter()
        .map(|name| pcsc::ReaderState::new(name.clone(), pcsc::State::UNAWARE))
        .collect();
    context
        .get_status_change(Duration::ZERO, &mut states)
        .map_err(|e| TokenError::Card(trouble(e)))?;
    Ok(states
        .iter()
        .map(|state| ReaderStatus {
            name: state.name().to_string_lossy().into_owned(),
            card_present: state.event_state().contains(pcsc::State::PRESENT),
        })
        .collect())
}

/// Maps a PC/SC error onto the person's view of it (libpcsc-cpp's mapping).
fn trouble(error: pcsc::Error) -> CardTrouble {
    use pcsc::Error as E;
    match error {
        E::NoService | E::ServiceStopped => CardTrouble::ServiceNotRunning,
        E::NoReadersAvailable | E::ReaderUnavailable | E::UnknownReader => CardTrouble::NoReader,
        E::NoSmartcard => CardTrouble::NoCard,
        E::RemovedCard => CardTrouble::CardRemoved,
        E::SharingViolation => CardTrouble::CardInUse,
        E::UnsupportedCard | E::UnpoweredCard | E::UnresponsiveCard => {
            CardTrouble::UnsupportedCard { atr: String::new() }
        }
        other => CardTrouble::Communication {
            detail: other.to_string(),
        },
    }
}

/// An Estonian ID card in one reader.
pub struct PcscToken {
    context: pcsc::Context,
    reader: CString,
    card: Option<pcsc::Card>,
    model: &'static str,
    dialect: Dialect,
    /// The reader's PIN pad, when it has one.
    pin_pad: Option<PinPad>,
    /// Whether to use the pad (the person's setting; on by default).
    use_pin_pad: bool,
}

impl std::fmt::Debug for PcscToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcscToken")
            .field("reader", &self.reader)
            .field("model", &self.model)
            .field("pin_pad", &self.pin_pad())
            .finish_non_exhaustive()
    }
}

impl PcscToken {
    /// Opens the card in `reader`, or in the only reader that holds a card.
    pub fn open(reader: Option<&str>) -> Result<Self, TokenError> {
        let context = establish()?;
        let statuses = reader_statuses(&context)?;
        let name = match reader {
            Some(wanted) => statuses
                .iter()
                .find(|r| r.name == wanted)
                .ok_or(CardTrouble::NoReader)?
                .name
                .clone(),
            None => {
                let with_card: Vec<_> = statuses.iter().filter(|r| r.card_present).collect();
                match with_card.as_slice() {
                    [] => return Err(CardTrouble::NoCard.into()),
                    [one] => one.name.clone(),
                    several => {
                        return Err(CardTrouble::SeveralCards {
                            count: several.len(),
                        }
                        .into());
                    }
                }
            }
        };
        let reader = CString::new(name)
            .map_err(|_| TokenError::Malformed("reader name with a NUL byte".into()))?;
        let mut token = Self {
            context,
            reader,
            card: None,
            model: "",
            dialect: Dialect::Idemia,
            pin_pad: None,
            use_pin_pad: true,
        };
        token.connect()?;
        Ok(token)
    }

    /// The reader's name.
    pub fn reader_name(&self) -> String {
        self.reader.to_string_lossy().into_owned()
    }

    /// What the card is ("EstEID IDEMIA 2018 (COSMO 8)").
    pub fn model(&self) -> &'static str {
        self.model
    }

    /// Uses the reader's PIN pad for PIN1 and PIN2 when it has one (`true`, the default), or
    /// takes every PIN from the host (`false`: the person's setting, for a pad that misbehaves).
    pub fn use_pin_pad(&mut self, on: bool) {
        self.use_pin_pad = on;
    }

    /// Whether PIN1 and PIN2 are typed on the reader's PIN pad: it has one, and it is in use.
    pub fn has_pin_pad(&self) -> bool {
        self.pin_pad().is_some()
    }

    fn pin_pad(&self) -> Option<PinPad> {
        self.pin_pad.filter(|_| self.use_pin_pad)
    }

    fn connect(&mut self) -> Result<(), TokenError> {
        self.card = None;
        let card = self
            .context
            .connect(&self.reader, pcsc::ShareMode::Shared, pcsc::Protocols::T1)
            .map_err(|e| TokenError::Card(trouble(e)))?;
        let atr = card
            .status2_owned()
            .map_err(|e| TokenError::Card(trouble(e)))?
            .atr()
            .to_vec();
        let Some((model, _, dialect)) = apdu::KNOWN_ATRS
            .iter()
            .find(|(_, known, _)| *known == atr.as_slice())
        else {
            let atr: String = atr.iter().map(|b| format!("{b:02X}")).collect();
            tracing::info!(%atr, "unsupported card");
            return Err(CardTrouble::UnsupportedCard { atr }.into());
        };
        let reader = self.reader.to_string_lossy().into_owned();
        self.pin_pad = pin_pad_of(&card, &reader);
        tracing::debug!(model, %reader, pin_pad = self.pin_pad.is_some(), "card connected");
        self.model = model;
        self.dialect = *dialect;
        self.card = Some(card);
        Ok(())
    }

    /// Runs `steps` inside one PC/SC transaction, reconnecting once if the card was reset by
    /// someone else.
    fn session<R>(
        &mut self,
        steps: impl Fn(&mut Session<'_>) -> Result<R, TokenError>,
    ) -> Result<R, TokenError> {
        if self.card.is_none() {
            self.connect()?;
        }
        let outcome = self.try_session(&steps);
        match outcome {
            Err(Failure::Pcsc(pcsc::Error::ResetCard)) => {
                tracing::debug!("card was reset by another program; reconnecting");
                self.connect()?;
                self.try_session(&steps).map_err(|f| self.failure(f))
            }
            other => other.map_err(|f| self.failure(f)),
        }
    }

    fn try_session<R>(
        &mut self,
        steps: &impl Fn(&mut Session<'_>) -> Result<R, TokenError>,
    ) -> Result<R, Failure> {
        let card = self
            .card
            .as_mut()
            .ok_or(Failure::Token(CardTrouble::NoCard.into()))?;
        let transaction = card.transaction().map_err(Failure::Pcsc)?;
        let mut session = Session::new(&*transaction);
        let result = steps(&mut session);
        let failure = session.failure.take();
        drop(transaction);
        match (result, failure) {
            (_, Some(error)) => Err(Failure::Pcsc(error)),
            (Ok(value), None) => Ok(value),
            (Err(error), None) => Err(Failure::Token(error)),
        }
    }

    /// Turns a PC/SC failure into trouble, checking whether "not transacted" means "removed".
    fn failure(&mut self, failure: Failure) -> TokenError {
        let error = match failure {
            Failure::Token(error) => return error,
            Failure::Pcsc(error) => error,
        };
        self.card = None;
        let trouble = match error {
            pcsc::Error::NotTransacted | pcsc::Error::CommError | pcsc::Error::ResetCard => {
                if self.card_went_away(Duration::from_millis(1500)) {
                    CardTrouble::CardRemoved
                } else {
                    CardTrouble::Communication {
                        detail: error.to_string(),
                    }
                }
            }
            other => trouble(other),
        };
        tracing::debug!(%trouble, "card operation failed");
        trouble.into()
    }

    /// Whether the reader reports no card within `patience` (pcscd polls vpcd every 400 ms).
    fn card_went_away(&self, patience: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < patience {
            let mut state = [pcsc::ReaderState::new(
                self.reader.clone(),
                pcsc::State::UNAWARE,
            )];
            match self
                .context
                .get_status_change(Duration::from_millis(100), &mut state)
            {
                Ok(()) if state[0].event_state().contains(pcsc::State::EMPTY) => return true,
                Err(pcsc::Error::UnknownReader | pcsc::Error::ReaderUnavailable) => return true,
                _ => {}
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    /// The holder's data from the personal data file (no PIN needed).
    pub fn personal_data(&mut self) -> Result<PersonalData, TokenError> {
        let dialect = self.dialect;
        self.session(|s| {
            match dialect {
                Dialect::Idemia => {
                    s.expect_ok("SELECT", &apdu::select_aid(apdu::MAIN_AID))?;
                    s.expect_ok("SELECT", &apdu::select_child(0x01, [0x50, 0x00]))?;
                }
                Dialect::Thales => {
                    s.expect_ok("SELECT", &apdu::select_aid(thales::AID))?;
                    s.expect_ok("SELECT", &thales::select_personal_df())?;
                }
            }
            let mut field = |record: u8| -> Result<String, TokenError> {
                s.expect_ok("SELECT", &apdu::select_child(0x02, [0x50, record]))?;
                let data = s.expect_ok("READ BINARY", &apdu::read_binary(0, 0x00))?;
                let text = String::from_utf8_lossy(&data);
                Ok(text.trim_matches(['\0', ' ']).to_owned())
            };
            Ok(PersonalData {
                surname: field(0x01)?,
                given_names: field(0x02)?,
                citizenship: field(0x04)?,
                personal_code: field(0x06)?,
                document_number: field(0x07)?,
                expiry: field(0x08)?,
            })
        })
    }

    /// Changes a PIN (or the PUK) from `old` to `new`.
    pub fn change_pin(&mut self, old: Pin, new: Pin) -> Result<(), TokenError> {
        if old.kind() != new.kind() {
            return Err(TokenError::WrongPinKind {
                role: "change",
                expected: old.kind(),
                given: new.kind(),
            });
        }
        let kind = old.kind();
        refuse_password(kind)?;
        refuse_pad(&[&old, &new])?;
        let dialect = self.dialect;
        self.session(|s| {
            s.select_for(dialect, kind)?;
            s.refuse_if_blocked(dialect, kind)?;
            let command = match dialect {
                Dialect::Idemia => apdu::change(&old, &new),
                Dialect::Thales => thales::change(&old, &new),
            };
            let (data, sw) = s.transmit(&command)?;
            drop(data);
            pin_status(kind, sw, "CHANGE REFERENCE DATA")
        })
    }

    /// Checks `pin` with VERIFY. A wrong value costs a try, as it would in CHANGE REFERENCE
    /// DATA: a change checks the current value first, so the new one is asked for only once the
    /// current one is known to be right. A blocked PIN is never sent.
    pub fn verify_pin(&mut self, pin: &Pin) -> Result<(), TokenError> {
        let kind = pin.kind();
        refuse_password(kind)?;
        let dialect = self.dialect;
        let pad = self.pin_pad();
        self.session(|s| {
            s.select_for(dialect, kind)?;
            s.refuse_if_blocked(dialect, kind)?;
            s.verify(dialect, pin, pad)
        })
    }

    /// Unblocks PIN1 or PIN2 with the PUK and sets it to `new`.
    pub fn unblock_pin(&mut self, puk: Pin, new: Pin) -> Result<(), TokenError> {
        if puk.kind() != PinKind::Puk || new.kind() == PinKind::Puk {
            return Err(TokenError::WrongPinKind {
                role: "unblock",
                expected: PinKind::Puk,
                given: puk.kind(),
            });
        }
        refuse_pad(&[&puk, &new])?;
        let dialect = self.dialect;
        self.session(|s| {
            if dialect == Dialect::Thales {
                s.select_for(dialect, PinKind::Puk)?;
                s.refuse_if_blocked(dialect, PinKind::Puk)?;
                let (_, sw) = s.transmit(&thales::unblock(&puk, &new))?;
                return pin_status(PinKind::Puk, sw, "RESET RETRY COUNTER");
            }
            s.expect_ok("SELECT", &apdu::select_aid(apdu::MAIN_AID))?;
            s.refuse_if_blocked(dialect, PinKind::Puk)?;
            let (_, sw) = s.transmit(&apdu::verify(&puk))?;
            pin_status(PinKind::Puk, sw, "VERIFY")?;
            if new.kind() == PinKind::Pin2 {
                s.expect_ok("SELECT", &apdu::select_aid(apdu::QSCD_AID))?;
            }
            let (_, sw) = s.transmit(&apdu::reset_retry_counter(&new))?;
            if sw == OK {
                Ok(())
            } else {
                Err(TokenError::UnexpectedStatus {
                    command: "RESET RETRY COUNTER",
                    sw,
                })
            }
        })
    }
}

/// The PIN pad of the reader `card` is in, from its PC/SC part 10 feature list; none for a plain
/// reader, for one that cannot say (vpcd answers "not supported"), and for the models known to
/// claim a pad they lack.
fn pin_pad_of(link: &dyn session::Link, reader: &str) -> Option<PinPad> {
    let features = match link.control(pinpad::get_feature_request(), &[]) {
        Ok(features) => features,
        Err(error) => {
            tracing::trace!(%error, "the reader lists no features");
            return None;
        }
    };
    let pad = pinpad::parse_features(&features)?;
    if pinpad::falsely_claims_a_pad(reader) {
        tracing::info!(%reader, "the reader claims a PIN pad it lacks: typing PINs on the host");
        return None;
    }
    Some(pad)
}

/// What went wrong inside a transaction: PC/SC itself, or the card's answer.
enum Failure {
    Pcsc(pcsc::Error),
    Token(TokenError),
}

/// A P-384 r ‖ s signature, or an error for anything else.
fn signature_of(raw: &[u8]) -> Result<RawSignature, TokenError> {
    if raw.len() != 96 {
        return Err(TokenError::Malformed(format!(
            "a signature of {} bytes, expected 96",
            raw.len()
        )));
    }
    Ok(RawSignature(raw.to_vec()))
}

fn blocked(kind: PinKind) -> CardTrouble {
    match kind {
        PinKind::Puk => CardTrouble::PukBlocked,
        kind => CardTrouble::PinBlocked { kind },
    }
}

/// A card has no password; only a PKCS#12 file does.
fn refuse_password(kind: PinKind) -> Result<(), TokenError> {
    if kind == PinKind::Password {
        return Err(TokenError::WrongPinKind {
            role: "card",
            expected: PinKind::Pin1,
            given: kind,
        });
    }
    Ok(())
}

/// Changing and unblocking take their PINs from the host (the pad verifies only).
fn refuse_pad(pins: &[&Pin]) -> Result<(), TokenError> {
    if pins.iter().any(|p| p.entered_on_pad()) {
        return Err(TokenError::NoPinPad);
    }
    Ok(())
}

/// Reads the status word of VERIFY / CHANGE REFERENCE DATA.
fn pin_status(kind: PinKind, sw: u16, command: &'static str) -> Result<(), TokenError> {
    match sw {
        OK => Ok(()),
        0x63C0 | 0x6983 => Err(blocked(kind).into()),
        // A PIN-pad reader answers for the card when the person does not finish (card.md §6).
        0x6400 => Err(CardTrouble::PinPadTimeout.into()),
        0x6401 => Err(CardTrouble::PinPadCancelled.into()),
        // The pad took a PIN of the wrong length; the card did not see it.
        0x6403 => {
            let (min, max) = kind.lengths();
            Err(crate::PinFormatError::Length { kind, min, max }.into())
        }
        sw if sw & 0xFFF0 == 0x63C0 => Err(CardTrouble::PinIncorrect {
            kind,
            retries_left: u8::try_from(sw & 0x000F).unwrap_or(0),
        }
        .into()),
        sw => Err(TokenError::UnexpectedStatus { command, sw }),
    }
}

impl SigningToken for PcscToken {
    /// Whether the card must be activated before it signs: a Thales card whose PIN2 was never
    /// changed (DF2F = 00). IDEMIA cards are always active.
    fn needs_activation(&mut self) -> Result<bool, TokenError> {
        let dialect = self.dialect;
        if dialect == Dialect::Idemia {
            return Ok(false);
        }
        self.session(|s| Ok(s.counter(dialect, PinKind::Pin2)?.1 == Some(false)))
    }

    fn certificates(&mut self) -> Result<Vec<TokenCertificate>, TokenError> {
        let dialect = self.dialect;
        self.session(|s| {
            let (auth, sign) = match dialect {
                Dialect::Idemia => {
                    s.expect_ok("SELECT", &apdu::select_aid(apdu::MAIN_AID))?;
                    let auth =
                        s.read_file(&apdu::select_path(&[0x3F, 0x00, 0xAD, 0xF1, 0x34, 0x01]))?;
                    s.expect_ok("SELECT", &apdu::select_aid(apdu::MAIN_AID))?;
                    let sign =
                        s.read_file(&apdu::select_path(&[0x3F, 0x00, 0xAD, 0xF2, 0x34, 0x1F]))?;
                    (auth, sign)
                }
                Dialect::Thales => {
                    s.expect_ok("SELECT", &apdu::select_aid(thales::AID))?;
                    let auth = s.read_file(&thales::select_path(thales::AUTH_CERT))?;
                    let sign = s.read_file(&thales::select_path(thales::SIGN_CERT))?;
                    (auth, sign)
                }
            };
            Ok(vec![
                TokenCertificate {
                    role: KeyRole::Authentication,
                    der: auth,
                },
                TokenCertificate {
                    role: KeyRole::Signing,
                    der: sign,
                },
            ])
        })
    }

    fn pin_state(&mut self, kind: PinKind) -> Result<PinState, TokenError> {
        refuse_password(kind)?;
        let dialect = self.dialect;
        let pin_pad = kind != PinKind::Puk && self.has_pin_pad();
        let state = self.session(|s| s.pin_state(dialect, kind))?;
        Ok(PinState { pin_pad, ..state })
    }

    fn sign_digest(
        &mut self,
        role: KeyRole,
        digest: &[u8],
        pin: Pin,
    ) -> Result<RawSignature, TokenError> {
        if pin.kind() != role.pin() {
            return Err(TokenError::WrongPinKind {
                role: role.as_str(),
                expected: role.pin(),
                given: pin.kind(),
            });
        }
        if digest.len() > apdu::DIGEST_LEN || digest.is_empty() {
            return Err(TokenError::DigestLength { len: digest.len() });
        }
        // Shorter digests are left-padded with zeros (libelectronic-id does the same).
        let mut padded = [0_u8; apdu::DIGEST_LEN];
        padded[apdu::DIGEST_LEN - digest.len()..].copy_from_slice(digest);
        tracing::debug!(key = role.as_str(), digest_len = digest.len(), "signing");
        let dialect = self.dialect;
        let pad = self.pin_pad();
        let signature = self.session(|s| s.sign(dialect, role, &padded, &pin, pad));
        drop(pin);
        signature
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_words_of_pin_commands_map_onto_the_taxonomy() {
        let trouble = |sw| match pin_status(PinKind::Pin2, sw, "VERIFY") {
            Err(TokenError::Card(trouble)) => Some(trouble),
            _ => None,
        };
        assert!(pin_status(PinKind::Pin2, 0x9000, "VERIFY").is_ok());
        assert_eq!(
            trouble(0x63C1),
            Some(CardTrouble::PinIncorrect {
                kind: PinKind::Pin2,
                retries_left: 1
            })
        );
        assert_eq!(
            trouble(0x63C0),
            Some(CardTrouble::PinBlocked {
                kind: PinKind::Pin2
            })
        );
        assert_eq!(
            pin_status(PinKind::Puk, 0x6983, "VERIFY"),
            Err(CardTrouble::PukBlocked.into())
        );
        assert_eq!(trouble(0x6400), Some(CardTrouble::PinPadTimeout));
        assert_eq!(trouble(0x6401), Some(CardTrouble::PinPadCancelled));
        assert!(matches!(
            pin_status(PinKind::Pin2, 0x6A82, "VERIFY"),
            Err(TokenError::UnexpectedStatus { sw: 0x6A82, .. })
        ));
    }
}
