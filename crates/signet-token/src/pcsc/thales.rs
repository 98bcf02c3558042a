//! The Thales (EstEID from 2025) dialect: commands, and reading the answers.
//!
//! Facts from `shared/reference/card.md` §4 (libelectronic-id `EIDThales.cpp` /
//! `EstEIDThales.hpp`, OpenSC `card-esteid2025.c`): one PKCS#15 application, the file size in FCP
//! tag 81, PINs 0x81 / 0x82 / 0x83 padded with 0x00 to 12 bytes, retry counters with DF21 (tries
//! left) and DF2F (00: never changed, the card is not activated), and a signature as VERIFY →
//! MSE:SET → PSO:HASH → PSO:CDS.

use zeroize::Zeroizing;

use crate::pin::{Pin, PinKind};

/// The application: AID ending in ASCII "PKCS-15".
pub(crate) const AID: &[u8] = &[
    0xA0, 0x00, 0x00, 0x00, 0x63, 0x50, 0x4B, 0x43, 0x53, 0x2D, 0x31, 0x35,
];

/// The path of the authentication certificate from the MF.
pub(crate) const AUTH_CERT: &[u8] = &[0xAD, 0xF1, 0x34, 0x11];
/// The path of the signing certificate from the MF.
pub(crate) const SIGN_CERT: &[u8] = &[0xAD, 0xF2, 0x34, 0x21];
/// The personal data DF.
pub(crate) const PERSONAL_DF: [u8; 2] = [0xDF, 0xDD];

/// The card's reference of a PIN on Thales.
pub(crate) const fn pin_ref(kind: PinKind) -> u8 {
    match kind {
        PinKind::Pin1 => 0x81,
        PinKind::Pin2 => 0x82,
        PinKind::Puk => 0x83,
        // Not a card PIN: `PcscToken` refuses it before any command is built.
        PinKind::Password => 0x00,
    }
}

/// The key reference: 0x01 authentication, 0x05 signing.
pub(crate) const fn key_ref(kind: PinKind) -> u8 {
    match kind {
        PinKind::Pin2 => 0x05,
        _ => 0x01,
    }
}

/// SELECT by a path from the MF (P1 08), asking for the FCP.
pub(crate) fn select_path(path: &[u8]) -> Vec<u8> {
    let mut apdu = vec![
        0x00,
        0xA4,
        0x08,
        0x04,
        u8::try_from(path.len()).unwrap_or(0),
    ];
    apdu.extend_from_slice(path);
    apdu.push(0x00);
    apdu
}

/// SELECT the personal data DF by path from the MF, no answer data.
pub(crate) fn select_personal_df() -> Vec<u8> {
    vec![0x00, 0xA4, 0x08, 0x0C, 0x02, PERSONAL_DF[0], PERSONAL_DF[1]]
}

/// GET DATA for the retry counter of `kind` (Le 00, T=1).
pub(crate) fn tries_left(kind: PinKind) -> Vec<u8> {
    vec![
        0x00,
        0xCB,
        0x00,
        0xFF,
        0x05,
        0xA0,
        0x03,
        0x83,
        0x01,
        pin_ref(kind),
        0x00,
    ]
}

/// What a counter says: tries left (first byte of DF21) and whether the PIN was ever changed
/// (DF2F; `None` when the card leaves it out).
pub(crate) fn parse_tries(data: &[u8]) -> Option<(u8, Option<bool>)> {
    let value = |tag: [u8; 2]| {
        data.windows(4)
            .find(|w| w[0] == tag[0] && w[1] == tag[1] && w[2] >= 1)
            .map(|w| w[3])
    };
    Some((
        value([0xDF, 0x21])?,
        value([0xDF, 0x2F]).map(|flag| flag != 0),
    ))
}

/// VERIFY `pin` (0x00-padded).
pub(crate) fn verify(pin: &Pin) -> Zeroizing<Vec<u8>> {
    super::apdu::pin_command(0x20, 0x00, pin_ref(pin.kind()), &[pin], 0x00)
}

/// CHANGE REFERENCE DATA from `old` to `new` (same kind).
pub(crate) fn change(old: &Pin, new: &Pin) -> Zeroizing<Vec<u8>> {
    super::apdu::pin_command(0x24, 0x00, pin_ref(old.kind()), &[old, new], 0x00)
}

/// RESET RETRY COUNTER of `new`'s kind with the PUK, in one command.
pub(crate) fn unblock(puk: &Pin, new: &Pin) -> Zeroizing<Vec<u8>> {
    super::apdu::pin_command(0x2C, 0x00, pin_ref(new.kind()), &[puk, new], 0x00)
}

/// MSE:SET for a signature with `key`, ECDSA over SHA-384 (alg 0x54).
pub(crate) fn mse(key: u8) -> Vec<u8> {
    vec![
        0x00, 0x22, 0x41, 0xB6, 0x06, 0x80, 0x01, 0x54, 0x84, 0x01, key,
    ]
}

/// PSO:HASH with the 48-byte digest.
pub(crate) fn pso_hash(digest: &[u8; 48]) -> Vec<u8> {
    let mut apdu = vec![0x00, 0x2A, 0x90, 0xA0, 0x32, 0x90, 0x30];
    apdu.extend_from_slice(digest);
    apdu
}

/// PSO:COMPUTE DIGITAL SIGNATURE over the hash given before.
pub(crate) const PSO_CDS: &[u8] = &[0x00, 0x2A, 0x9E, 0x9A, 0x00];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_read_df21_and_df2f() {
        let answer = [
            0xA0, 0x0D, 0x83, 0x01, 0x82, 0xDF, 0x21, 0x02, 0x02, 0x03, 0xDF, 0x2F, 0x01, 0x00,
        ];
        assert_eq!(parse_tries(&answer), Some((2, Some(false))));
        assert_eq!(parse_tries(&[0xA0, 0x03, 0x83, 0x01, 0x81]), None);
    }

    #[test]
    fn pins_are_zero_padded_and_the_trace_hides_them() {
        let pin = Pin::new(PinKind::Pin2, Zeroizing::new("12345".into())).unwrap();
        let apdu = verify(&pin);
        assert_eq!(&apdu[..5], &[0x00, 0x20, 0x00, 0x82, 0x0C]);
        assert!(apdu[10..].iter().all(|b| *b == 0));
        assert_eq!(
            super::super::apdu::redacted_hex(&apdu),
            "002000820C <redacted>"
        );
    }
}
