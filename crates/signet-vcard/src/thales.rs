//! The Thales (EstEID from 2025) dialect of the virtual card (`shared/reference/card.md` §4):
//! one PKCS#15 application, certificates at ADF1/3411 and ADF2/3421 with the size in FCP tag 81,
//! personal data under DF DFDD, PINs 0x81 / 0x82 / 0x83 padded with 0x00, retry counters with
//! DF21 (tries left) and DF2F (changed at least once), and signing as VERIFY → MSE:SET →
//! PSO:HASH → PSO:CDS. A card whose PIN2 was never changed is not activated: it refuses to sign
//! with the signing key until PIN2 is changed.

use zeroize::Zeroizing;

use crate::Fault;
use crate::card::{
    App, CardState, MAX_TRIES, Reply, SW_INS, SW_NOT_FOUND, SW_OK, SW_SECURITY, SW_WRONG_LENGTH,
    SW_WRONG_P1P2, sign, unpad,
};

/// The Thales PKCS#15 application: "…PKCS-15".
pub(crate) const THALES_AID: &[u8] = &[
    0xA0, 0x00, 0x00, 0x00, 0x63, 0x50, 0x4B, 0x43, 0x53, 0x2D, 0x31, 0x35,
];

/// Conditions of use not satisfied: the signing key of a card not yet activated.
const SW_CONDITIONS: [u8; 2] = [0x69, 0x85];

fn status(sw: [u8; 2]) -> Reply {
    Reply::Answer(sw.to_vec())
}

fn answer(mut data: Vec<u8>, sw: [u8; 2]) -> Reply {
    data.extend_from_slice(&sw);
    Reply::Answer(data)
}

impl CardState {
    /// Handles one Thales command APDU (CLA already checked).
    pub(crate) fn thales_command(
        &mut self,
        ins: u8,
        p1: u8,
        p2: u8,
        data: &[u8],
        le: Option<u8>,
    ) -> Reply {
        match ins {
            0xA4 => self.thales_select(p1, p2, data),
            0xB0 => {
                let Some(content) = &self.ef else {
                    return status(SW_NOT_FOUND);
                };
                let offset = usize::from(p1 & 0x7F) << 8 | usize::from(p2);
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
            // GET DATA: 00 CB 00 FF 05 A0 03 83 01 <ref> 00
            0xCB => {
                let Some(&reference) = data.get(4) else {
                    return status(SW_WRONG_LENGTH);
                };
                if (p1, p2) != (0x00, 0xFF) || data.get(..4) != Some(&[0xA0, 0x03, 0x83, 0x01]) {
                    return status(SW_WRONG_P1P2);
                }
                let Some(slot) = self.pin(reference) else {
                    return status(SW_NOT_FOUND);
                };
                let body = [
                    0x83,
                    0x01,
                    reference,
                    0xDF,
                    0x21,
                    0x02,
                    slot.left,
                    MAX_TRIES,
                    0xDF,
                    0x2F,
                    0x01,
                    u8::from(slot.changed),
                ];
                let mut reply = vec![0xA0, u8::try_from(body.len()).unwrap_or(0)];
                reply.extend_from_slice(&body);
                answer(reply, SW_OK)
            }
            0x20 => match self.verify(p2, data) {
                Reply::Answer(sw)
                    if sw == SW_OK
                        && p2 == 0x82
                        && self.fault == Some(Fault::RemoveDuringSignature) =>
                {
                    self.fault = None;
                    Reply::AnswerThenVanish(sw)
                }
                other => other,
            },
            // CHANGE REFERENCE DATA: old ‖ new, each padded to 12 bytes with 0x00.
            0x24 => {
                if data.len() != 24 {
                    return status(SW_WRONG_LENGTH);
                }
                let (old, new) = data.split_at(12);
                match self.verify(p2, old) {
                    Reply::Answer(sw) if sw == SW_OK => {}
                    other => return other,
                }
                let Some(slot) = self.pin(p2) else {
                    return status(SW_NOT_FOUND);
                };
                slot.value = Zeroizing::new(unpad(new).to_vec());
                slot.changed = true;
                slot.verified = false;
                status(SW_OK)
            }
            // RESET RETRY COUNTER in one APDU: PUK ‖ new PIN, each padded to 12 bytes.
            0x2C => {
                if data.len() != 24 || p1 != 0x00 {
                    return status(SW_WRONG_LENGTH);
                }
                let (puk, new) = data.split_at(12);
                if !matches!(p2, 0x81 | 0x82) {
                    return status(SW_NOT_FOUND);
                }
                match self.verify(0x83, puk) {
                    Reply::Answer(sw) if sw == SW_OK => {}
                    other => return other,
                }
                self.puk.verified = false;
                let Some(slot) = self.pin(p2) else {
                    return status(SW_NOT_FOUND);
                };
                slot.value = Zeroizing::new(unpad(new).to_vec());
                slot.left = MAX_TRIES;
                slot.verified = false;
                status(SW_OK)
            }
            // MSE:SET, B6 for either key: 80 01 <alg> 84 01 <key>.
            0x22 => {
                if (p1, p2) != (0x41, 0xB6) {
                    return status(SW_WRONG_P1P2);
                }
                self.key = data
                    .windows(3)
                    .find(|w| w[0] == 0x84 && w[1] == 0x01)
                    .map(|w| w[2])
                    .filter(|key| matches!(key, 0x01 | 0x05));
                self.hash = None;
                status(if self.key.is_some() {
                    SW_OK
                } else {
                    SW_NOT_FOUND
                })
            }
            // PSO:HASH: 90 <len> <hash>.
            0x2A if (p1, p2) == (0x90, 0xA0) => match data {
                [0x90, len, hash @ ..] if usize::from(*len) == hash.len() && !hash.is_empty() => {
                    self.hash = Some(hash.to_vec());
                    status(SW_OK)
                }
                _ => status(SW_WRONG_LENGTH),
            },
            // PSO:CDS on the hash given before.
            0x2A if (p1, p2) == (0x9E, 0x9A) => {
                let Some(hash) = self.hash.take() else {
                    return status(SW_CONDITIONS);
                };
                if self.app != App::Main {
                    return status(SW_SECURITY);
                }
                let mut digest = [0_u8; 48];
                if hash.len() > digest.len() {
                    return status(SW_WRONG_LENGTH);
                }
                digest[48 - hash.len()..].copy_from_slice(&hash);
                match self.key {
                    Some(0x01) if self.pin1.verified => sign(&self.auth_key, &digest),
                    Some(0x05) if !self.pin2.changed => status(SW_CONDITIONS),
                    Some(0x05) if self.pin2.verified => {
                        // PIN2 is good for one signature only.
                        self.pin2.verified = false;
                        self.signatures += 1;
                        sign(&self.sign_key, &digest)
                    }
                    Some(0x01 | 0x05) => status(SW_SECURITY),
                    _ => status(SW_CONDITIONS),
                }
            }
            _ => status(SW_INS),
        }
    }

    fn thales_select(&mut self, p1: u8, p2: u8, data: &[u8]) -> Reply {
        match p1 {
            0x04 => {
                self.df = None;
                self.ef = None;
                if data == THALES_AID {
                    self.reset();
                    status(SW_OK)
                } else {
                    status(SW_NOT_FOUND)
                }
            }
            // Path from the MF: a DF (DFDD) or DF ‖ EF.
            0x08 => match data {
                [0xDF, 0xDD] => {
                    self.df = Some([0xDF, 0xDD]);
                    self.ef = None;
                    status(SW_OK)
                }
                [d1, d2, e1, e2] => {
                    let content = match ([*d1, *d2], [*e1, *e2]) {
                        ([0xAD, 0xF1], [0x34, 0x11]) => self.auth_cert.clone(),
                        ([0xAD, 0xF2], [0x34, 0x21]) => self.sign_cert.clone(),
                        _ => return status(SW_NOT_FOUND),
                    };
                    self.select_ef(p2, [*e1, *e2], content)
                }
                _ => status(SW_NOT_FOUND),
            },
            // An EF of the current DF: the personal data records under DFDD.
            0x02 => match (self.df, data) {
                (Some([0xDF, 0xDD]), [0x50, record @ 0x01..=0x08]) => {
                    let h = &self.holder;
                    let text = match record {
                        0x01 => &h.surname,
                        0x02 => &h.given_names,
                        0x03 => &h.sex,
                        0x04 => &h.citizenship,
                        0x05 => &h.birth,
                        0x06 => &h.personal_code,
                        0x07 => &h.document_number,
                        _ => &h.expiry,
                    };
                    let content = if text.is_empty() {
                        vec![0]
                    } else {
                        text.as_bytes().to_vec()
                    };
                    self.select_ef(p2, [0x50, *record], content)
                }
                _ => status(SW_NOT_FOUND),
            },
            _ => status(SW_WRONG_P1P2),
        }
    }

    /// Makes `content` the current EF; answers its FCP (size in tag 81) unless P2 is 0C.
    fn select_ef(&mut self, p2: u8, fid: [u8; 2], content: Vec<u8>) -> Reply {
        let size = u16::try_from(content.len())
            .unwrap_or(u16::MAX)
            .to_be_bytes();
        self.ef = Some(content);
        if p2 == 0x0C {
            return status(SW_OK);
        }
        let fcp = vec![
            0x62, 0x0A, 0x81, 0x02, size[0], size[1], 0x82, 0x01, 0x01, 0x83, 0x02, fid[0], fid[1],
        ];
        answer(fcp, SW_OK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::tests::card_of;
    use crate::card::{Dialect, SW_BLOCKED};

    fn run(card: &mut CardState, apdu: &[u8]) -> Vec<u8> {
        match card.command(apdu) {
            Reply::Answer(answer) | Reply::AnswerThenVanish(answer) => answer,
        }
    }

    fn verify(reference: u8, digits: &[u8]) -> Vec<u8> {
        let mut apdu = vec![0x00, 0x20, 0x00, reference, 0x0C];
        apdu.extend_from_slice(digits);
        apdu.resize(17, 0x00);
        apdu
    }

    fn sign_with(card: &mut CardState, key: u8) -> Vec<u8> {
        let mse = [
            0x00, 0x22, 0x41, 0xB6, 0x06, 0x80, 0x01, 0x54, 0x84, 0x01, key,
        ];
        assert_eq!(run(card, &mse), SW_OK);
        let mut hash = vec![0x00, 0x2A, 0x90, 0xA0, 0x32, 0x90, 0x30];
        hash.extend_from_slice(&[9; 48]);
        assert_eq!(run(card, &hash), SW_OK);
        run(card, &[0x00, 0x2A, 0x9E, 0x9A, 0x00])
    }

    #[test]
    fn thales_signs_after_verify_mse_and_hash_once_per_pin2() {
        let mut card = card_of(Dialect::Thales2025);
        let mut select = vec![0x00, 0xA4, 0x04, 0x0C, 0x0C];
        select.extend_from_slice(THALES_AID);
        assert_eq!(run(&mut card, &select), SW_OK);
        // IDEMIA's PIN2 reference means nothing here.
        assert_eq!(run(&mut card, &verify(0x85, b"12345")), SW_NOT_FOUND);
        assert_eq!(run(&mut card, &verify(0x82, b"12345")), SW_OK);
        let signature = sign_with(&mut card, 0x05);
        assert_eq!(signature.len(), 98);
        assert_eq!(sign_with(&mut card, 0x05), SW_SECURITY);
        assert_eq!(card.signatures, 1);
    }

    #[test]
    fn a_card_whose_pin2_was_never_changed_is_not_activated() {
        let mut card = card_of(Dialect::Thales2025);
        card.pin2.changed = false;
        let counter = run(
            &mut card,
            &[
                0x00, 0xCB, 0x00, 0xFF, 0x05, 0xA0, 0x03, 0x83, 0x01, 0x82, 0x00,
            ],
        );
        assert!(counter.windows(4).any(|w| w == [0xDF, 0x2F, 0x01, 0x00]));
        assert_eq!(run(&mut card, &verify(0x82, b"12345")), SW_OK);
        assert_eq!(sign_with(&mut card, 0x05), SW_CONDITIONS);
        let mut change = vec![0x00, 0x24, 0x00, 0x82, 0x18];
        let mut block = [0_u8; 24];
        block[..5].copy_from_slice(b"12345");
        block[12..17].copy_from_slice(b"54321");
        change.extend_from_slice(&block);
        assert_eq!(run(&mut card, &change), SW_OK);
        assert_eq!(run(&mut card, &verify(0x82, b"54321")), SW_OK);
        assert_eq!(sign_with(&mut card, 0x05).len(), 98);
    }

    #[test]
    fn thales_counters_block_and_the_puk_unblocks_in_one_apdu() {
        let mut card = card_of(Dialect::Thales2025);
        for left in [2, 1, 0] {
            assert_eq!(run(&mut card, &verify(0x81, b"0000")), [0x63, 0xC0 | left]);
        }
        assert_eq!(run(&mut card, &verify(0x81, b"1234")), SW_BLOCKED);
        let mut unblock = vec![0x00, 0x2C, 0x00, 0x81, 0x18];
        let mut block = [0_u8; 24];
        block[..8].copy_from_slice(b"12345678");
        block[12..16].copy_from_slice(b"4321");
        unblock.extend_from_slice(&block);
        assert_eq!(run(&mut card, &unblock), SW_OK);
        assert_eq!(run(&mut card, &verify(0x81, b"4321")), SW_OK);
    }
}
