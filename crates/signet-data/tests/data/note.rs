//! C2SP signed notes and checkpoints.

use ed25519_dalek::SigningKey;
use signet_data::merkle::{Hash, empty_root};
use signet_data::note::{Checkpoint, NoteError, NoteSigner, NoteVerifier, SignedNote};

fn signer(name: &str, seed: u8) -> NoteSigner {
    NoteSigner::new(name, SigningKey::from_bytes(&[seed; 32])).unwrap()
}

#[test]
fn the_go_sumdb_example_verifier_key_parses_with_its_key_id() {
    // The verifier key of golang.org/x/mod/sumdb/note's documentation: the key ID c74f20a3 is
    // the first four bytes of SHA-256("PeterNeumann" ‖ 0x0A ‖ 0x01 ‖ key).
    let v =
        NoteVerifier::parse("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
            .unwrap();
    assert_eq!(v.name(), "PeterNeumann");
    assert_eq!(v.key_id(), 0xc74f_20a3);
    assert_eq!(
        v.to_text(),
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    );
    // A wrong key ID is refused.
    assert!(matches!(
        NoteVerifier::parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
        Err(NoteError::BadVerifierKey(_))
    ));
}

#[test]
fn checkpoints_round_trip_and_bind_origin_size_and_root() {
    let s = signer("node.example/log", 7);
    let cp = Checkpoint {
        origin: "node.example/log".into(),
        size: 12,
        root: Hash([0xab; 32]),
    };
    let note = s.sign(&cp.to_text()).unwrap();
    assert!(note.starts_with("node.example/log\n12\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n\u{2014} node.example/log "));
    let got = Checkpoint::verify_note(note.as_bytes(), s.verifier(), "node.example/log").unwrap();
    assert_eq!(got, cp);

    // Another origin expected.
    assert!(matches!(
        Checkpoint::verify_note(note.as_bytes(), s.verifier(), "other/log"),
        Err(NoteError::WrongOrigin { .. })
    ));
    // The size or the root changed after signing.
    for tampered in [
        note.replacen("\n12\n", "\n13\n", 1),
        note.replacen("q6ur", "q6us", 1),
    ] {
        assert!(matches!(
            Checkpoint::verify_note(tampered.as_bytes(), s.verifier(), "node.example/log"),
            Err(NoteError::BadSignature { .. })
        ));
    }
    // Another key of the same name.
    let impostor = signer("node.example/log", 8);
    let forged = impostor.sign(&cp.to_text()).unwrap();
    assert!(matches!(
        Checkpoint::verify_note(forged.as_bytes(), s.verifier(), "node.example/log"),
        Err(NoteError::NotSigned { .. })
    ));
}

#[test]
fn unknown_signatures_are_ignored() {
    let s = signer("log", 1);
    let w = signer("witness", 2);
    let text = Checkpoint {
        origin: "log".into(),
        size: 0,
        root: empty_root(),
    }
    .to_text();
    let a = s.sign(&text).unwrap();
    let b = w.sign(&text).unwrap();
    let both = format!("{}{}", a, &b[text.len() + 1..]);
    let parsed = SignedNote::parse(both.as_bytes()).unwrap();
    assert_eq!(parsed.signatures.len(), 2);
    assert_eq!(parsed.verify(s.verifier()).unwrap(), text);
    assert_eq!(parsed.verify(w.verifier()).unwrap(), text);
}

#[test]
fn malformed_notes_and_checkpoints_are_refused() {
    for bad in [
        "",
        "log\n1\n",
        "log\n1\nAAAA\n\n",
        "log\n1\nAAAA\n\nsig\n",
        "log\n1\nAAAA\n\n\u{2014} log\n",
        "log\n1\nAAAA\n\n\u{2014} log !!!\n",
        "log\n1\nAAAA\n\n\u{2014} log AAAA\n",
    ] {
        assert!(SignedNote::parse(bad.as_bytes()).is_err(), "{bad:?}");
    }
    for bad in [
        "log\n01\nAAAA\n",
        "log\n-1\n",
        "lo g\n1\n",
        "log\n1\nAAAA\n",
        "\n1\n",
    ] {
        assert!(Checkpoint::parse_text(bad).is_err(), "{bad:?}");
    }
    assert!(SignedNote::parse(&vec![b'a'; 70_000]).is_err());
    assert!(NoteSigner::new("with space", SigningKey::from_bytes(&[1; 32])).is_err());
    assert!(signer("log", 1).sign("no newline").is_err());
}
