//! The Thales (2025) dialect through the real pcscd, vpcd and the virtual card playing a Thales
//! card. OpenSC 0.23 does not know this card: Signet alone, judged by OpenSSL.

use sha2::{Digest as _, Sha384};
use signet_core::Code;
use signet_testkit::Role;
use signet_token::{CardTrouble, KeyRole, Language, PinKind, SigningToken};
use signet_vcard::Dialect;

use crate::support::{PIN1, PIN2, PUK, Rig, pin, trouble};

#[test]
fn thales_reads_certificates_personal_data_and_counters() {
    let rig = Rig::start_with(Dialect::Thales2025);
    let mut token = rig.open();
    assert_eq!(token.model(), "EstEID Thales 2025");
    let certs = token.certificates().unwrap();
    assert_eq!(certs[0].role, KeyRole::Authentication);
    assert_eq!(certs[0].der, rig.pki.der(Role::Authentication));
    assert_eq!(certs[1].role, KeyRole::Signing);
    assert_eq!(certs[1].der, rig.pki.der(Role::Signing));
    let person = token.personal_data().unwrap();
    assert_eq!(
        (person.surname.as_str(), person.given_names.as_str()),
        ("TAMM", "MARI")
    );
    assert_eq!(person.personal_code, signet_testkit::PERSONAL_CODE);
    assert_eq!(person.document_number, "AB0123456");
    for kind in [PinKind::Pin1, PinKind::Pin2, PinKind::Puk] {
        assert_eq!(token.pin_state(kind).unwrap().retries_left, 3, "{kind}");
    }
    assert!(!token.needs_activation().unwrap());
}

#[test]
fn thales_authenticates_and_signs_with_pin2_before_each_signature() {
    let rig = Rig::start_with(Dialect::Thales2025);
    let mut token = rig.open();
    let certs = token.certificates().unwrap();
    let digest = Sha384::digest(b"challenge");
    let raw = token
        .sign_digest(KeyRole::Authentication, &digest, pin(PinKind::Pin1, PIN1))
        .unwrap();
    assert!(crate::openssl::verifies(
        rig.dir(),
        "thales-auth",
        &certs[0].der,
        &digest,
        &raw.0
    ));
    for round in 0..2_u32 {
        let before = rig.card.verifications();
        let digest = Sha384::digest(format!("thales document {round}"));
        let raw = token
            .sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, PIN2))
            .unwrap();
        assert!(crate::openssl::verifies(
            rig.dir(),
            &format!("thales-sign-{round}"),
            &certs[1].der,
            &digest,
            &raw.0
        ));
        assert_eq!(rig.card.verifications(), before + 1);
        assert_eq!(rig.card.signatures(), round + 1);
    }

    // Straight to the card: MSE:SET, PSO:HASH and PSO:CDS without a new VERIFY are refused.
    drop(token);
    let context = pcsc::Context::establish(pcsc::Scope::User).unwrap();
    let reader = std::ffi::CString::new(rig.reader()).unwrap();
    let card = context
        .connect(&reader, pcsc::ShareMode::Shared, pcsc::Protocols::T1)
        .unwrap();
    let mut buffer = [0_u8; 300];
    let mut send = |apdu: &[u8]| card.transmit(apdu, &mut buffer).unwrap().to_vec();
    assert_eq!(
        send(&[
            0x00, 0x22, 0x41, 0xB6, 0x06, 0x80, 0x01, 0x54, 0x84, 0x01, 0x05
        ]),
        [0x90, 0x00]
    );
    let mut hash = vec![0x00, 0x2A, 0x90, 0xA0, 0x32, 0x90, 0x30];
    hash.extend_from_slice(&Sha384::digest(b"unverified"));
    assert_eq!(send(&hash), [0x90, 0x00]);
    assert_eq!(send(&[0x00, 0x2A, 0x9E, 0x9A, 0x00]), [0x69, 0x82]);
    assert_eq!(rig.card.signatures(), 2);
}

#[test]
fn thales_wrong_pins_block_and_the_puk_unblocks() {
    let rig = Rig::start_with(Dialect::Thales2025);
    let mut token = rig.open();
    let digest = Sha384::digest(b"document");
    for left in [2, 1] {
        let got =
            trouble(token.sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, "11111")));
        assert_eq!(
            got,
            CardTrouble::PinIncorrect {
                kind: PinKind::Pin2,
                retries_left: left
            }
        );
    }
    let got = trouble(token.sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, "11111")));
    assert_eq!(
        got,
        CardTrouble::PinBlocked {
            kind: PinKind::Pin2
        }
    );
    let verifications = rig.card.verifications();
    let got = trouble(token.sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, PIN2)));
    assert_eq!(got.code(), Code::PinBlocked);
    assert_eq!(rig.card.verifications(), verifications);

    let wrong_puk =
        trouble(token.unblock_pin(pin(PinKind::Puk, "11111111"), pin(PinKind::Pin2, "24680")));
    assert_eq!(
        wrong_puk,
        CardTrouble::PinIncorrect {
            kind: PinKind::Puk,
            retries_left: 2
        }
    );
    token
        .unblock_pin(pin(PinKind::Puk, PUK), pin(PinKind::Pin2, "24680"))
        .unwrap();
    assert_eq!(rig.card.counters().pin2, 3);
    token
        .sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, "24680"))
        .unwrap();
    token
        .change_pin(pin(PinKind::Pin1, PIN1), pin(PinKind::Pin1, "5555"))
        .unwrap();
    token
        .sign_digest(KeyRole::Authentication, &digest, pin(PinKind::Pin1, "5555"))
        .unwrap();
}

#[test]
fn a_thales_card_not_yet_activated_is_its_own_state_until_pin2_is_changed() {
    let rig = Rig::start_with(Dialect::Thales2025);
    rig.card.never_activated();
    let mut token = rig.open();
    assert!(token.needs_activation().unwrap());
    let digest = Sha384::digest(b"document");
    let verifications = rig.card.verifications();
    let got = trouble(token.sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, PIN2)));
    assert_eq!(got, CardTrouble::NotActivated);
    assert_eq!(got.code(), Code::CardNotActivated);
    assert!(got.recommendation(Language::En).contains("change PIN2"));
    assert_eq!(rig.card.verifications(), verifications, "a PIN2 was sent");
    assert_eq!(rig.card.counters().pin2, 3);
    // The authentication key works on a card not activated for signing.
    token
        .sign_digest(KeyRole::Authentication, &digest, pin(PinKind::Pin1, PIN1))
        .unwrap();
    token
        .change_pin(pin(PinKind::Pin2, PIN2), pin(PinKind::Pin2, "86420"))
        .unwrap();
    assert!(!token.needs_activation().unwrap());
    token
        .sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, "86420"))
        .unwrap();
    assert_eq!(rig.card.signatures(), 1);
}

#[test]
fn pulling_a_thales_card_mid_signature_says_removed() {
    let mut rig = Rig::start_with(Dialect::Thales2025);
    let mut token = rig.open();
    rig.card.inject(signet_vcard::Fault::RemoveDuringSignature);
    let digest = Sha384::digest(b"document");
    let got = trouble(token.sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, PIN2)));
    assert_eq!(got, CardTrouble::CardRemoved);
    rig.card.remove();
    let addr = rig.pcscd.slot(1);
    rig.card.insert(addr).unwrap();
    let mut token = rig.open();
    token
        .sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, PIN2))
        .unwrap();
    assert_eq!(rig.card.signatures(), 1);
}
