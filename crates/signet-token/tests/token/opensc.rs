//! OpenSC 0.23 (Debian's) against the virtual card with its IDEMIA 2018 ATR, through pcscd:
//! Signet's PKCS#11 back end on OpenSC's module, and OpenSC's own tools as independent judges
//! of the virtual card.

use std::path::Path;
use std::process::Command;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use sha2::{Digest as _, Sha384};
use signet_testkit::Role;
use signet_token::pkcs11::{DEFAULT_MODULE, Pkcs11Token, list_tokens};
use signet_token::{CardTrouble, KeyRole, PinKind, SigningToken, TokenError};

use crate::support::{PIN1, PIN2, Rig, pin};

fn tool(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{program} {args:?}:\n{text}");
    text
}

/// A rig whose card pcscd (and so OpenSC) has already seen.
fn rig() -> Rig {
    let rig = Rig::start();
    drop(rig.open());
    rig
}

#[test]
fn opensc_always_authenticate_key_signs_with_a_login_before_each_signature() {
    let rig = rig();
    let tokens = list_tokens(Path::new(DEFAULT_MODULE)).unwrap();
    let labels: Vec<&str> = tokens.iter().map(|t| t.label.as_str()).collect();
    assert!(
        labels.contains(&"TAMM,MARI,38001085718 (PIN2)"),
        "{labels:?}"
    );

    let mut token = Pkcs11Token::open(None).unwrap();
    let certs = token.certificates().unwrap();
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[0].role, KeyRole::Authentication);
    assert_eq!(certs[0].der, rig.pki.der(Role::Authentication));
    assert_eq!(certs[1].role, KeyRole::Signing);
    assert_eq!(certs[1].der, rig.pki.der(Role::Signing));
    assert_eq!(token.pin_kind(KeyRole::Signing), PinKind::Pin2);
    assert_eq!(token.pin_kind(KeyRole::Authentication), PinKind::Pin1);

    // Two signatures in a row: each one PIN2, each one VERIFY right before PSO:CDS.
    for round in 0..2_u32 {
        let verifications = rig.card.verifications();
        let digest = Sha384::digest(format!("pkcs11 document {round}"));
        let raw = token
            .sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, PIN2))
            .unwrap();
        assert!(
            crate::openssl::verifies(
                rig.dir(),
                &format!("p11-{round}"),
                &certs[1].der,
                &digest,
                &raw.0
            ),
            "openssl refused signature {round}"
        );
        assert_eq!(rig.card.signatures(), round + 1);
        assert!(
            rig.card.verifications() > verifications,
            "signature {round} went without a PIN2 verification"
        );
    }

    // The authentication key (PIN1, not always-authenticate) signs in one C_Sign.
    let digest = Sha384::digest(b"challenge");
    let raw = token
        .sign_digest(KeyRole::Authentication, &digest, pin(PinKind::Pin1, PIN1))
        .unwrap();
    assert!(crate::openssl::verifies(
        rig.dir(),
        "p11-auth",
        &certs[0].der,
        &digest,
        &raw.0
    ));

    // A wrong PIN2 is a wrong PIN (the card counted it), not a communication failure.
    match token.sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, "11111")) {
        Err(TokenError::Card(CardTrouble::PinIncorrect { kind, .. })) => {
            assert_eq!(kind, PinKind::Pin2)
        }
        other => panic!("a wrong PIN2 gave {other:?}"),
    }
    assert_eq!(rig.card.counters().pin2, 2);
}

/// Why a login before each signature is needed: OpenSC does not cache PIN2 for its
/// always-authenticate key, and the card takes one VERIFY for one signature. After one user
/// login, `Session::sign` (`C_SignInit` + `C_Sign`, no room for a context-specific login) signs
/// once, on the VERIFY the login sent, and the second signature is refused.
#[test]
fn opensc_signs_only_once_per_pin2_login() {
    let rig = rig();
    let context = Pkcs11::new(DEFAULT_MODULE).unwrap();
    context
        .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .unwrap();
    let slot = context
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|slot| {
            context
                .get_token_info(*slot)
                .unwrap()
                .label()
                .trim()
                .ends_with("(PIN2)")
        })
        .unwrap();
    let session = context.open_ro_session(slot).unwrap();
    session
        .login(UserType::User, Some(&AuthPin::from(PIN2)))
        .unwrap();
    let key = session
        .find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Id(vec![0x02]),
        ])
        .unwrap()[0];
    let always = session
        .get_attributes(key, &[cryptoki::object::AttributeType::AlwaysAuthenticate])
        .unwrap();
    assert_eq!(always, vec![Attribute::AlwaysAuthenticate(true)]);
    let digest = Sha384::digest(b"one login");
    assert_eq!(
        session.sign(&Mechanism::Ecdsa, key, &digest).unwrap().len(),
        96
    );
    let again = session.sign(&Mechanism::Ecdsa, key, &digest);
    assert!(
        again.is_err(),
        "a second signature went through on one PIN2"
    );
    assert_eq!(rig.card.signatures(), 1);
}

#[test]
fn opensc_tools_list_read_and_sign_on_the_virtual_card() {
    let rig = rig();
    assert!(tool("opensc-tool", &["-n"]).contains("EstEID 2018"));

    let dump = tool("pkcs15-tool", &["--dump"]);
    for expected in [
        "PKCS#15 Card [TAMM,MARI,38001085718]",
        "Serial number  : AB0123456",
        "PIN [PIN1]",
        "PIN [PIN2]",
        "PIN [PUK]",
        "Reference      : 133 (0x85)",
        "Tries left     : 3",
        "Private EC Key [Allkirjastamine]",
        "FieldLength    : 384",
        "X.509 Certificate [Isikutuvastus]",
        "Path           : 3f00adf2341f",
    ] {
        assert!(dump.contains(expected), "no `{expected}` in:\n{dump}");
    }

    // The signing certificate, read by pkcs15-tool, is the testkit's.
    let pem = tool("pkcs15-tool", &["--read-certificate", "02"]);
    let pem_path = rig.dir().join("opensc-sign.pem");
    std::fs::write(
        &pem_path,
        pem.lines()
            .filter(|l| !l.starts_with("Using"))
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .unwrap();
    let der_path = rig.dir().join("opensc-sign.der");
    tool(
        "openssl",
        &[
            "x509",
            "-in",
            pem_path.to_str().unwrap(),
            "-outform",
            "DER",
            "-out",
            der_path.to_str().unwrap(),
        ],
    );
    assert_eq!(
        std::fs::read(&der_path).unwrap(),
        rig.pki.der(Role::Signing)
    );

    let slots = tool("pkcs11-tool", &["--module", DEFAULT_MODULE, "-L"]);
    assert!(
        slots.contains("(PIN1)") && slots.contains("(PIN2)"),
        "{slots}"
    );
    let objects = tool(
        "pkcs11-tool",
        &["--module", DEFAULT_MODULE, "--slot-index", "1", "-O"],
    );
    assert!(objects.contains("label:      Allkirjastamine"), "{objects}");

    // pkcs11-tool signs a SHA-384 digest with the always-authenticate key; OpenSSL verifies.
    let digest = Sha384::digest(b"signed by pkcs11-tool");
    let digest_path = rig.dir().join("tool.digest");
    let sig_path = rig.dir().join("tool.sig");
    std::fs::write(&digest_path, digest).unwrap();
    tool(
        "pkcs11-tool",
        &[
            "--module",
            DEFAULT_MODULE,
            "--slot-index",
            "1",
            "--login",
            "--pin",
            PIN2,
            "--sign",
            "--mechanism",
            "ECDSA",
            "--id",
            "02",
            "-i",
            digest_path.to_str().unwrap(),
            "-o",
            sig_path.to_str().unwrap(),
        ],
    );
    let raw = std::fs::read(&sig_path).unwrap();
    assert_eq!(raw.len(), 96);
    assert!(crate::openssl::verifies(
        rig.dir(),
        "tool",
        rig.pki.der(Role::Signing),
        &digest,
        &raw
    ));
    assert_eq!(rig.card.signatures(), 1);
}

/// A writer that keeps everything tracing writes.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

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
fn a_pkcs11_signing_run_at_trace_level_never_logs_the_pins() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let rig = rig();
    tracing::subscriber::with_default(subscriber, || {
        let mut token = Pkcs11Token::open(None).unwrap();
        let digest = Sha384::digest(b"traced");
        token
            .sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, PIN2))
            .unwrap();
        token
            .sign_digest(KeyRole::Authentication, &digest, pin(PinKind::Pin1, PIN1))
            .unwrap();
        let _ = token.sign_digest(KeyRole::Signing, &digest, pin(PinKind::Pin2, "1357924680"));
    });
    assert_eq!(rig.card.signatures(), 1);
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("signing through PKCS#11"),
        "not captured:\n{log}"
    );
    for secret in [PIN1, PIN2, "1357924680"] {
        let hex: String = secret.bytes().map(|b| format!("{b:02X}")).collect();
        assert!(!log.contains(secret), "{secret} is in the log");
        assert!(
            !log.to_uppercase().contains(&hex),
            "{secret} is in the log as hex"
        );
    }
}
