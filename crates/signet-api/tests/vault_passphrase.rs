//! Which key store opens the vault of a data folder (the rule in `signet_api::vault`), and the
//! passphrase asked where there is no keyring: real SQLCipher files, an in-memory keyring or none.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use keyring_core::CredentialStore;
use signet_api::Context;
use signet_api::vault::{
    MIN_NEW_PASSPHRASE, PASSPHRASE_FILE, Passphrase, PassphraseProblem, PassphraseRequest,
    Unopened, VAULT_FILE,
};
use signet_vault::{KeyringStore, LogId, VaultError};

const RIGHT: &str = "correct horse battery staple";

/// A context whose keyring is unavailable (a headless machine), counting the keyring's uses.
fn headless(data: &Path, keyring_asked: &Arc<AtomicUsize>) -> Context {
    let asked = Arc::clone(keyring_asked);
    Context::new(data).with_key_store(move |_| {
        asked.fetch_add(1, Ordering::SeqCst);
        Err(VaultError::KeyringUnavailable {
            reason: "no session bus".into(),
        })
    })
}

/// A context with an in-memory keyring.
fn with_keyring(data: &Path, keyring: &Arc<CredentialStore>, asked: &Arc<AtomicUsize>) -> Context {
    let (keyring, asked) = (Arc::clone(keyring), Arc::clone(asked));
    Context::new(data).with_key_store(move |account| {
        asked.fetch_add(1, Ordering::SeqCst);
        Ok(Box::new(KeyringStore::new(&keyring, account)?))
    })
}

/// An asker giving `answers` in turn (then declining), recording each request.
fn answering(context: Context, answers: &[&str]) -> (Context, Arc<Mutex<Vec<PassphraseRequest>>>) {
    let requests: Arc<Mutex<Vec<PassphraseRequest>>> = Arc::default();
    let seen = Arc::clone(&requests);
    let answers = Mutex::new(answers.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>());
    let context = context.with_vault_passphrase(move |request| {
        seen.lock().unwrap().push(request.clone());
        let mut answers = answers.lock().unwrap();
        if answers.is_empty() {
            return Ok(None);
        }
        Ok(Some(Passphrase::new(&answers.remove(0)).unwrap()))
    });
    (context, requests)
}

/// Every file of the folder, with its bytes.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    out.sort();
    out
}

fn stopped(result: Result<signet_vault::Vault, Unopened>) -> signet_api::ApiError {
    match result {
        Err(Unopened::Stopped(err)) => err,
        other => panic!("expected a stop, got {other:?}"),
    }
}

#[test]
fn the_passphrase_file_is_the_one_beside_the_vault() {
    assert_eq!(
        signet_vault::PassphraseStore::file_beside(Path::new(VAULT_FILE)),
        Path::new(PASSPHRASE_FILE)
    );
}

#[test]
fn without_a_keyring_a_passphrase_vault_is_made_asked_once_per_run_and_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let keyring_asked = Arc::new(AtomicUsize::new(0));
    let (context, requests) = answering(headless(dir.path(), &keyring_asked), &[RIGHT]);
    let log = LogId::new("log").unwrap();

    let mut vault = signet_api::vault::open(&context).unwrap();
    vault.put_checkpoint(&log, 1, &[1; 32], b"note").unwrap();
    drop(vault);
    {
        let requests = requests.lock().unwrap();
        assert_eq!(requests.len(), 1);
        assert!(requests[0].new);
        assert_eq!(requests[0].again, None);
        assert_eq!(requests[0].why, signet_vault::WHY_A_PASSPHRASE);
        assert_eq!(requests[0].vault, dir.path().join(VAULT_FILE));
    }
    let marker = std::fs::read_to_string(dir.path().join(PASSPHRASE_FILE)).unwrap();
    assert!(
        marker.starts_with("signet-vault-passphrase 1\n"),
        "{marker}"
    );
    assert!(marker.contains("generation 1\n"), "{marker}");
    assert!(!marker.contains("horse"));

    // The same run (a clone of the context, as the operations get it): not asked again.
    let again = context.clone();
    assert_eq!(
        signet_api::vault::open(&again)
            .unwrap()
            .checkpoints(&log)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(requests.lock().unwrap().len(), 1);

    // The next run: asked for the existing passphrase (not a new one), and it opens.
    let (next, requests) = answering(headless(dir.path(), &keyring_asked), &[RIGHT]);
    let vault = signet_api::vault::open(&next).unwrap();
    assert_eq!(vault.generation(), 1, "anti-rollback goes on");
    assert!(!requests.lock().unwrap()[0].new);
    // The keyring was asked only when there was no vault and no passphrase file.
    assert_eq!(keyring_asked.load(Ordering::SeqCst), 1);
}

#[test]
fn a_wrong_passphrase_is_asked_again_then_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let keyring_asked = Arc::new(AtomicUsize::new(0));
    let (context, _) = answering(headless(dir.path(), &keyring_asked), &[RIGHT]);
    drop(signet_api::vault::open(&context).unwrap());
    let before = files(dir.path());

    // Wrong, then right: opens, the second request saying why it is asked again.
    let (context, requests) = answering(
        headless(dir.path(), &keyring_asked),
        &["wrong horse battery staple", RIGHT],
    );
    signet_api::vault::open(&context).unwrap();
    let requests = requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].again, Some(PassphraseProblem::Wrong));
    assert!(!requests[1].new);

    // Wrong, and no other answer (the CLI's --pin-stdin): stopped, files unchanged.
    let before_wrong = files(dir.path());
    let (context, requests) = answering(
        headless(dir.path(), &keyring_asked),
        &["wrong horse battery staple"],
    );
    let err = stopped(signet_api::vault::open(&context));
    assert_eq!(err.code, signet_core::Code::InvalidInput);
    assert!(err.message.starts_with("the passphrase is wrong"), "{err}");
    assert!(!err.recommendation.is_empty());
    assert_eq!(requests.lock().unwrap().len(), 2);
    assert_eq!(files(dir.path()), before_wrong);

    // Three wrong ones: stopped after the third, not asked a fourth time.
    let (context, requests) = answering(headless(dir.path(), &keyring_asked), &["a1b2c3d4e5"; 5]);
    let err = stopped(signet_api::vault::open(&context));
    assert!(err.message.starts_with("the passphrase is wrong"), "{err}");
    assert_eq!(
        requests.lock().unwrap().len(),
        signet_api::vault::PASSPHRASE_TRIES
    );
    assert_eq!(files(dir.path()), before_wrong);
    assert_eq!(before.len(), before_wrong.len());
}

#[test]
fn a_new_passphrase_too_short_is_asked_again_and_no_vault_is_made_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let keyring_asked = Arc::new(AtomicUsize::new(0));
    let short = "x".repeat(MIN_NEW_PASSPHRASE - 1);
    assert_eq!(MIN_NEW_PASSPHRASE, 8);
    let (context, requests) = answering(headless(dir.path(), &keyring_asked), &[&short]);
    let err = stopped(signet_api::vault::open(&context));
    assert!(err.message.contains("shorter than 8 characters"), "{err}");
    assert_eq!(
        requests.lock().unwrap()[1].again,
        Some(PassphraseProblem::TooShort)
    );
    assert!(files(dir.path()).is_empty(), "no vault made");

    // No answer at the first ask (the window's "Not now"): no vault either, and the operation
    // goes on without it, keeping nothing.
    let (context, _) = answering(headless(dir.path(), &keyring_asked), &[]);
    let err = signet_api::vault::open(&context).unwrap_err();
    assert!(
        matches!(err, Unopened::Vault(VaultError::PassphraseNeeded { .. })),
        "{err:?}"
    );
    assert!(signet_api::dashboard::cached(&context).unwrap().is_none());
    assert!(files(dir.path()).is_empty());

    // An asker's own error (the person cancelled) stops the operation as it is.
    let context = headless(dir.path(), &keyring_asked).with_vault_passphrase(|_| {
        Err(signet_api::ApiError::new(
            signet_core::Code::Cancelled,
            "cancelled",
        ))
    });
    assert_eq!(
        stopped(signet_api::vault::open(&context)).code,
        signet_core::Code::Cancelled
    );
    assert!(files(dir.path()).is_empty());
}

#[test]
fn a_passphrase_vault_is_never_opened_through_a_keyring_that_appears() {
    let dir = tempfile::tempdir().unwrap();
    let keyring_asked = Arc::new(AtomicUsize::new(0));
    let (context, _) = answering(headless(dir.path(), &keyring_asked), &[RIGHT]);
    drop(signet_api::vault::open(&context).unwrap());
    let before = files(dir.path());

    // Later a keyring is there: the passphrase file decides, the keyring is not even asked.
    let keyring: Arc<CredentialStore> = keyring_core::mock::Store::new().unwrap();
    let asked = Arc::new(AtomicUsize::new(0));
    let (context, requests) = answering(with_keyring(dir.path(), &keyring, &asked), &[RIGHT]);
    drop(signet_api::vault::open(&context).unwrap());
    assert_eq!(asked.load(Ordering::SeqCst), 0);
    assert_eq!(requests.lock().unwrap().len(), 1);
    let account = signet_api::vault::keyring_account(dir.path());
    assert!(
        signet_vault::KeyStore::load(&KeyringStore::new(&keyring, &account).unwrap())
            .unwrap()
            .is_none(),
        "nothing put in the keyring"
    );

    // And without an asker (the desktop for now) it is not opened, and not replaced.
    let err = signet_api::vault::open(&with_keyring(dir.path(), &keyring, &asked)).unwrap_err();
    assert!(
        matches!(err, Unopened::Vault(VaultError::PassphraseNeeded { .. })),
        "{err:?}"
    );
    assert_eq!(files(dir.path()), before);
}

#[test]
fn a_keyring_vault_is_never_replaced_where_its_keyring_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let keyring: Arc<CredentialStore> = keyring_core::mock::Store::new().unwrap();
    let asked = Arc::new(AtomicUsize::new(0));
    let mut vault = signet_api::vault::open(&with_keyring(dir.path(), &keyring, &asked)).unwrap();
    vault
        .put_checkpoint(&LogId::new("log").unwrap(), 1, &[1; 32], b"note")
        .unwrap();
    drop(vault);
    let before = files(dir.path());

    let keyring_asked = Arc::new(AtomicUsize::new(0));
    let (context, requests) = answering(headless(dir.path(), &keyring_asked), &[RIGHT]);
    let err = signet_api::vault::open(&context).unwrap_err();
    assert!(
        matches!(err, Unopened::Vault(VaultError::KeyringUnavailable { .. })),
        "{err:?}"
    );
    assert!(requests.lock().unwrap().is_empty(), "no passphrase asked");
    assert_eq!(files(dir.path()), before);
    assert!(!dir.path().join(PASSPHRASE_FILE).exists());

    // Back where its keyring is, it opens as before.
    let vault = signet_api::vault::open(&with_keyring(dir.path(), &keyring, &asked)).unwrap();
    assert_eq!(vault.generation(), 1);
}

#[test]
fn operations_on_several_threads_wait_for_one_answer() {
    let dir = tempfile::tempdir().unwrap();
    let keyring_asked = Arc::new(AtomicUsize::new(0));
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&asked);
    let context = headless(dir.path(), &keyring_asked).with_vault_passphrase(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        // A person takes a moment to type it.
        std::thread::sleep(std::time::Duration::from_millis(200));
        Ok(Some(Passphrase::new(RIGHT).unwrap()))
    });
    std::thread::scope(|scope| {
        for _ in 0..3 {
            let context = context.clone();
            scope.spawn(move || drop(signet_api::vault::open(&context).unwrap()));
        }
    });
    assert_eq!(asked.load(Ordering::SeqCst), 1);
}
