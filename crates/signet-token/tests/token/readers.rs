//! Which card, which reader: the COSMO X ATR, an unknown card, two cards, a card held by another
//! program — through the real pcscd and vpcd.

use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha384};
use signet_testkit::Role;
use signet_token::pcsc::PcscToken;
use signet_token::{CardTrouble, KeyRole, Language, PinKind, SigningToken};
use signet_vcard::{Dialect, VirtualCard};

use crate::support::{PIN2, Rig, pin, trouble};

/// Waits until pcscd sees `count` cards.
fn wait_for_cards(count: usize) {
    let start = Instant::now();
    loop {
        let present = signet_token::pcsc::readers()
            .map(|readers| readers.iter().filter(|r| r.card_present).count())
            .unwrap_or(0);
        if present == count {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{present} cards, not {count}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_cosmo_x_card_speaks_idemia_and_signs() {
    let rig = Rig::start_with(Dialect::IdemiaCosmoX);
    let mut token = rig.open();
    assert_eq!(token.model(), "EstEID IDEMIA v2 (COSMO X)");
    let digest = Sha384::digest(b"cosmo x");
    let raw = token
        .sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, PIN2))
        .unwrap();
    assert!(crate::openssl::verifies(
        rig.dir(),
        "cosmox",
        rig.pki.der(Role::Signing),
        &digest,
        &raw.0
    ));
}

#[test]
fn an_unknown_card_is_unsupported_and_shows_its_atr() {
    let _rig = Rig::start_with(Dialect::Unknown);
    wait_for_cards(1);
    let got = trouble(PcscToken::open(None));
    assert_eq!(
        got,
        CardTrouble::UnsupportedCard {
            atr: "3B951381018073FF01000B".into()
        }
    );
    assert!(got.message(Language::En).contains("3B951381018073FF01000B"));
}

#[test]
fn two_cards_ask_the_person_to_choose_and_a_named_reader_chooses() {
    let rig = Rig::start();
    let mut second = VirtualCard::new(crate::support::spec(&rig.pki));
    second.insert(rig.pcscd.slot(1)).unwrap();
    wait_for_cards(2);
    assert_eq!(
        trouble(PcscToken::open(None)),
        CardTrouble::SeveralCards { count: 2 }
    );
    let mut token = PcscToken::open(Some(&rig.pcscd.reader_name(1))).unwrap();
    token
        .sign_digest(
            KeyRole::Signing,
            &Sha384::digest(b"second reader"),
            pin(PinKind::Pin2, PIN2),
        )
        .unwrap();
    assert_eq!((rig.card.signatures(), second.signatures()), (0, 1));
}

#[test]
fn a_card_held_exclusively_by_another_program_is_in_use() {
    let rig = Rig::start();
    drop(rig.open());
    let context = pcsc::Context::establish(pcsc::Scope::User).unwrap();
    let reader = std::ffi::CString::new(rig.reader()).unwrap();
    let held = context
        .connect(&reader, pcsc::ShareMode::Exclusive, pcsc::Protocols::T1)
        .unwrap();
    let got = trouble(PcscToken::open(None));
    assert_eq!(got, CardTrouble::CardInUse);
    assert!(got.recommendation(Language::En).contains("other program"));
    drop(held);
    let mut token = rig.open();
    token.certificates().unwrap();
}

/// A card that answers like one behind a T=0 reader: every answer with data comes as 61xx and
/// is fetched with GET RESPONSE; READ BINARY for 256 bytes of a shorter file gets 6Cxx.
#[test]
fn answers_in_parts_are_fetched_with_get_response_for_both_dialects() {
    for dialect in [Dialect::Idemia2018, Dialect::Thales2025] {
        let rig = Rig::start_with(dialect);
        rig.card.answer_in_parts(true);
        let mut token = rig.open();
        let certs = token.certificates().unwrap();
        assert_eq!(certs[1].der, rig.pki.der(Role::Signing), "{dialect:?}");
        let person = token.personal_data().unwrap();
        assert_eq!(
            person.personal_code,
            signet_testkit::PERSONAL_CODE,
            "{dialect:?}"
        );
        assert_eq!(token.pin_state(PinKind::Pin2).unwrap().retries_left, 3);
        let digest = Sha384::digest(b"in parts");
        let raw = token
            .sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, PIN2))
            .unwrap();
        assert!(crate::openssl::verifies(
            rig.dir(),
            &format!("parts-{dialect:?}"),
            &certs[1].der,
            &digest,
            &raw.0
        ));
    }
}
