//! A scripted PC/SC link for unit tests: each exchange the session must make, in order, with the
//! answer the card or the reader gives. It plays a PIN-pad reader, which no virtual reader can
//! (Debian's vpcd answers "not supported" to every control command, card.md §8): the feature
//! list, and the pad's answers — the PIN right, wrong with tries left, the time running out, the
//! person pressing Cancel.

use std::cell::RefCell;
use std::collections::VecDeque;

use zeroize::Zeroizing;

use super::apdu::{self, Dialect};
use super::pinpad::{self, PinPad};
use super::session::{Link, Session};
use super::thales;
use crate::{CardTrouble, KeyRole, Pin, PinFormatError, PinKind, TokenError};

/// One step of the script.
#[derive(Debug)]
enum Step {
    /// An APDU the session must send, and the card's answer (data ‖ SW).
    Transmit(Vec<u8>, Vec<u8>),
    /// A control command: its code, the input it must carry, and the reader's answer.
    Control(u32, Vec<u8>, Vec<u8>),
}

#[derive(Debug, Default)]
struct Script {
    steps: RefCell<VecDeque<Step>>,
    /// Every APDU the session sent, to check what crossed the host.
    sent: RefCell<Vec<Vec<u8>>>,
}

impl Script {
    fn then_apdu(self, command: &[u8], answer: &[u8]) -> Self {
        self.steps
            .borrow_mut()
            .push_back(Step::Transmit(command.to_vec(), answer.to_vec()));
        self
    }

    fn then_control(self, code: u32, input: &[u8], answer: &[u8]) -> Self {
        self.steps
            .borrow_mut()
            .push_back(Step::Control(code, input.to_vec(), answer.to_vec()));
        self
    }

    fn finished(&self) {
        assert!(
            self.steps.borrow().is_empty(),
            "steps left: {:?}",
            self.steps
        );
    }
}

impl Link for Script {
    fn transmit(&self, command: &[u8]) -> Result<Zeroizing<Vec<u8>>, pcsc::Error> {
        self.sent.borrow_mut().push(command.to_vec());
        match self.steps.borrow_mut().pop_front() {
            Some(Step::Transmit(expected, answer)) => {
                assert_eq!(command, expected.as_slice(), "unexpected APDU");
                Ok(Zeroizing::new(answer))
            }
            other => panic!("APDU {command:02X?} sent, the script expected {other:?}"),
        }
    }

    fn control(&self, code: u32, input: &[u8]) -> Result<Vec<u8>, pcsc::Error> {
        match self.steps.borrow_mut().pop_front() {
            Some(Step::Control(expected, carried, answer)) => {
                assert_eq!(code, expected, "unexpected control code");
                assert_eq!(input, carried.as_slice(), "unexpected control input");
                Ok(answer)
            }
            other => panic!("control {code:08X} sent, the script expected {other:?}"),
        }
    }
}

const PAD: PinPad = PinPad {
    verify: 0x4233_0006,
    modify: Some(0x4233_0007),
};
const DIGEST: [u8; apdu::DIGEST_LEN] = [0x5A; apdu::DIGEST_LEN];

/// The IDEMIA signature up to the PIN: select, counter (3 of 3 left), MSE:SET.
fn idemia_until_verify() -> Script {
    Script::default()
        .then_apdu(&apdu::select_aid(apdu::MAIN_AID), &[0x90, 0x00])
        .then_apdu(&apdu::select_aid(apdu::QSCD_AID), &[0x90, 0x00])
        .then_apdu(
            &apdu::tries_left(PinKind::Pin2),
            &[0x70, 0x06, 0x9A, 0x01, 0x03, 0x9B, 0x01, 0x03, 0x90, 0x00],
        )
        .then_apdu(apdu::MSE_SIGN, &[0x90, 0x00])
}

/// The pad is asked to take PIN2 for VERIFY on IDEMIA, and answers `sw`.
fn pad_answers(script: Script, sw: [u8; 2]) -> Script {
    let structure = pinpad::verify_structure(Dialect::Idemia, PinKind::Pin2);
    script.then_control(PAD.verify, &structure, &sw)
}

fn sign_on_pad(script: &Script) -> Result<crate::RawSignature, TokenError> {
    let mut session = Session::new(script);
    session.sign(
        Dialect::Idemia,
        KeyRole::Signing,
        &DIGEST,
        &Pin::on_pad(PinKind::Pin2),
        Some(PAD),
    )
}

#[test]
fn the_feature_list_is_asked_with_the_part_10_control_code() {
    let tlv = [0x06, 0x04, 0x42, 0x33, 0x00, 0x06];
    let script = Script::default().then_control(pinpad::get_feature_request(), &[], &tlv);
    assert_eq!(
        super::pin_pad_of(&script, "Gemalto PC Pinpad 00 00"),
        Some(PinPad {
            verify: 0x4233_0006,
            modify: None
        })
    );
    script.finished();
    // A reader known to claim a pad it lacks is not believed.
    let script = Script::default().then_control(pinpad::get_feature_request(), &[], &tlv);
    assert_eq!(super::pin_pad_of(&script, "HID OMNIKEY 3x21 00 00"), None);
    // A plain reader lists no verify feature.
    let script = Script::default().then_control(
        pinpad::get_feature_request(),
        &[],
        &[0x12, 0x04, 0x42, 0x33, 0x00, 0x12],
    );
    assert_eq!(super::pin_pad_of(&script, "Plain 00 00"), None);
}

#[test]
fn a_pin_typed_on_the_pad_signs_and_no_digit_crosses_the_host() {
    let mut signature = vec![0x11; 96];
    signature.extend_from_slice(&[0x90, 0x00]);
    let script = pad_answers(idemia_until_verify(), [0x90, 0x00])
        .then_apdu(&apdu::with_digest(apdu::PSO_CDS, &DIGEST), &signature);
    let raw = sign_on_pad(&script).unwrap();
    assert_eq!(raw.0, vec![0x11; 96]);
    script.finished();
    // The host sent no VERIFY: the reader did, with the digits typed on its keys.
    assert!(script.sent.borrow().iter().all(|apdu| apdu[1] != 0x20));
}

#[test]
fn a_wrong_pin_on_the_pad_says_the_tries_left() {
    let script = pad_answers(idemia_until_verify(), [0x63, 0xC2]);
    assert_eq!(
        sign_on_pad(&script).unwrap_err(),
        TokenError::Card(CardTrouble::PinIncorrect {
            kind: PinKind::Pin2,
            retries_left: 2
        })
    );
    script.finished();
    let script = pad_answers(idemia_until_verify(), [0x63, 0xC0]);
    assert_eq!(
        sign_on_pad(&script).unwrap_err(),
        TokenError::Card(CardTrouble::PinBlocked {
            kind: PinKind::Pin2
        })
    );
}

#[test]
fn the_pads_timeout_and_cancel_are_their_own_trouble() {
    let script = pad_answers(idemia_until_verify(), [0x64, 0x00]);
    assert_eq!(
        sign_on_pad(&script).unwrap_err(),
        TokenError::Card(CardTrouble::PinPadTimeout)
    );
    script.finished();
    let script = pad_answers(idemia_until_verify(), [0x64, 0x01]);
    assert_eq!(
        sign_on_pad(&script).unwrap_err(),
        TokenError::Card(CardTrouble::PinPadCancelled)
    );
    let script = pad_answers(idemia_until_verify(), [0x64, 0x03]);
    assert!(matches!(
        sign_on_pad(&script).unwrap_err(),
        TokenError::PinFormat(PinFormatError::Length {
            kind: PinKind::Pin2,
            min: 5,
            max: 12
        })
    ));
}

#[test]
fn a_thales_card_verifies_on_the_pad_with_its_own_reference_and_padding() {
    let mut signature = vec![0x22; 96];
    signature.extend_from_slice(&[0x90, 0x00]);
    let script = Script::default()
        .then_apdu(&apdu::select_aid(thales::AID), &[0x90, 0x00])
        .then_apdu(
            &thales::tries_left(PinKind::Pin2),
            &[
                0xA0, 0x0A, 0x83, 0x01, 0x82, 0xDF, 0x21, 0x01, 0x03, 0xDF, 0x2F, 0x01, 0x01, 0x90,
                0x00,
            ],
        )
        .then_control(
            PAD.verify,
            &pinpad::verify_structure(Dialect::Thales, PinKind::Pin2),
            &[0x90, 0x00],
        )
        .then_apdu(&thales::mse(0x05), &[0x90, 0x00])
        .then_apdu(&thales::pso_hash(&DIGEST), &[0x90, 0x00])
        .then_apdu(thales::PSO_CDS, &signature);
    let mut session = Session::new(&script);
    let raw = session
        .sign(
            Dialect::Thales,
            KeyRole::Signing,
            &DIGEST,
            &Pin::on_pad(PinKind::Pin2),
            Some(PAD),
        )
        .unwrap();
    assert_eq!(raw.0.len(), 96);
    script.finished();
}

#[test]
fn a_pad_pin_without_a_pad_in_use_is_refused_before_the_card_sees_it() {
    let script = idemia_until_verify();
    let mut session = Session::new(&script);
    let err = session
        .sign(
            Dialect::Idemia,
            KeyRole::Signing,
            &DIGEST,
            &Pin::on_pad(PinKind::Pin2),
            None,
        )
        .unwrap_err();
    assert_eq!(err, TokenError::NoPinPad);
    script.finished();
}

#[test]
fn with_the_pad_turned_off_a_typed_pin_goes_to_the_card_as_before() {
    let pin = Pin::new(PinKind::Pin2, Zeroizing::new("12345".into())).unwrap();
    let script = idemia_until_verify().then_apdu(&apdu::verify(&pin), &[0x63, 0xC1]);
    let mut session = Session::new(&script);
    let err = session
        .sign(Dialect::Idemia, KeyRole::Signing, &DIGEST, &pin, None)
        .unwrap_err();
    assert_eq!(
        err,
        TokenError::Card(CardTrouble::PinIncorrect {
            kind: PinKind::Pin2,
            retries_left: 1
        })
    );
    script.finished();
}
