//! The IDEMIA (COSMO 8 / COSMO X) EstEID dialect: commands, and reading the answers.
//!
//! Facts from `shared/reference/card.md` §2–§3 (libelectronic-id `EIDIDEMIA.cpp`, OpenSC
//! `card-esteid2018.c`, DigiDoc4 `QSmartCard.cpp`).

use zeroize::Zeroizing;

use crate::pin::{Pin, PinKind};

/// Which protocol a card speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// IDEMIA COSMO 8 / COSMO X.
    Idemia,
    /// Thales (2025).
    Thales,
}

/// The ATRs of the cards this back end speaks to, by name.
pub(crate) const KNOWN_ATRS: &[(&str, &[u8], Dialect)] = &[
    (
        "EstEID IDEMIA 2018 (COSMO 8)",
        &[
            0x3B, 0xDB, 0x96, 0x00, 0x80, 0xB1, 0xFE, 0x45, 0x1F, 0x83, 0x00, 0x12, 0x23, 0x3F,
            0x53, 0x65, 0x49, 0x44, 0x0F, 0x90, 0x00, 0xF1,
        ],
        Dialect::Idemia,
    ),
    (
        "EstEID IDEMIA v2 (COSMO X)",
        &[
            0x3B, 0xDC, 0x96, 0x00, 0x80, 0xB1, 0xFE, 0x45, 0x1F, 0x83, 0x00, 0x12, 0x23, 0x3F,
            0x54, 0x65, 0x49, 0x44, 0x32, 0x0F, 0x90, 0x00, 0xC3,
        ],
        Dialect::Idemia,
    ),
    (
        "EstEID Thales 2025",
        &[
            0x3B, 0xFF, 0x96, 0x00, 0x00, 0x80, 0x31, 0xFE, 0x43, 0x80, 0x31, 0xB8, 0x53, 0x65,
            0x49, 0x44, 0x64, 0xB0, 0x85, 0x05, 0x10, 0x12, 0x23, 0x3F, 0x1D,
        ],
        Dialect::Thales,
    ),
];

/// The main IAS-ECC application (acts as MF).
pub(crate) const MAIN_AID: &[u8] = &[
    0xA0, 0x00, 0x00, 0x00, 0x77, 0x01, 0x08, 0x00, 0x07, 0x00, 0x00, 0xFE, 0x00, 0x00, 0x01, 0x00,
];
/// ADF1 "AWP": the authentication application.
pub(crate) const AWP_AID: &[u8] = &[
    0xE8, 0x28, 0xBD, 0x08, 0x0F, 0xF2, 0x50, 0x4F, 0x54, 0x20, 0x41, 0x57, 0x50,
];
/// ADF2 "QSCD": the qualified signature application.
pub(crate) const QSCD_AID: &[u8] = b"QSCD Application";

/// The longest READ BINARY Signet asks for on IDEMIA (some readers fail above 0xC0).
pub(crate) const READ_CHUNK: u8 = 0xC0;
/// The largest certificate Signet accepts from a card (a real one is about 1 KB).
pub(crate) const MAX_FILE: usize = 8 * 1024;
/// The digest size the card signs: SHA-384.
pub(crate) const DIGEST_LEN: usize = 48;

/// SELECT by application identifier, no answer data.
pub(crate) fn select_aid(aid: &[u8]) -> Vec<u8> {
    let mut apdu = vec![0x00, 0xA4, 0x04, 0x0C, len_byte(aid.len())];
    apdu.extend_from_slice(aid);
    apdu
}

/// SELECT an EF by path from the MF, asking for its FCP.
pub(crate) fn select_path(path: &[u8]) -> Vec<u8> {
    let mut apdu = vec![0x00, 0xA4, 0x09, 0x04, len_byte(path.len())];
    apdu.extend_from_slice(path);
    apdu.push(0x00);
    apdu
}

/// SELECT a child DF (P1 01) or EF (P1 02) of the current DF, no answer data.
pub(crate) fn select_child(p1: u8, fid: [u8; 2]) -> Vec<u8> {
    vec![0x00, 0xA4, p1, 0x0C, 0x02, fid[0], fid[1]]
}

/// READ BINARY at `offset`.
pub(crate) fn read_binary(offset: usize, le: u8) -> Vec<u8> {
    let [_, _, hi, lo] = u32::try_from(offset).unwrap_or(u32::MAX).to_be_bytes();
    vec![0x00, 0xB0, hi, lo, le]
}

/// The card's reference of a PIN on IDEMIA.
pub(crate) const fn pin_ref(kind: PinKind) -> u8 {
    match kind {
        PinKind::Pin1 => 0x01,
        PinKind::Pin2 => 0x85,
        PinKind::Puk => 0x02,
        // Not a card PIN: `PcscToken` refuses it before any command is built.
        PinKind::Password => 0x00,
    }
}

/// GET DATA for the retry counter of `kind` (select the QSCD application first for PIN2).
pub(crate) fn tries_left(kind: PinKind) -> Vec<u8> {
    vec![
        0x00,
        0xCB,
        0x3F,
        0xFF,
        0x0A,
        0x4D,
        0x08,
        0x70,
        0x06,
        0xBF,
        0x81,
        pin_ref(kind) & 0x0F,
        0x02,
        0xA0,
        0x80,
        0x00,
    ]
}

/// Reads (maximum, left) from a GET DATA answer: tags 9A and 9B.
pub(crate) fn parse_tries(data: &[u8]) -> Option<(u8, u8)> {
    let find = |tag: u8| {
        data.windows(3)
            .find(|w| w[0] == tag && w[1] == 0x01)
            .map(|w| w[2])
    };
    Some((find(0x9A)?, find(0x9B)?))
}

/// A PIN command `00 INS P1 P2 Lc` with each of `pins` padded with `pad` to 12 bytes, in a
/// buffer that is wiped on drop. IDEMIA pads with 0xFF, Thales with 0x00.
pub(crate) fn pin_command(
    ins: u8,
    p1: u8,
    reference: u8,
    pins: &[&Pin],
    pad: u8,
) -> Zeroizing<Vec<u8>> {
    let len = 12 * pins.len();
    let mut apdu = Zeroizing::new(Vec::with_capacity(5 + len));
    apdu.extend_from_slice(&[0x00, ins, p1, reference, len as u8]);
    for pin in pins {
        let digits = pin.expose_digits();
        apdu.extend_from_slice(digits);
        apdu.extend(std::iter::repeat_n(pad, 12 - digits.len().min(12)));
    }
    apdu
}

/// VERIFY `pin`.
pub(crate) fn verify(pin: &Pin) -> Zeroizing<Vec<u8>> {
    pin_command(0x20, 0x00, pin_ref(pin.kind()), &[pin], 0xFF)
}

/// CHANGE REFERENCE DATA from `old` to `new` (same kind).
pub(crate) fn change(old: &Pin, new: &Pin) -> Zeroizing<Vec<u8>> {
    pin_command(0x24, 0x00, pin_ref(old.kind()), &[old, new], 0xFF)
}

/// RESET RETRY COUNTER of `new`'s kind to `new` (after VERIFY PUK).
pub(crate) fn reset_retry_counter(new: &Pin) -> Zeroizing<Vec<u8>> {
    pin_command(0x2C, 0x02, pin_ref(new.kind()), &[new], 0xFF)
}

/// MSE:SET for authentication with key 0x81.
pub(crate) const MSE_AUTH: &[u8] = &[
    0x00, 0x22, 0x41, 0xA4, 0x06, 0x80, 0x01, 0x04, 0x84, 0x01, 0x81,
];
/// MSE:SET for the qualified signature with key 0x9F.
pub(crate) const MSE_SIGN: &[u8] = &[
    0x00, 0x22, 0x41, 0xB6, 0x06, 0x80, 0x01, 0x54, 0x84, 0x01, 0x9F,
];

/// `header` ‖ 48-byte digest ‖ Le 00.
pub(crate) fn with_digest(header: [u8; 4], digest: &[u8; DIGEST_LEN]) -> Vec<u8> {
    let mut apdu = Vec::with_capacity(4 + 1 + DIGEST_LEN + 1);
    apdu.extend_from_slice(&header);
    apdu.push(0x30);
    apdu.extend_from_slice(digest);
    apdu.push(0x00);
    apdu
}

/// INTERNAL AUTHENTICATE.
pub(crate) const INTERNAL_AUTHENTICATE: [u8; 4] = [0x00, 0x88, 0x00, 0x00];
/// PSO: COMPUTE DIGITAL SIGNATURE.
pub(crate) const PSO_CDS: [u8; 4] = [0x00, 0x2A, 0x9E, 0x9A];

/// The file size from an FCP: tag 80 (IDEMIA) or 81 (Thales), two bytes.
pub(crate) fn fcp_size(fcp: &[u8]) -> Option<usize> {
    let body = match fcp {
        [0x62, len, rest @ ..] => rest.get(..usize::from(*len))?,
        _ => return None,
    };
    let mut at = 0;
    while at + 2 <= body.len() {
        let (tag, len) = (body[at], usize::from(body[at + 1]));
        let value = body.get(at + 2..at + 2 + len)?;
        if (tag == 0x80 || tag == 0x81) && len == 2 {
            return Some(usize::from(value[0]) << 8 | usize::from(value[1]));
        }
        at += 2 + len;
    }
    None
}

/// The APDU as hex for the trace log, with PIN-bearing data replaced by a marker.
pub(crate) fn redacted_hex(apdu: &[u8]) -> String {
    let carries_pin = matches!(apdu.get(1), Some(0x20 | 0x24 | 0x2C)) && apdu.len() > 5;
    let shown = if carries_pin {
        &apdu[..apdu.len().min(5)]
    } else {
        apdu
    };
    let mut text: String = shown.iter().map(|b| format!("{b:02X}")).collect();
    if carries_pin {
        text.push_str(" <redacted>");
    }
    text
}

/// A length that fits in one byte (every command here is a short APDU).
fn len_byte(len: usize) -> u8 {
    u8::try_from(len).unwrap_or(u8::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fcp_size_reads_tag_80_and_refuses_garbage() {
        assert_eq!(fcp_size(&[0x62, 0x04, 0x80, 0x02, 0x04, 0x10]), Some(0x410));
        assert_eq!(
            fcp_size(&[0x62, 0x08, 0x82, 0x01, 0x01, 0x81, 0x02, 0x01, 0x00, 0x00]),
            Some(0x100)
        );
        assert_eq!(fcp_size(&[0x62, 0x09, 0x80, 0x02]), None);
        assert_eq!(fcp_size(&[0x6F, 0x00]), None);
        assert_eq!(fcp_size(&[]), None);
    }

    #[test]
    fn verify_pads_with_ff_and_the_trace_hides_it() {
        let pin = Pin::new(PinKind::Pin2, Zeroizing::new("12345".into())).unwrap();
        let apdu = verify(&pin);
        assert_eq!(&apdu[..5], &[0x00, 0x20, 0x00, 0x85, 0x0C]);
        assert_eq!(&apdu[5..10], b"12345");
        assert!(apdu[10..].iter().all(|b| *b == 0xFF));
        let shown = redacted_hex(&apdu);
        assert_eq!(shown, "002000850C <redacted>");
        assert_eq!(redacted_hex(&[0x00, 0x20, 0x00, 0x85]), "00200085");
    }

    #[test]
    fn counters_are_read_from_9a_and_9b() {
        let answer = [
            0x70, 0x1E, 0xBF, 0x81, 0x01, 0x1A, 0xA0, 0x18, 0x9A, 0x01, 0x03, 0x9B, 0x01, 0x02,
        ];
        assert_eq!(parse_tries(&answer), Some((3, 2)));
        assert_eq!(parse_tries(&[0x70, 0x00]), None);
    }
}
