//! Acceptance of the PC/SC back end against the virtual card through the real pcscd.

use std::sync::{Arc, Mutex};

use sha2::{Digest as _, Sha384};
use signet_core::Code;
use signet_token::pcsc::PcscToken;
use signet_token::{CardTrouble, KeyRole, Language, PinKind, SigningToken};
use signet_vcard::Fault;

use crate::support::{PIN1, PIN2, PUK, Rig, pin, trouble};

/// Verifies `signature` (raw r‖s) over `digest` with the public key of `cert_der`, by OpenSSL.
fn openssl_verifies(rig: &Rig, name: &str, cert_der: &[u8], digest: &[u8], raw: &[u8]) -> bool {
    crate::openssl::verifies(rig.dir(), name, cert_der, digest, raw)
}

#[test]
fn reads_both_certificates_personal_data_and_counters() {
    let rig = Rig::start();
    let mut token = rig.open();
    assert_eq!(token.reader_name(), rig.reader());
    assert_eq!(token.model(), "EstEID IDEMIA 2018 (COSMO 8)");
    let certs = token.certificates().unwrap();
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[0].role, KeyRole::Authentication);
    assert_eq!(
        certs[0].der,
        rig.pki.der(signet_testkit::Role::Authentication)
    );
    assert_eq!(certs[1].role, KeyRole::Signing);
    assert_eq!(certs[1].der, rig.pki.der(signet_testkit::Role::Signing));
    let person = token.personal_data().unwrap();
    assert_eq!(person.surname, "TAMM");
    assert_eq!(person.given_names, "MARI");
    assert_eq!(person.personal_code, signet_testkit::PERSONAL_CODE);
    assert_eq!(person.document_number, "AB0123456");
    assert_eq!(person.expiry, "01 01 2030");
    assert!(!format!("{person:?}").contains(signet_testkit::PERSONAL_CODE));
    for kind in [PinKind::Pin1, PinKind::Pin2, PinKind::Puk] {
        let state = token.pin_state(kind).unwrap();
        assert_eq!((state.retries_left, state.max_retries), (3, 3), "{kind}");
    }
}

#[test]
fn authenticates_and_signs_and_openssl_verifies_both() {
    let rig = Rig::start();
    let mut token = rig.open();
    let certs = token.certificates().unwrap();
    for (role, secret, cert) in [
        (
            KeyRole::Authentication,
            pin(PinKind::Pin1, PIN1),
            &certs[0].der,
        ),
        (KeyRole::Signing, pin(PinKind::Pin2, PIN2), &certs[1].der),
    ] {
        let digest = Sha384::digest(format!("challenge for {}", role.as_str()));
        let signature = token.sign_digest(role, &digest, secret).unwrap();
        assert_eq!(signature.0.len(), 96);
        assert!(
            openssl_verifies(&rig, role.as_str(), cert, &digest, &signature.0),
            "openssl refused the {} signature",
            role.as_str()
        );
    }
    assert_eq!(rig.card.signatures(), 1);
}

#[test]
fn wrong_pin_counts_down_the_third_blocks_and_the_puk_unblocks() {
    let rig = Rig::start();
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
        assert_eq!(got.code(), Code::PinIncorrect);
        assert!(
            got.message(Language::En)
                .contains(&format!("Tries left: {left}"))
        );
    }
    let got = trouble(token.sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, "11111")));
    assert_eq!(
        got,
        CardTrouble::PinBlocked {
            kind: PinKind::Pin2
        }
    );
    assert_eq!(rig.card.counters().pin2, 0);
    // Blocked: even the right PIN is not sent to the card.
    let verifications = rig.card.verifications();
    let got = trouble(token.sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, PIN2)));
    assert_eq!(
        got,
        CardTrouble::PinBlocked {
            kind: PinKind::Pin2
        }
    );
    assert_eq!(got.code(), Code::PinBlocked);
    assert_eq!(
        rig.card.verifications(),
        verifications,
        "VERIFY was sent to a blocked PIN"
    );
    assert!(token.pin_state(PinKind::Pin2).unwrap().blocked());

    token
        .unblock_pin(pin(PinKind::Puk, PUK), pin(PinKind::Pin2, "24680"))
        .unwrap();
    assert_eq!(token.pin_state(PinKind::Pin2).unwrap().retries_left, 3);
    token
        .sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, "24680"))
        .unwrap();

    token
        .change_pin(pin(PinKind::Pin1, PIN1), pin(PinKind::Pin1, "5555"))
        .unwrap();
    let got =
        trouble(token.sign_digest(KeyRole::Authentication, &digest, pin(PinKind::Pin1, PIN1)));
    assert_eq!(
        got,
        CardTrouble::PinIncorrect {
            kind: PinKind::Pin1,
            retries_left: 2
        }
    );
    token
        .sign_digest(KeyRole::Authentication, &digest, pin(PinKind::Pin1, "5555"))
        .unwrap();
}

#[test]
fn the_card_refuses_a_second_signature_without_a_fresh_pin2() {
    let rig = Rig::start();
    let mut token = rig.open();
    let digest = Sha384::digest(b"first");
    token
        .sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, PIN2))
        .unwrap();
    drop(token);

    // Straight to the card: MSE:SET and PSO:CDS, no VERIFY in between.
    let context = pcsc::Context::establish(pcsc::Scope::User).unwrap();
    let reader = std::ffi::CString::new(rig.reader()).unwrap();
    let card = context
        .connect(&reader, pcsc::ShareMode::Shared, pcsc::Protocols::T1)
        .unwrap();
    let mut buffer = [0_u8; 300];
    let mut send = |apdu: &[u8]| card.transmit(apdu, &mut buffer).unwrap().to_vec();
    let mut select = vec![0x00, 0xA4, 0x04, 0x0C, 0x10];
    select.extend_from_slice(b"QSCD Application");
    assert_eq!(send(&select), [0x90, 0x00]);
    assert_eq!(
        send(&[
            0x00, 0x22, 0x41, 0xB6, 0x06, 0x80, 0x01, 0x54, 0x84, 0x01, 0x9F
        ]),
        [0x90, 0x00]
    );
    let mut cds = vec![0x00, 0x2A, 0x9E, 0x9A, 0x30];
    cds.extend_from_slice(&Sha384::digest(b"second"));
    cds.push(0x00);
    assert_eq!(
        send(&cds),
        [0x69, 0x82],
        "the card signed without a fresh PIN2"
    );
    assert_eq!(rig.card.signatures(), 1);
}

#[test]
fn pulling_the_card_mid_signature_says_removed_and_reinsertion_works() {
    let mut rig = Rig::start();
    let mut token = rig.open();
    let digest = Sha384::digest(b"document");
    rig.card.inject(Fault::RemoveDuringSignature);
    let got = trouble(token.sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, PIN2)));
    assert_eq!(got, CardTrouble::CardRemoved);
    assert_eq!(got.code(), Code::CardRemoved);
    rig.card.remove();
    // Debian's vpcd (vsmartcard 0.8) never accepts a card again on a slot whose socket died
    // inside a transmit (pcscd: "could not send apdu or receive rapdu"); a card pulled while
    // idle re-inserts fine (next test). So the card goes back in through the other slot.
    let addr = rig.pcscd.slot(1);
    rig.card.insert(addr).unwrap();
    let mut token = rig.open();
    assert_eq!(token.reader_name(), rig.pcscd.reader_name(1));
    let signature = token
        .sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, PIN2))
        .unwrap();
    let cert = rig.pki.der(signet_testkit::Role::Signing).to_vec();
    assert!(openssl_verifies(
        &rig,
        "again",
        &cert,
        &digest,
        &signature.0
    ));
}

#[test]
fn a_card_pulled_between_operations_is_removed_then_works_again() {
    let mut rig = Rig::start();
    let mut token = rig.open();
    token.certificates().unwrap();
    rig.card.remove();
    std::thread::sleep(std::time::Duration::from_millis(900));
    assert_eq!(trouble(token.certificates()), CardTrouble::CardRemoved);
    let addr = rig.pcscd.slot(0);
    rig.card.insert(addr).unwrap();
    let mut token = rig.open();
    assert_eq!(token.reader_name(), rig.reader());
    token.certificates().unwrap();
}

#[test]
fn pcscd_stopped_is_service_not_running() {
    let mut rig = Rig::start();
    let _ = rig.open();
    rig.pcscd.stop();
    let started = std::time::Instant::now();
    let got = trouble(PcscToken::open(None));
    assert_eq!(got, CardTrouble::ServiceNotRunning);
    assert_eq!(got.code(), Code::CardUnavailable);
    assert!(got.recommendation(Language::En).contains("pcscd"));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let got = trouble(signet_token::pcsc::readers());
    assert_eq!(got, CardTrouble::ServiceNotRunning);
}

/// A writer that keeps everything tracing writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_signing_run_at_trace_level_never_logs_the_pins() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let rig = Rig::start();
        let mut token = rig.open();
        let digest = Sha384::digest(b"document");
        token.certificates().unwrap();
        token.personal_data().unwrap();
        token
            .sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, PIN2))
            .unwrap();
        token
            .sign_digest(KeyRole::Authentication, &digest, pin(PinKind::Pin1, PIN1))
            .unwrap();
        let _ = token.sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, "1357924680"));
        token
            .change_pin(pin(PinKind::Pin2, PIN2), pin(PinKind::Pin2, "8642197531"))
            .unwrap();
        token
            .unblock_pin(pin(PinKind::Puk, PUK), pin(PinKind::Pin1, "77041773"))
            .unwrap();
    });
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("card command"),
        "the APDU trace was not captured:\n{log}"
    );
    assert!(log.contains("<redacted>"));
    for secret in [
        PIN1,
        PIN2,
        PUK,
        "1357924680",
        "8642197531",
        "77041773",
        signet_testkit::PERSONAL_CODE,
    ] {
        let hex: String = secret.bytes().map(|b| format!("{b:02X}")).collect();
        assert!(!log.contains(secret), "{secret} is in the log");
        assert!(
            !log.to_uppercase().contains(&hex),
            "{secret} is in the log as hex"
        );
    }
}

#[test]
fn the_rustcrypto_signer_signs_once_with_one_pin2() {
    use der::Decode as _;
    use signature::hazmat::PrehashSigner as _;
    use signet_token::OneShotSigner;

    let rig = Rig::start();
    let mut token = rig.open();
    let cert =
        x509_cert::Certificate::from_der(rig.pki.der(signet_testkit::Role::Signing)).unwrap();
    let spki = cert.tbs_certificate.subject_public_key_info;
    let key =
        p384::ecdsa::VerifyingKey::from_sec1_bytes(spki.subject_public_key.raw_bytes()).unwrap();
    let signer = OneShotSigner::new(&mut token, KeyRole::Signing, pin(PinKind::Pin2, PIN2), key);
    let digest = Sha384::digest(b"signed attributes");
    let signature: p384::ecdsa::DerSignature = signer.sign_prehash(&digest).unwrap();
    assert!(signature.as_bytes().len() > 64);
    // The PIN went with the first signature: a second one is refused before the card.
    let again: Result<p384::ecdsa::Signature, _> = signer.sign_prehash(&digest);
    assert!(again.is_err());
    assert_eq!(rig.card.signatures(), 1);
}

#[test]
fn the_watcher_reports_insertion_and_removal() {
    use signet_token::pcsc::{CardEvent, watch};
    let mut rig = Rig::start();
    let (send, events) = std::sync::mpsc::channel();
    let watcher = watch(move |event| {
        let _ = send.send(event);
    })
    .unwrap();
    let reader = rig.reader();
    let wait_for = |wanted: CardEvent| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match events.recv_timeout(left) {
                Ok(event) if event == wanted => return,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("no {wanted:?}");
    };
    wait_for(CardEvent::ReaderAdded {
        reader: reader.clone(),
    });
    wait_for(CardEvent::CardInserted {
        reader: reader.clone(),
    });
    rig.card.remove();
    wait_for(CardEvent::CardRemoved {
        reader: reader.clone(),
    });
    let addr = rig.pcscd.slot(0);
    rig.card.insert(addr).unwrap();
    wait_for(CardEvent::CardInserted {
        reader: reader.clone(),
    });
    rig.pcscd.stop();
    wait_for(CardEvent::ServiceStopped);
    drop(watcher);
}

#[test]
fn the_puk_itself_can_be_changed_and_then_unblocks() {
    let rig = Rig::start();
    let mut token = rig.open();
    let got =
        trouble(token.change_pin(pin(PinKind::Puk, "11111111"), pin(PinKind::Puk, "22222222")));
    assert_eq!(
        got,
        CardTrouble::PinIncorrect {
            kind: PinKind::Puk,
            retries_left: 2
        }
    );
    token
        .change_pin(pin(PinKind::Puk, PUK), pin(PinKind::Puk, "13572468"))
        .unwrap();
    assert_eq!(rig.card.counters().puk, 3);
    let old = trouble(token.unblock_pin(pin(PinKind::Puk, PUK), pin(PinKind::Pin1, "2468")));
    assert_eq!(
        old,
        CardTrouble::PinIncorrect {
            kind: PinKind::Puk,
            retries_left: 2
        }
    );
    token
        .unblock_pin(pin(PinKind::Puk, "13572468"), pin(PinKind::Pin1, "2468"))
        .unwrap();
    let digest = Sha384::digest(b"after a new PUK");
    token
        .sign_digest(KeyRole::Authentication, &digest, pin(PinKind::Pin1, "2468"))
        .unwrap();
}
