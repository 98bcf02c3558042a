//! One PC/SC transaction's worth of APDUs, over a [`Link`] (the card, or a script in tests):
//! exchanging commands, the PIN counters, reading files, checking a PIN (typed on the host or on
//! the reader's PIN pad) and signing.

use zeroize::Zeroizing;

use super::apdu::{self, Dialect};
use super::pinpad::{self, PinPad};
use super::{OK, blocked, pin_status, signature_of, thales};
use crate::{CardTrouble, KeyRole, Pin, PinKind, PinState, RawSignature, TokenError};

/// What a session needs of PC/SC: one APDU exchange (`SCardTransmit`) and one reader control
/// command (`SCardControl`). The card implements it; the unit tests script it, because no
/// virtual reader (vpcd) can play a PIN pad.
pub(crate) trait Link {
    /// Sends `command`; the answer ends with the status word.
    fn transmit(&self, command: &[u8]) -> Result<Zeroizing<Vec<u8>>, pcsc::Error>;
    /// Sends `input` to the reader with the control code `code` (a code from the reader's
    /// feature list, or [`pinpad::GET_FEATURE_REQUEST`]).
    fn control(&self, code: u32, input: &[u8]) -> Result<Vec<u8>, pcsc::Error>;
}

impl Link for pcsc::Card {
    fn transmit(&self, command: &[u8]) -> Result<Zeroizing<Vec<u8>>, pcsc::Error> {
        let mut buffer = Zeroizing::new(vec![0_u8; pcsc::MAX_BUFFER_SIZE_EXTENDED]);
        let answer = pcsc::Card::transmit(self, command, &mut buffer)?;
        Ok(Zeroizing::new(answer.to_vec()))
    }

    fn control(&self, code: u32, input: &[u8]) -> Result<Vec<u8>, pcsc::Error> {
        let mut buffer = vec![0_u8; pcsc::MAX_BUFFER_SIZE];
        let answer = pcsc::Card::control(self, code.into(), input, &mut buffer)?;
        Ok(answer.to_vec())
    }
}

/// One transaction's worth of APDUs.
pub(super) struct Session<'t> {
    link: &'t dyn Link,
    /// The PC/SC failure that ended the session, if any (the caller checks for a removed card).
    pub(super) failure: Option<pcsc::Error>,
}

impl<'t> Session<'t> {
    /// A session over `link` (a card inside a transaction; a script in tests).
    pub(super) fn new(link: &'t dyn Link) -> Self {
        Self {
            link,
            failure: None,
        }
    }

    /// Sends one APDU; returns the data and the status word. Resends a READ-style command
    /// (case 2) with the length a 6Cxx names, and fetches 61xx data with GET RESPONSE, as
    /// libpcsc-cpp does.
    pub(super) fn transmit(
        &mut self,
        command: &[u8],
    ) -> Result<(Zeroizing<Vec<u8>>, u16), TokenError> {
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
        let answer = match self.link.transmit(command) {
            Ok(answer) => answer,
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
        let mut data = answer;
        data.truncate(split);
        Ok((data, sw))
    }

    pub(super) fn expect_ok(
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
    pub(super) fn select_for(&mut self, dialect: Dialect, kind: PinKind) -> Result<(), TokenError> {
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
    pub(super) fn counter(
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
                        pin_pad: false,
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
                        pin_pad: false,
                    },
                    changed,
                ))
            }
        }
    }

    pub(super) fn pin_state(
        &mut self,
        dialect: Dialect,
        kind: PinKind,
    ) -> Result<PinState, TokenError> {
        Ok(self.counter(dialect, kind)?.0)
    }

    /// Never sends VERIFY to a blocked PIN (the application stays selected).
    pub(super) fn refuse_if_blocked(
        &mut self,
        dialect: Dialect,
        kind: PinKind,
    ) -> Result<(), TokenError> {
        if self.pin_state(dialect, kind)?.blocked() {
            return Err(blocked(kind).into());
        }
        Ok(())
    }

    /// Selects a file with `select` (which asks for its FCP) and reads it whole.
    pub(super) fn read_file(&mut self, select: &[u8]) -> Result<Vec<u8>, TokenError> {
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

    /// Checks `pin` with VERIFY, the application of its kind selected: the digits from the host,
    /// or, for [`Pin::on_pad`], typed on the reader's PIN pad (`FEATURE_VERIFY_PIN_DIRECT`),
    /// where no digit crosses the host. The pad's timeout and cancel come back as their own
    /// trouble.
    pub(super) fn verify(
        &mut self,
        dialect: Dialect,
        pin: &Pin,
        pad: Option<PinPad>,
    ) -> Result<(), TokenError> {
        let kind = pin.kind();
        if pin.entered_on_pad() {
            let pad = pad.ok_or(TokenError::NoPinPad)?;
            let sw = self.verify_on_pad(pad, dialect, kind)?;
            return pin_status(kind, sw, "VERIFY on the PIN pad");
        }
        let command = match dialect {
            Dialect::Idemia => apdu::verify(pin),
            Dialect::Thales => thales::verify(pin),
        };
        let (_, sw) = self.transmit(&command)?;
        pin_status(kind, sw, "VERIFY")
    }

    /// Asks the reader to take `kind` on its keys and send VERIFY itself; returns the status
    /// word (the card's, or the reader's own 6400 timeout / 6401 cancel).
    fn verify_on_pad(
        &mut self,
        pad: PinPad,
        dialect: Dialect,
        kind: PinKind,
    ) -> Result<u16, TokenError> {
        let structure = pinpad::verify_structure(dialect, kind);
        tracing::debug!(pin = %kind, "waiting for the PIN on the reader's PIN pad");
        let answer = match self.link.control(pad.verify, &structure) {
            Ok(answer) => answer,
            Err(error) => {
                self.failure = Some(error);
                return Err(CardTrouble::Communication {
                    detail: error.to_string(),
                }
                .into());
            }
        };
        match answer.as_slice() {
            [.., sw1, sw2] => Ok(u16::from_be_bytes([*sw1, *sw2])),
            _ => Err(TokenError::Malformed(
                "the PIN pad answered without a status word".into(),
            )),
        }
    }

    /// Verifies the PIN of `role` and signs the 48-byte `padded` digest with its key.
    pub(super) fn sign(
        &mut self,
        dialect: Dialect,
        role: KeyRole,
        padded: &[u8; apdu::DIGEST_LEN],
        pin: &Pin,
        pad: Option<PinPad>,
    ) -> Result<RawSignature, TokenError> {
        let kind = role.pin();
        if dialect == Dialect::Thales {
            let (state, changed) = self.counter(dialect, kind)?;
            if state.blocked() {
                return Err(blocked(kind).into());
            }
            if role == KeyRole::Signing && changed == Some(false) {
                // Never "wrong PIN": the card must be activated (PIN2 changed) first.
                return Err(CardTrouble::NotActivated.into());
            }
            self.verify(dialect, pin, pad)?;
            self.expect_ok("MSE:SET", &thales::mse(thales::key_ref(kind)))?;
            self.expect_ok("PSO:HASH", &thales::pso_hash(padded))?;
            let raw = self.expect_ok("SIGN", thales::PSO_CDS)?;
            return signature_of(&raw);
        }
        let (aid, mse, command) = match role {
            KeyRole::Authentication => (apdu::AWP_AID, apdu::MSE_AUTH, apdu::INTERNAL_AUTHENTICATE),
            KeyRole::Signing => (apdu::QSCD_AID, apdu::MSE_SIGN, apdu::PSO_CDS),
        };
        self.expect_ok("SELECT", &apdu::select_aid(apdu::MAIN_AID))?;
        self.expect_ok("SELECT", &apdu::select_aid(aid))?;
        let data = self.expect_ok("GET DATA", &apdu::tries_left(kind))?;
        if apdu::parse_tries(&data).is_some_and(|(_, left)| left == 0) {
            return Err(blocked(kind).into());
        }
        self.expect_ok("MSE:SET", mse)?;
        self.verify(dialect, pin, pad)?;
        let raw = self.expect_ok("SIGN", &apdu::with_digest(command, padded))?;
        signature_of(&raw)
    }
}
