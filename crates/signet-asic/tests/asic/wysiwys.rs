//! What is signed is what is written: a data file that changes on disk while the container is
//! being signed never ends up signed under another content, and a new container never replaces
//! a file that is there.

use signet_asic::AsicError;
use signet_asic::session::{self, Guard, SessionError};
use signet_core::BaselineLevel;
use signet_testkit::Role;

use crate::common::Setup;

/// Files in the test folder whose name starts with `.signet-` (temporary files).
fn temporaries(s: &Setup) -> Vec<String> {
    std::fs::read_dir(s.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".signet-"))
        .collect()
}

#[test]
fn a_file_swapped_while_the_token_signs_a_b_lta_container_is_never_signed() {
    let s = Setup::new();
    let file = s.write("contract.txt", b"pay 100 EUR\n");
    let out = s.path("contract.asice");
    let signer = s.cert(Role::Signing);
    let mut sign = s.token(Role::Signing);
    // The token swaps the file (same length) before it signs: the archive time-stamp streams
    // the file again, and finds another digest than the one signed.
    let mut token = |digest: &[u8], hash| {
        std::fs::write(&file.path, b"pay 900 EUR\n").unwrap();
        sign(digest, hash)
    };
    let err = s
        .with_services(|services| {
            session::sign_new(
                &out,
                std::slice::from_ref(&file),
                &signer,
                BaselineLevel::B_LTA,
                services,
                &mut token,
            )
        })
        .unwrap_err();
    assert!(
        matches!(&err, SessionError::InputChanged(p) if *p == file.path),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("changed on disk while it was being signed"),
        "{err}"
    );
    assert!(!out.exists());
    assert!(temporaries(&s).is_empty(), "{:?}", temporaries(&s));
}

#[test]
fn a_file_that_streams_to_another_digest_than_read_before_is_not_signed() {
    use sha2::Digest as _;
    let s = Setup::new();
    let file = s.write("deed.txt", b"the deed as reviewed\n");
    let reviewed = sha2::Sha256::digest(b"the deed as reviewed\n").to_vec();
    std::fs::write(&file.path, b"the deed as swapped!\n").unwrap();
    let out = s.path("deed.asice");
    let signer = s.cert(Role::Signing);
    let mut asked = 0;
    let mut sign = s.token(Role::Signing);
    let mut token = |digest: &[u8], hash| {
        asked += 1;
        sign(digest, hash)
    };
    let err = s
        .with_services(|services| {
            session::sign_new_guarded(
                &out,
                std::slice::from_ref(&file),
                &signer,
                BaselineLevel::B_B,
                services,
                &mut token,
                Guard {
                    expected_sha256: vec![Some(reviewed)],
                    ..Guard::default()
                },
            )
        })
        .unwrap_err();
    assert!(matches!(err, SessionError::InputChanged(_)), "{err}");
    assert_eq!(asked, 0, "the token is not asked for a changed file");
    assert!(!out.exists());
    assert!(temporaries(&s).is_empty());
}

#[test]
fn a_new_container_never_replaces_an_existing_file() {
    let s = Setup::new();
    let file = s.write("notes.txt", b"notes\n");
    let out = s.path("notes.asice");
    std::fs::write(&out, b"someone else's file").unwrap();
    let signer = s.cert(Role::Signing);
    let mut token = s.token(Role::Signing);
    let err = s
        .with_services(|services| {
            session::sign_new(
                &out,
                std::slice::from_ref(&file),
                &signer,
                BaselineLevel::B_B,
                services,
                &mut token,
            )
        })
        .unwrap_err();
    assert!(
        matches!(&err, SessionError::Container(AsicError::Io { source, .. }) if source.kind() == std::io::ErrorKind::AlreadyExists),
        "{err}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"someone else's file");
    assert!(temporaries(&s).is_empty());
}
