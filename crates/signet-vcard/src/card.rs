//! The card itself: files, PIN counters, security state and the IDEMIA 2018 commands.

use p384::ecdsa::SigningKey;
use signature::hazmat::PrehashSigner as _;
use zeroize::Zeroizing;

use crate::{Fault, Holder};

/// The ATR of an EstEID IDEMIA "COSMO 8" card (2018–2025).
pub const IDEMIA_2018_ATR: [u8; 22] = [
    0x3B, 0xDB, 0x96, 0x00, 0x80, 0xB1, 0xFE, 0x45, 0x1F, 0x83, 0x00, 0x12, 0x23, 0x3F, 0x53, 0x65,
    0x49, 0x44, 0x0F, 0x90, 0x00, 0xF1,
];

/// The ATR of an EstEID Thales card (issued from 2025).
pub const THALES_2025_ATR: [u8; 25] = [
    0x3B, 0xFF, 0x96, 0x00, 0x00, 0x80, 0x31, 0xFE, 0x43, 0x80, 0x31, 0xB8, 0x53, 0x65, 0x49, 0x44,
    0x64, 0xB0, 0x85, 0x05, 0x10, 0x12, 0x23, 0x3F, 0x1D,
];

/// Which card the virtual card plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Dialect {
    /// IDEMIA "COSMO 8" (2018–2025): the ATR OpenSC 0.23 knows.
    #[default]
    Idemia2018,
    /// IDEMIA v2 "COSMO X" (2025): the IDEMIA protocol behind another ATR (OpenSC 0.23 does
    /// not know it).
    IdemiaCosmoX,
    /// Thales (from 2025): its own AID, files, PIN references and PSO:HASH before PSO:CDS.
    Thales2025,
    /// A card Signet does not support (vsmartcard's ISO 7816 example ATR), speaking IDEMIA:
    /// for the "unsupported card" path.
    Unknown,
}

impl Dialect {
    /// The card's answer to reset.
    pub fn atr(self) -> &'static [u8] {
        match self {
            Self::Idemia2018 => &IDEMIA_2018_ATR,
            Self::IdemiaCosmoX => &[
                0x3B, 0xDC, 0x96, 0x00, 0x80, 0xB1, 0xFE, 0x45, 0x1F, 0x83, 0x00, 0x12, 0x23, 0x3F,
                0x54, 0x65, 0x49, 0x44, 0x32, 0x0F, 0x90, 0x00, 0xC3,
            ],
            Self::Thales2025 => &THALES_2025_ATR,
            Self::Unknown => &[
                0x3B, 0x95, 0x13, 0x81, 0x01, 0x80, 0x73, 0xFF, 0x01, 0x00, 0x0B,
            ],
        }
    }
}

const MAIN_AID: &[u8] = &[
    0xA0, 0x00, 0x00, 0x00, 0x77, 0x01, 0x08, 0x00, 0x07, 0x00, 0x00, 0xFE, 0x00, 0x00, 0x01, 0x00,
];
const AWP_AID: &[u8] = &[
    0xE8, 0x28, 0xBD, 0x08, 0x0F, 0xF2, 0x50, 0x4F, 0x54, 0x20, 0x41, 0x57, 0x50,
];
const QSCD_AID: &[u8] = b"QSCD Application";

pub(crate) const SW_OK: [u8; 2] = [0x90, 0x00];
pub(crate) const SW_WRONG_LENGTH: [u8; 2] = [0x67, 0x00];
pub(crate) const SW_SECURITY: [u8; 2] = [0x69, 0x82];
pub(crate) const SW_BLOCKED: [u8; 2] = [0x69, 0x83];
pub(crate) const SW_NOT_FOUND: [u8; 2] = [0x6A, 0x82];
pub(crate) const SW_WRONG_P1P2: [u8; 2] = [0x6B, 0x00];
pub(crate) const SW_INS: [u8; 2] = [0x6D, 0x00];
const SW_CLA: [u8; 2] = [0x6E, 0x00];

pub(crate) const MAX_TRIES: u8 = 3;

/// One PIN as the card keeps it.
pub(crate) struct PinSlot {
    pub(crate) value: Zeroizing<Vec<u8>>,
    pub(crate) left: u8,
    pub(crate) verified: bool,
    /// Whether the holder has ever changed it (Thales: DF2F; a PIN2 never changed means the
    /// card is not activated).
    pub(crate) changed: bool,
}

impl PinSlot {
    fn new(value: &str) -> Self {
        Self {
            value: Zeroizing::new(value.as_bytes().to_vec()),
            left: MAX_TRIES,
            verified: false,
            changed: true,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum App {
    Main,
    Awp,
    Qscd,
}

/// What the connection should do after a command.
pub(crate) enum Reply {
    /// Send this answer.
    Answer(Vec<u8>),
    /// Send this answer, then close the socket (the card is pulled right after it).
    AnswerThenVanish(Vec<u8>),
}

/// The state that survives removal and re-insertion: keys, files, counters.
pub(crate) struct CardState {
    pub(crate) dialect: Dialect,
    pub(crate) holder: Holder,
    pub(crate) auth_key: SigningKey,
    pub(crate) sign_key: SigningKey,
    pub(crate) auth_cert: Vec<u8>,
    pub(crate) sign_cert: Vec<u8>,
    pub(crate) pin1: PinSlot,
    pub(crate) pin2: PinSlot,
    pub(crate) puk: PinSlot,
    pub(crate) app: App,
    pub(crate) df: Option<[u8; 2]>,
    pub(crate) ef: Option<Vec<u8>>,
    pub(crate) key: Option<u8>,
    /// The hash PSO:HASH gave (Thales), for the next PSO:CDS.
    pub(crate) hash: Option<Vec<u8>>,
    /// Answer like a T=0 card: data through 61xx + GET RESPONSE, a wrong Le with 6Cxx.
    pub(crate) t0_style: bool,
    /// Data waiting for GET RESPONSE.
    pending: Vec<u8>,
    pub(crate) fault: Option<Fault>,
    pub(crate) signatures: u32,
    pub(crate) verifies: u32,
}

impl CardState {
    pub(crate) fn new(spec: crate::CardSpec, dialect: Dialect) -> Self {
        Self {
            dialect,
            pin1: PinSlot::new(&spec.pin1),
            pin2: PinSlot::new(&spec.pin2),
            puk: PinSlot::new(&spec.puk),
            holder: spec.holder,
            auth_key: spec.auth_key,
            sign_key: spec.sign_key,
            auth_cert: spec.auth_cert,
            sign_cert: spec.sign_cert,
            app: App::Main,
            df: None,
            ef: None,
            key: None,
            hash: None,
            t0_style: false,
            pending: Vec::new(),
            fault: None,
            signatures: 0,
            verifies: 0,
        }
    }

    /// Power off, power on, reset: the card forgets verified PINs and selections.
    pub(crate) fn reset(&mut self) {
        self.pin1.verified = false;
        self.pin2.verified = false;
        self.puk.verified = false;
        self.app = App::Main;
        self.df = None;
        self.ef = None;
        self.key = None;
        self.hash = None;
    }

    fn file(&self, df: Option<[u8; 2]>, ef: [u8; 2]) -> Option<Vec<u8>> {
        let text = |s: &str| {
            if s.is_empty() {
                vec![0]
            } else {
                s.as_bytes().to_vec()
            }
        };
        let h = &self.holder;
        match (df, ef) {
            (Some([0xAD, 0xF1]), [0x34, 0x01]) => Some(self.auth_cert.clone()),
            (Some([0xAD, 0xF2]), [0x34, 0x1F]) => Some(self.sign_cert.clone()),
            (None, [0xD0, 0x03]) => {
                let number = h.document_number.as_bytes();
                let mut content = vec![0x04, u8::try_from(number.len()).unwrap_or(0)];
                content.extend_from_slice(number);
                Some(content)
            }
            (Some([0x50, 0x00]), [0x50, record]) => Some(match record {
                0x01 => text(&h.surname),
                0x02 => text(&h.given_names),
                0x03 => text(&h.sex),
                0x04 => text(&h.citizenship),
                0x05 => text(&h.birth),
                0x06 => text(&h.personal_code),
                0x07 => text(&h.document_number),
                0x08 => text(&h.expiry),
                0x09..=0x0F => vec![0],
                _ => return None,
            }),
            _ => None,
        }
    }

    pub(crate) fn pin(&mut self, reference: u8) -> Option<&mut PinSlot> {
        let thales = self.dialect == Dialect::Thales2025;
        match (thales, reference) {
            (false, 0x01) | (true, 0x81) => Some(&mut self.pin1),
            (false, 0x85) | (true, 0x82) => Some(&mut self.pin2),
            (false, 0x02) | (true, 0x83) => Some(&mut self.puk),
            _ => None,
        }
    }

    /// Handles one command APDU; in T=0 style, hands out data in parts.
    pub(crate) fn command(&mut self, apdu: &[u8]) -> Reply {
        if !self.t0_style {
            return self.answer(apdu);
        }
        // GET RESPONSE: the next part of what the last command answered.
        if let [0x00, 0xC0, 0x00, 0x00, le] = apdu {
            if self.pending.is_empty() {
                return Reply::Answer(SW_NOT_FOUND.to_vec());
            }
            let take = self.pending.len().min(usize::from(*le).max(1));
            let mut out: Vec<u8> = self.pending.drain(..take).collect();
            out.extend_from_slice(&self.parts_status());
            return Reply::Answer(out);
        }
        self.pending.clear();
        // READ BINARY asking for 256 bytes (Le 00) of a shorter rest: 6C with the right length.
        if let [0x00, 0xB0, p1, p2, 0x00] = apdu
            && let Some(content) = &self.ef
        {
            let offset = usize::from(*p1 & 0x7F) << 8 | usize::from(*p2);
            let rest = content.len().saturating_sub(offset);
            if (1..256).contains(&rest) {
                return Reply::Answer(vec![0x6C, u8::try_from(rest).unwrap_or(0)]);
            }
        }
        match self.answer(apdu) {
            Reply::Answer(answer) if answer.len() > 2 && answer.ends_with(&SW_OK) => {
                self.pending = answer[..answer.len() - 2].to_vec();
                Reply::Answer(self.parts_status().to_vec())
            }
            other => other,
        }
    }

    /// 61xx while data waits (xx = how much, at most 255), 9000 when all is out.
    fn parts_status(&self) -> [u8; 2] {
        match self.pending.len() {
            0 => SW_OK,
            n => [0x61, u8::try_from(n.min(0xFF)).unwrap_or(0xFF)],
        }
    }

    fn answer(&mut self, apdu: &[u8]) -> Reply {
        let answer = |data: Vec<u8>, sw: [u8; 2]| {
            let mut out = data;
            out.extend_from_slice(&sw);
            Reply::Answer(out)
        };
        let status = |sw: [u8; 2]| Reply::Answer(sw.to_vec());
        let [cla, ins, p1, p2, rest @ ..] = apdu else {
            return status(SW_WRONG_LENGTH);
        };
        if *cla != 0x00 {
            return status(SW_CLA);
        }
        let data: &[u8] = match rest {
            [] | [_] => &[],
            [lc, body @ ..] => body.get(..usize::from(*lc)).unwrap_or(&[]),
        };
        let le = match rest {
            [le] => Some(*le),
            [lc, body @ ..] => body.get(usize::from(*lc)).copied(),
            [] => None,
        };
        if self.dialect == Dialect::Thales2025 {
            return self.thales_command(*ins, *p1, *p2, data, le);
        }
        match ins {
            0xA4 => self.select(*p1, *p2, data),
            0xB0 => {
                let Some(content) = &self.ef else {
                    return status(SW_NOT_FOUND);
                };
                let offset = usize::from(*p1 & 0x7F) << 8 | usize::from(*p2);
                let want = match le {
                    Some(0) | None => 256,
                    Some(n) => usize::from(n),
                };
                if offset > content.len() {
                    return status(SW_WRONG_P1P2);
                }
                let end = content.len().min(offset + want);
                answer(content[offset..end].to_vec(), SW_OK)
            }
            0xCB => {
                let Some(which) = data.get(6) else {
                    return status(SW_WRONG_LENGTH);
                };
                let reference = match which {
                    0x01 => 0x01,
                    0x02 => 0x02,
                    0x05 => 0x85,
                    _ => return status(SW_NOT_FOUND),
                };
                let Some(slot) = self.pin(reference) else {
                    return status(SW_NOT_FOUND);
                };
                let mut reply = vec![
                    0x70, 0x1E, 0xBF, 0x81, *which, 0x1A, 0xA0, 0x18, 0x9A, 0x01, MAX_TRIES, 0x9B,
                    0x01, slot.left, 0xA1, 0x10,
                ];
                reply.resize(32, 0);
                answer(reply, SW_OK)
            }
            0x20 => match self.verify(*p2, data) {
                Reply::Answer(sw)
                    if sw == SW_OK
                        && matches!(*p2, 0x85 | 0x82)
                        && self.fault == Some(Fault::RemoveDuringSignature) =>
                {
                    self.fault = None;
                    Reply::AnswerThenVanish(sw)
                }
                other => other,
            },
            0x24 => {
                if data.len() != 24 {
                    return status(SW_WRONG_LENGTH);
                }
                let (old, new) = data.split_at(12);
                match self.verify(*p2, old) {
                    Reply::Answer(sw) if sw == SW_OK => {}
                    other => return other,
                }
                let Some(slot) = self.pin(*p2) else {
                    return status(SW_NOT_FOUND);
                };
                slot.value = Zeroizing::new(unpad(new).to_vec());
                slot.changed = true;
                status(SW_OK)
            }
            0x2C => {
                if !self.puk.verified {
                    return status(SW_SECURITY);
                }
                let Some(slot) = self.pin(*p2) else {
                    return status(SW_NOT_FOUND);
                };
                slot.value = Zeroizing::new(unpad(data).to_vec());
                slot.left = MAX_TRIES;
                slot.verified = false;
                self.puk.verified = false;
                status(SW_OK)
            }
            0x22 => {
                self.key = data
                    .windows(3)
                    .find(|w| w[0] == 0x84 && w[1] == 0x01)
                    .map(|w| w[2]);
                status(if self.key.is_some() {
                    SW_OK
                } else {
                    SW_NOT_FOUND
                })
            }
            0x88 => {
                if self.app != App::Awp || self.key != Some(0x81) || !self.pin1.verified {
                    return status(SW_SECURITY);
                }
                sign(&self.auth_key, data)
            }
            0x2A if (*p1, *p2) == (0x9E, 0x9A) => {
                if self.app != App::Qscd || self.key != Some(0x9F) || !self.pin2.verified {
                    return status(SW_SECURITY);
                }
                // PIN2 is good for one signature only.
                self.pin2.verified = false;
                self.signatures += 1;
                sign(&self.sign_key, data)
            }
            _ => status(SW_INS),
        }
    }

    fn select(&mut self, p1: u8, p2: u8, data: &[u8]) -> Reply {
        let ok_fcp = |content: &[u8], fid: [u8; 2]| {
            if p2 == 0x0C {
                return Reply::Answer(SW_OK.to_vec());
            }
            let size = u16::try_from(content.len())
                .unwrap_or(u16::MAX)
                .to_be_bytes();
            let mut fcp = vec![
                0x62, 0x0B, 0x80, 0x02, size[0], size[1], 0x82, 0x01, 0x01, 0x83, 0x02,
            ];
            fcp.extend_from_slice(&fid);
            fcp.extend_from_slice(&SW_OK);
            Reply::Answer(fcp)
        };
        match p1 {
            0x04 => {
                self.df = None;
                self.ef = None;
                if data == MAIN_AID {
                    self.reset();
                } else if data == AWP_AID {
                    self.app = App::Awp;
                } else if data == QSCD_AID {
                    self.app = App::Qscd;
                } else {
                    return Reply::Answer(SW_NOT_FOUND.to_vec());
                }
                Reply::Answer(SW_OK.to_vec())
            }
            // The MF by FID, or with no data at all (OpenSC's esteid2018).
            0x00 if data == [0x3F, 0x00] || data.is_empty() => {
                self.df = None;
                self.ef = None;
                Reply::Answer(SW_OK.to_vec())
            }
            0x01 => match data {
                [0x50, 0x00] | [0xAD, 0xF1] | [0xAD, 0xF2] => {
                    // ADF1 and ADF2 by FID are the AWP and QSCD applications (OpenSC selects
                    // them so); the verified PINs stay verified.
                    match data {
                        [0xAD, 0xF1] => self.app = App::Awp,
                        [0xAD, 0xF2] => self.app = App::Qscd,
                        _ => {}
                    }
                    self.df = Some([data[0], data[1]]);
                    self.ef = None;
                    Reply::Answer(SW_OK.to_vec())
                }
                _ => Reply::Answer(SW_NOT_FOUND.to_vec()),
            },
            0x02 | 0x09 => {
                let path = data.strip_prefix(&[0x3F, 0x00][..]).unwrap_or(data);
                let (df, ef) = match (p1, path) {
                    (0x02, [a, b]) => (self.df, [*a, *b]),
                    (0x09, [a, b]) => (None, [*a, *b]),
                    (0x09, [d1, d2, a, b]) => (Some([*d1, *d2]), [*a, *b]),
                    _ => return Reply::Answer(SW_NOT_FOUND.to_vec()),
                };
                match self.file(df, ef) {
                    Some(content) => {
                        let reply = ok_fcp(&content, ef);
                        self.df = df;
                        self.ef = Some(content);
                        reply
                    }
                    None => Reply::Answer(SW_NOT_FOUND.to_vec()),
                }
            }
            _ => Reply::Answer(SW_WRONG_P1P2.to_vec()),
        }
    }

    pub(crate) fn verify(&mut self, reference: u8, data: &[u8]) -> Reply {
        if !data.is_empty() {
            self.verifies += 1;
        }
        let Some(slot) = self.pin(reference) else {
            return Reply::Answer(SW_NOT_FOUND.to_vec());
        };
        if slot.left == 0 {
            return Reply::Answer(SW_BLOCKED.to_vec());
        }
        if data.is_empty() {
            return Reply::Answer(if slot.verified {
                SW_OK.to_vec()
            } else {
                vec![0x63, 0xC0 | slot.left]
            });
        }
        if data.len() != 12 {
            return Reply::Answer(SW_WRONG_LENGTH.to_vec());
        }
        if unpad(data) == slot.value.as_slice() {
            slot.left = MAX_TRIES;
            slot.verified = true;
            Reply::Answer(SW_OK.to_vec())
        } else {
            slot.left -= 1;
            slot.verified = false;
            Reply::Answer(vec![0x63, 0xC0 | slot.left])
        }
    }
}

/// The digits of a PIN block: IDEMIA pads with 0xFF, Thales with 0x00.
pub(crate) fn unpad(data: &[u8]) -> &[u8] {
    let end = data
        .iter()
        .position(|b| *b == 0xFF || *b == 0x00)
        .unwrap_or(data.len());
    &data[..end]
}

pub(crate) fn sign(key: &SigningKey, digest: &[u8]) -> Reply {
    if digest.len() != 48 {
        return Reply::Answer(SW_WRONG_LENGTH.to_vec());
    }
    let signature: Result<p384::ecdsa::Signature, _> = key.sign_prehash(digest);
    match signature {
        Ok(signature) => {
            let mut out = signature.to_bytes().to_vec();
            out.extend_from_slice(&SW_OK);
            Reply::Answer(out)
        }
        Err(_) => Reply::Answer(vec![0x6F, 0x00]),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use crate::{CardSpec, Holder};

    fn card() -> CardState {
        card_of(Dialect::Idemia2018)
    }

    pub(crate) fn card_of(dialect: Dialect) -> CardState {
        let key = || SigningKey::random(&mut p384::elliptic_curve::rand_core::OsRng);
        CardState::new(
            CardSpec {
                holder: Holder::new("TAMM", "MARI", "38001085718"),
                auth_key: key(),
                auth_cert: vec![0x30; 700],
                sign_key: key(),
                sign_cert: vec![0x30; 650],
                pin1: "1234".into(),
                pin2: "12345".into(),
                puk: "12345678".into(),
            },
            dialect,
        )
    }

    fn run(card: &mut CardState, apdu: &[u8]) -> Vec<u8> {
        match card.command(apdu) {
            Reply::Answer(answer) | Reply::AnswerThenVanish(answer) => answer,
        }
    }

    fn sw(answer: &[u8]) -> [u8; 2] {
        [answer[answer.len() - 2], answer[answer.len() - 1]]
    }

    fn verify(reference: u8, digits: &[u8]) -> Vec<u8> {
        let mut apdu = vec![0x00, 0x20, 0x00, reference, 0x0C];
        apdu.extend_from_slice(digits);
        apdu.resize(17, 0xFF);
        apdu
    }

    fn cds() -> Vec<u8> {
        let mut apdu = vec![0x00, 0x2A, 0x9E, 0x9A, 0x30];
        apdu.extend_from_slice(&[7; 48]);
        apdu.push(0);
        apdu
    }

    #[test]
    fn pin2_is_good_for_one_signature_only() {
        let mut card = card();
        let mut select = vec![0x00, 0xA4, 0x04, 0x0C, 0x10];
        select.extend_from_slice(QSCD_AID);
        assert_eq!(run(&mut card, &select), SW_OK);
        let mse = [
            0x00, 0x22, 0x41, 0xB6, 0x06, 0x80, 0x01, 0x54, 0x84, 0x01, 0x9F,
        ];
        assert_eq!(run(&mut card, &mse), SW_OK);
        assert_eq!(run(&mut card, &cds()), SW_SECURITY);
        assert_eq!(run(&mut card, &verify(0x85, b"12345")), SW_OK);
        let signature = run(&mut card, &cds());
        assert_eq!((signature.len(), sw(&signature)), (98, SW_OK));
        assert_eq!(run(&mut card, &cds()), SW_SECURITY);
    }

    #[test]
    fn wrong_pins_count_down_and_block() {
        let mut card = card();
        assert_eq!(run(&mut card, &verify(0x01, b"0000")), [0x63, 0xC2]);
        assert_eq!(run(&mut card, &verify(0x01, b"0000")), [0x63, 0xC1]);
        assert_eq!(run(&mut card, &verify(0x01, b"0000")), [0x63, 0xC0]);
        assert_eq!(run(&mut card, &verify(0x01, b"1234")), SW_BLOCKED);
        assert_eq!(run(&mut card, &verify(0x02, b"12345678")), SW_OK);
        let mut reset = vec![0x00, 0x2C, 0x02, 0x01, 0x0C];
        reset.extend_from_slice(b"4321");
        reset.resize(17, 0xFF);
        assert_eq!(run(&mut card, &reset), SW_OK);
        assert_eq!(run(&mut card, &verify(0x01, b"4321")), SW_OK);
    }

    #[test]
    fn certificates_are_read_in_chunks_after_an_fcp() {
        let mut card = card();
        let select = [
            0x00, 0xA4, 0x09, 0x04, 0x06, 0x3F, 0x00, 0xAD, 0xF1, 0x34, 0x01, 0x00,
        ];
        let fcp = run(&mut card, &select);
        assert_eq!(&fcp[..6], &[0x62, 0x0B, 0x80, 0x02, 0x02, 0xBC]);
        let chunk = run(&mut card, &[0x00, 0xB0, 0x02, 0x80, 0xC0]);
        assert_eq!(chunk.len(), 700 - 0x280 + 2);
        assert_eq!(
            run(&mut card, &[0x00, 0xB0, 0x03, 0x00, 0xC0]),
            SW_WRONG_P1P2
        );
    }
}
