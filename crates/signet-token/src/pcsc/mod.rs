//! The Estonian ID card through PC/SC, by its own APDUs (IDEMIA COSMO 8 and COSMO X, Thales
//! 2025).
//!
//! Each operation connects in shared mode, holds one PC/SC transaction only around its short
//! group of APDUs, and lets go: no transaction is open while the person types a PIN, because the
//! caller has the PIN before the operation starts. PIN2 is verified right before every
//! signature and dropped after it.

mod apdu;
mod thales;
mod watch;

pub use watch::{CardEvent, Watcher, watch};

use std::ffi::CString;
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use apdu::Dialect;

use crate::{
    CardTrouble, KeyRole, PersonalData, Pin, PinKind, PinState, RawSignature, SigningToken,
    TokenCertificate, TokenError,
};

const OK: u16 = 0x9000;

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
}

impl std::fmt::Debug for PcscToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcscToken")
            .field("reader", &self.reader)
            .field("model", &self.model)
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
        tracing::debug!(model, reader = %self.reader.to_string_lossy(), "card connected");
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
        let mut session = Session {
            transaction: &transaction,
            failure: None,
        };
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
        self.session(|s| {
            s.select_for(dialect, kind)?;
            s.refuse_if_blocked(dialect, kind)?;
            let command = match dialect {
                Dialect::Idemia => apdu::verify(pin),
                Dialect::Thales => thales::verify(pin),
            };
            let (_, sw) = s.transmit(&command)?;
            pin_status(kind, sw, "VERIFY")
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

/// What went wrong inside a transaction: PC/SC itself, or the card's answer.
enum Failure {
    Pcsc(pcsc::Error),
    Token(TokenError),
}

/// One transaction's worth of APDUs.
struct Session<'t> {
    transaction: &'t pcsc::Transaction<'t>,
    failure: Option<pcsc::Error>,
}

impl Session<'_> {
    /// Sends one APDU; returns the data and the status word. Resends a READ-style command
    /// (case 2) with the length a 6Cxx names, and fetches 61xx data with GET RESPONSE, as
    /// libpcsc-cpp does.
    fn transmit(&mut self, command: &[u8]) -> Result<(Zeroizing<Vec<u8>>, u16), TokenError> {
        let (mut data, mut sw) = self.transmit_once(command)?;
        if sw & 0xFF00 == 0x6C00 && command.len() == 5 {
            let mut again = command.to_vec();
            again[4] = sw.to_be_bytes()[1];
            (data, sw) = self.transmit_once(&again)?;
        }
        let mut parts = 0;
        while sw & 0xFF00 == 0x6100 {
            parts += 1;
            if parts > 64 {
                return Err(TokenError::Malformed(
                    "an answer in more than 64 parts".into(),
                ));
            }
            let le = sw.to_be_bytes()[1];
            let (more, next) = self.transmit_once(&[0x00, 0xC0, 0x00, 0x00, le])?;
            data.extend_from_slice(&more);
            sw = next;
        }
        Ok((data, sw))
    }

    fn transmit_once(&mut self, command: &[u8]) -> Result<(Zeroizing<Vec<u8>>, u16), TokenError> {
        tracing::trace!(apdu = %apdu::redacted_hex(command), "card command");
        let mut buffer = Zeroizing::new(vec![0_u8; pcsc::MAX_BUFFER_SIZE_EXTENDED]);
        let answer = match self.transaction.transmit(command, &mut buffer) {
            Ok(answer) => answer.to_vec(),
            Err(error) => {
                self.failure = Some(error);
                return Err(CardTrouble::Communication {
                    detail: error.to_string(),
                }
                .into());
            }
        };
        let Some(split) = answer.len().checked_sub(2) else {
            // vpcd (and some readers) return an empty answer when the card goes away mid-command:
            // treat it like "not transacted", which checks whether the card is still there.
            self.failure = Some(pcsc::Error::NotTransacted);
            return Err(TokenError::Malformed(
                "an answer shorter than its status word".into(),
            ));
        };
        let sw = u16::from_be_bytes([answer[split], answer[split + 1]]);
        tracing::trace!(sw = format_args!("{sw:04X}"), len = split, "card answer");
        let mut data = Zeroizing::new(answer);
        data.truncate(split);
        Ok((data, sw))
    }

    fn expect_ok(
        &mut self,
        command: &'static str,
        apdu: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, TokenError> {
        let (data, sw) = self.transmit(apdu)?;
        if sw == OK {
            Ok(data)
        } else {
            Err(TokenError::UnexpectedStatus { command, sw })
        }
    }

    /// Selects the application whose PIN `kind` is (QSCD for PIN2, the main one otherwise).
    /// (Thales: the one application.)
    fn select_for(&mut self, dialect: Dialect, kind: PinKind) -> Result<(), TokenError> {
        if dialect == Dialect::Thales {
            self.expect_ok("SELECT", &apdu::select_aid(thales::AID))?;
            return Ok(());
        }
        self.expect_ok("SELECT", &apdu::select_aid(apdu::MAIN_AID))?;
        if kind == PinKind::Pin2 {
            self.expect_ok("SELECT", &apdu::select_aid(apdu::QSCD_AID))?;
        }
        Ok(())
    }

    /// The counter of `kind`, and (Thales) whether the PIN was ever changed.
    fn counter(
        &mut self,
        dialect: Dialect,
        kind: PinKind,
    ) -> Result<(PinState, Option<bool>), TokenError> {
        self.select_for(dialect, kind)?;
        match dialect {
            Dialect::Idemia => {
                let data = self.expect_ok("GET DATA", &apdu::tries_left(kind))?;
                let (max_retries, retries_left) = apdu::parse_tries(&data).ok_or_else(|| {
                    TokenError::Malformed("retry counter without tags 9A/9B".into())
                })?;
                Ok((
                    PinState {
                        kind,
                        retries_left,
                        max_retries,
                    },
                    None,
                ))
            }
            Dialect::Thales => {
                let data = self.expect_ok("GET DATA", &thales::tries_left(kind))?;
                let (retries_left, changed) = thales::parse_tries(&data)
                    .ok_or_else(|| TokenError::Malformed("retry counter without DF21".into()))?;
                Ok((
                    PinState {
                        kind,
                        retries_left,
                        max_retries: 3,
                    },
                    changed,
                ))
            }
        }
    }

    fn pin_state(&mut self, dialect: Dialect, kind: PinKind) -> Result<PinState, TokenError> {
        Ok(self.counter(dialect, kind)?.0)
    }

    /// Never sends VERIFY to a blocked PIN (the application stays selected).
    fn refuse_if_blocked(&mut self, dialect: Dialect, kind: PinKind) -> Result<(), TokenError> {
        if self.pin_state(dialect, kind)?.blocked() {
            return Err(blocked(kind).into());
        }
        Ok(())
    }

    /// Selects a file with `select` (which asks for its FCP) and reads it whole.
    fn read_file(&mut self, select: &[u8]) -> Result<Vec<u8>, TokenError> {
        let fcp = self.expect_ok("SELECT", select)?;
        let size = apdu::fcp_size(&fcp)
            .ok_or_else(|| TokenError::Malformed("FCP without a file size".into()))?;
        if size == 0 || size > apdu::MAX_FILE {
            return Err(TokenError::Malformed(format!("a file of {size} bytes")));
        }
        let mut content = Vec::with_capacity(size);
        while content.len() < size {
            let want = (size - content.len()).min(usize::from(apdu::READ_CHUNK));
            let le = u8::try_from(want).unwrap_or(apdu::READ_CHUNK);
            let chunk = self.expect_ok("READ BINARY", &apdu::read_binary(content.len(), le))?;
            if chunk.is_empty() {
                return Err(TokenError::Malformed("READ BINARY returned nothing".into()));
            }
            content.extend_from_slice(&chunk);
        }
        content.truncate(size);
        Ok(content)
    }
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

/// Reads the status word of VERIFY / CHANGE REFERENCE DATA.
fn pin_status(kind: PinKind, sw: u16, command: &'static str) -> Result<(), TokenError> {
    match sw {
        OK => Ok(()),
        0x63C0 | 0x6983 => Err(blocked(kind).into()),
        // A PIN-pad reader answers for the card when the person does not finish (card.md §6).
        0x6400 => Err(CardTrouble::PinPadTimeout.into()),
        0x6401 => Err(CardTrouble::PinPadCancelled.into()),
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
        self.session(|s| s.pin_state(dialect, kind))
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
        let signature = self.session(|s| {
            if dialect == Dialect::Thales {
                let kind = role.pin();
                let (state, changed) = s.counter(dialect, kind)?;
                if state.blocked() {
                    return Err(blocked(kind).into());
                }
                if role == KeyRole::Signing && changed == Some(false) {
                    // Never "wrong PIN": the card must be activated (PIN2 changed) first.
                    return Err(CardTrouble::NotActivated.into());
                }
                let (_, sw) = s.transmit(&thales::verify(&pin))?;
                pin_status(kind, sw, "VERIFY")?;
                s.expect_ok("MSE:SET", &thales::mse(thales::key_ref(kind)))?;
                s.expect_ok("PSO:HASH", &thales::pso_hash(&padded))?;
                let raw = s.expect_ok("SIGN", thales::PSO_CDS)?;
                return signature_of(&raw);
            }
            let (aid, mse, command) = match role {
                KeyRole::Authentication => {
                    (apdu::AWP_AID, apdu::MSE_AUTH, apdu::INTERNAL_AUTHENTICATE)
                }
                KeyRole::Signing => (apdu::QSCD_AID, apdu::MSE_SIGN, apdu::PSO_CDS),
            };
            s.expect_ok("SELECT", &apdu::select_aid(apdu::MAIN_AID))?;
            s.expect_ok("SELECT", &apdu::select_aid(aid))?;
            let kind = role.pin();
            let data = s.expect_ok("GET DATA", &apdu::tries_left(kind))?;
            if apdu::parse_tries(&data).is_some_and(|(_, left)| left == 0) {
                return Err(blocked(kind).into());
            }
            s.expect_ok("MSE:SET", mse)?;
            let (_, sw) = s.transmit(&apdu::verify(&pin))?;
            pin_status(kind, sw, "VERIFY")?;
            let raw = s.expect_ok("SIGN", &apdu::with_digest(command, &padded))?;
            signature_of(&raw)
        });
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
