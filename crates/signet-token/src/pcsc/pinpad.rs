//! PIN-pad readers (PC/SC part 10): the reader's feature list, and the `PIN_VERIFY_STRUCTURE`
//! that makes the reader take a PIN on its own keys and send VERIFY to the card itself, so no
//! digit crosses the host.
//!
//! The reader answers `CM_IOCTL_GET_FEATURE_REQUEST` (`SCARD_CTL_CODE(3400)` on pcsc-lite) with
//! TLV entries: a feature tag, length 4, and the control code of that feature, big-endian
//! (PC/SC part 10 v2.02.09 §2.3). Signet uses `FEATURE_VERIFY_PIN_DIRECT` (0x06). The reader
//! answers the verify with the card's status word, or with its own: 6400 the person did not
//! type in time, 6401 the person pressed Cancel, 6403 a PIN of the wrong length (card.md §6).

use super::apdu::{self, Dialect};
use super::thales;
use crate::PinKind;

/// `CM_IOCTL_GET_FEATURE_REQUEST`: the control code that asks a reader for its features.
pub(crate) fn get_feature_request() -> u32 {
    // SCARD_CTL_CODE(3400) is 0x42000D48 on pcsc-lite and 0x00313520 on Windows: both fit.
    u32::try_from(pcsc::ctl_code(3400)).unwrap_or(0x4200_0D48)
}

/// The feature tag of a direct PIN verification.
pub(crate) const FEATURE_VERIFY_PIN_DIRECT: u8 = 0x06;
/// The feature tag of a direct PIN change.
pub(crate) const FEATURE_MODIFY_PIN_DIRECT: u8 = 0x07;

/// How long the reader waits for the PIN, in seconds (libpcsc-cpp uses 90; card.md §6).
pub(crate) const TIMEOUT_SECONDS: u8 = 90;

/// What a reader's PIN pad can do: the control codes of its features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PinPad {
    /// `FEATURE_VERIFY_PIN_DIRECT`.
    pub(crate) verify: u32,
    /// `FEATURE_MODIFY_PIN_DIRECT`, when the reader has it.
    pub(crate) modify: Option<u32>,
}

/// The PIN pad a reader's feature list describes; `None` without `FEATURE_VERIFY_PIN_DIRECT`
/// (a plain reader) or for a list that is not well-formed.
pub(crate) fn parse_features(tlv: &[u8]) -> Option<PinPad> {
    let mut verify = None;
    let mut modify = None;
    let mut rest = tlv;
    while !rest.is_empty() {
        let [tag, len, body @ ..] = rest else {
            return None;
        };
        let len = usize::from(*len);
        let value = body.get(..len)?;
        if len == 4 {
            let code = u32::from_be_bytes([value[0], value[1], value[2], value[3]]);
            match *tag {
                FEATURE_VERIFY_PIN_DIRECT => verify = Some(code),
                FEATURE_MODIFY_PIN_DIRECT => modify = Some(code),
                _ => {}
            }
        }
        rest = &body[len..];
    }
    Some(PinPad {
        verify: verify?,
        modify,
    })
}

/// Readers that announce a PIN pad they do not have (libpcsc-cpp's list, card.md §6).
pub(crate) fn falsely_claims_a_pad(reader: &str) -> bool {
    reader.contains("OMNIKEY")
        && ["3021", "3121", "3x21", "6121"]
            .iter()
            .any(|model| reader.contains(model))
}

/// The `PIN_VERIFY_STRUCTURE` (PC/SC part 10 §2.5.2; pcsc-lite `reader.h`, packed, little-endian)
/// for VERIFY of `kind` on a card of `dialect`: the PIN in ASCII at the start of a 12-byte
/// block padded with 0xFF (IDEMIA) or 0x00 (Thales), of `kind`'s lengths, confirmed with the
/// pad's OK key.
pub(crate) fn verify_structure(dialect: Dialect, kind: PinKind) -> Vec<u8> {
    let (reference, pad) = match dialect {
        Dialect::Idemia => (apdu::pin_ref(kind), 0xFF),
        Dialect::Thales => (thales::pin_ref(kind), 0x00),
    };
    let (min, max) = kind.lengths();
    let mut command = vec![0x00, 0x20, 0x00, reference, 12];
    command.extend(std::iter::repeat_n(pad, 12));
    let mut structure = vec![
        TIMEOUT_SECONDS, // bTimerOut
        TIMEOUT_SECONDS, // bTimerOut2
        // bmFormatString: units are bytes (bit 7), the PIN at offset 0 of the data (bits 6–3),
        // left-justified (bit 2), ASCII (bits 1–0 = 10).
        0x82,
        // bmPINBlockString: no PIN length field (bits 7–4), a 12-byte block (bits 3–0).
        0x0C,
        // bmPINLengthFormat: no PIN length field.
        0x00,
        // wPINMaxExtraDigit: maximum digits (low byte), minimum (high byte).
        u8::try_from(max).unwrap_or(12),
        u8::try_from(min).unwrap_or(4),
        // bEntryValidationCondition: the OK key.
        0x02,
        // bNumberMessage: the reader's default message.
        0x01,
        // wLangId: English (United States), 0x0409.
        0x09,
        0x04,
        // bMsgIndex.
        0x00,
        // bTeoPrologue (T=1 block prologue: the reader fills it in).
        0x00,
        0x00,
        0x00,
    ];
    let len = u32::try_from(command.len()).unwrap_or(0);
    structure.extend_from_slice(&len.to_le_bytes()); // ulDataLength
    structure.extend_from_slice(&command); // abData
    structure
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_feature_list_gives_the_control_codes() {
        let tlv = [
            0x0A, 0x04, 0x42, 0x33, 0x00, 0x12, // FEATURE_IFD_PIN_PROPERTIES
            0x06, 0x04, 0x42, 0x33, 0x00, 0x06, // FEATURE_VERIFY_PIN_DIRECT
            0x07, 0x04, 0x42, 0x33, 0x00, 0x07, // FEATURE_MODIFY_PIN_DIRECT
        ];
        assert_eq!(
            parse_features(&tlv),
            Some(PinPad {
                verify: 0x4233_0006,
                modify: Some(0x4233_0007)
            })
        );
        // A plain reader lists no verify feature; a broken list is no pad either.
        assert_eq!(parse_features(&tlv[..6]), None);
        assert_eq!(parse_features(&[]), None);
        assert_eq!(parse_features(&[0x06, 0x04, 0x42]), None);
        assert_eq!(get_feature_request(), 0x4200_0D48);
    }

    #[test]
    fn readers_known_to_lie_about_a_pad_are_not_believed() {
        assert!(falsely_claims_a_pad(
            "HID Global OMNIKEY 3x21 Smart Card Reader [OMNIKEY 3x21 Smart Card Reader] 00 00"
        ));
        assert!(falsely_claims_a_pad(
            "HID OMNIKEY 6121 Smart Card Reader 00 00"
        ));
        assert!(!falsely_claims_a_pad(
            "HID OMNIKEY 5022 Smart Card Reader 00 00"
        ));
        assert!(!falsely_claims_a_pad("Gemalto PC Pinpad Reader 00 00"));
    }

    #[test]
    fn the_verify_structure_carries_the_cards_verify_and_pin_format() {
        let idemia = verify_structure(Dialect::Idemia, PinKind::Pin2);
        assert_eq!(
            &idemia[..19],
            &[
                90, 90, 0x82, 0x0C, 0x00, 12, 5, 0x02, 0x01, 0x09, 0x04, 0, 0, 0, 0, 17, 0, 0, 0
            ]
        );
        assert_eq!(&idemia[19..24], &[0x00, 0x20, 0x00, 0x85, 0x0C]);
        assert!(idemia[24..].iter().all(|b| *b == 0xFF));
        assert_eq!(idemia.len(), 19 + 17);

        let thales = verify_structure(Dialect::Thales, PinKind::Pin1);
        assert_eq!(&thales[5..7], &[12, 4]);
        assert_eq!(&thales[19..24], &[0x00, 0x20, 0x00, 0x81, 0x0C]);
        assert!(thales[24..].iter().all(|b| *b == 0x00));
    }
}
