//! The signing job driven from Rust the way the desktop drives it: events in order, a PIN request
//! that names the files and their digests, a wrong secret answered again, a cancel while the PIN
//! is asked and between files (no output, no temporary file), and a card over the real pcscd.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};
use signet_api::card::{PinKind, pin_from_typed};
use signet_api::job::{self, JobEvent, JobHandle, Phase, PinRequest, SecretKind};
use signet_api::signing::{self, SignFilesRequest, SignFormat};
use signet_api::token::TokenSpec;
use signet_api::{ApiError, Context};
use signet_core::{BaselineLevel, Code};
use signet_testkit::{LoopbackFetch, Role, TestKey, TestPki};

const PASSWORD: &str = "test1234";

fn p12(pki: &TestPki, dir: &Path) -> PathBuf {
    let out = dir.join("signer.p12");
    let bytes = signet_testkit::pkcs12(&[pki.get(Role::Signing)], &[], PASSWORD, dir).unwrap();
    std::fs::write(&out, bytes).unwrap();
    out
}

fn secret(kind: PinKind, text: &str) -> signet_api::card::Pin {
    pin_from_typed(kind, zeroize::Zeroizing::new(text.to_owned())).unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn sha256_hex(path: &Path) -> String {
    Sha256::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A job whose events are recorded and handed to `answer`, which may answer or cancel through
/// the handle (as the window's PIN dialog does).
struct Rig {
    events: Arc<Mutex<Vec<JobEvent>>>,
    handle: JobHandle,
    control: job::JobControl,
}

fn rig(answer: impl Fn(&JobEvent, &JobHandle) + Send + Sync + 'static) -> Rig {
    let events = Arc::new(Mutex::new(Vec::new()));
    let handle_slot: Arc<OnceLock<JobHandle>> = Arc::new(OnceLock::new());
    let (sink_events, sink_handle) = (Arc::clone(&events), Arc::clone(&handle_slot));
    let (handle, control) = job::channel(move |event| {
        sink_events.lock().unwrap().push(event.clone());
        if let Some(handle) = sink_handle.get() {
            answer(&event, handle);
        }
    });
    handle_slot.set(handle.clone()).unwrap();
    Rig {
        events,
        handle,
        control,
    }
}

fn requests(events: &[JobEvent]) -> Vec<PinRequest> {
    events
        .iter()
        .filter_map(|e| match e {
            JobEvent::PinRequest(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

fn phases(events: &[JobEvent]) -> Vec<Phase> {
    events
        .iter()
        .filter_map(|e| match e {
            JobEvent::Phase { phase, .. } => Some(*phase),
            _ => None,
        })
        .collect()
}

struct Docs {
    _pki: TestPki,
    dir: tempfile::TempDir,
    docs: PathBuf,
    token: TokenSpec,
}

fn docs() -> Docs {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p12 = p12(&pki, dir.path());
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(
        docs.join("a.pdf"),
        signet_testkit::pdf::one_page_pdf("first"),
    )
    .unwrap();
    std::fs::write(
        docs.join("b.pdf"),
        signet_testkit::pdf::one_page_pdf("second"),
    )
    .unwrap();
    std::fs::write(docs.join("notes.txt"), "notes\n").unwrap();
    Docs {
        _pki: pki,
        dir,
        docs,
        token: TokenSpec::P12 { file: p12 },
    }
}

fn request(docs: &Docs, files: &[&str]) -> SignFilesRequest {
    SignFilesRequest {
        files: files.iter().map(|f| docs.docs.join(f)).collect(),
        level: Some(BaselineLevel::B_B),
        token: Some(docs.token.clone()),
        ..SignFilesRequest::default()
    }
}

#[test]
fn a_wrong_password_is_asked_again_and_the_request_names_every_file_and_digest() {
    let docs = docs();
    let context = Context::new(docs.dir.path().join("data"));
    let rig = rig(|event, handle| {
        if let JobEvent::PinRequest(r) = event {
            let text = if r.retry { PASSWORD } else { "wrong-password" };
            handle.answer(r.id, secret(PinKind::Password, text));
        }
    });
    let outcome = signing::sign(
        &context,
        &request(&docs, &["a.pdf", "b.pdf"]),
        &LoopbackFetch::default(),
        &rig.control,
    )
    .unwrap();
    assert_eq!(outcome.format, SignFormat::Pades);
    assert_eq!(outcome.outputs.len(), 2);
    assert!(outcome.signer.ends_with(')'), "{}", outcome.signer);
    let events = rig.events.lock().unwrap();
    let asked = requests(&events);
    assert_eq!(
        asked.len(),
        2,
        "one wrong answer, asked once more: {asked:?}"
    );
    assert_eq!(asked[0].secret, SecretKind::Password);
    assert!(!asked[0].retry && asked[1].retry);
    // The password unlocks the file for both PDFs: both are named with their digests.
    let shown: Vec<(&str, &str)> = asked[1]
        .documents
        .iter()
        .map(|d| (d.name.as_str(), d.sha256.as_str()))
        .collect();
    let (a, b) = (
        sha256_hex(&docs.docs.join("a.pdf")),
        sha256_hex(&docs.docs.join("b.pdf")),
    );
    assert_eq!(shown, [("a.pdf", a.as_str()), ("b.pdf", b.as_str())]);
    // The steps in order: both read, then each signed and written.
    let steps = phases(&events);
    assert_eq!(&steps[..2], [Phase::Reading, Phase::Reading]);
    let writes = steps.iter().filter(|p| **p == Phase::Writing).count();
    assert_eq!(writes, 2, "{steps:?}");
    let last_signing = steps.iter().rposition(|p| *p == Phase::Signing).unwrap();
    assert!(steps.iter().rposition(|p| *p == Phase::Writing).unwrap() > last_signing);
    assert_eq!(
        names(&docs.docs),
        [
            "a.pdf",
            "a.signed.pdf",
            "b.pdf",
            "b.signed.pdf",
            "notes.txt"
        ]
    );
}

#[test]
fn a_cancel_while_the_password_is_asked_leaves_nothing_behind() {
    let docs = docs();
    let context = Context::new(docs.dir.path().join("data"));
    for files in [&["a.pdf"][..], &["a.pdf", "notes.txt"][..]] {
        let rig = rig(|event, handle| {
            if matches!(event, JobEvent::PinRequest(_)) {
                handle.cancel();
            }
        });
        let err = signing::sign(
            &context,
            &request(&docs, files),
            &LoopbackFetch::default(),
            &rig.control,
        )
        .unwrap_err();
        assert_eq!(err.code, Code::Cancelled, "{err}");
        assert!(rig.handle.is_cancelled());
        assert_eq!(names(&docs.docs), ["a.pdf", "b.pdf", "notes.txt"]);
    }
}

#[test]
fn a_cancel_between_files_stops_before_the_next_one() {
    let docs = docs();
    let context = Context::new(docs.dir.path().join("data"));
    let rig = rig(|event, handle| match event {
        JobEvent::PinRequest(r) => handle.answer(r.id, secret(PinKind::Password, PASSWORD)),
        JobEvent::Phase {
            phase: Phase::Writing,
            ..
        } => handle.cancel(),
        _ => {}
    });
    let err = signing::sign(
        &context,
        &request(&docs, &["a.pdf", "b.pdf"]),
        &LoopbackFetch::default(),
        &rig.control,
    )
    .unwrap_err();
    assert_eq!(err.code, Code::Cancelled);
    // The first file was complete when the cancel came; the second was never signed.
    assert_eq!(
        names(&docs.docs),
        ["a.pdf", "a.signed.pdf", "b.pdf", "notes.txt"]
    );
}

#[test]
fn a_pdf_and_a_text_file_go_into_one_container_named_after_the_first() {
    let docs = docs();
    let context = Context::new(docs.dir.path().join("data"));
    let first = rig(|event, handle| {
        if let JobEvent::PinRequest(r) = event {
            handle.answer(r.id, secret(PinKind::Password, PASSWORD));
        }
    });
    let outcome = signing::sign(
        &context,
        &request(&docs, &["a.pdf", "notes.txt"]),
        &LoopbackFetch::default(),
        &first.control,
    )
    .unwrap();
    assert_eq!(outcome.format, SignFormat::Asice);
    assert_eq!(
        outcome.outputs[0].output,
        docs.docs.join("a.asice").display().to_string()
    );
    let asked = requests(&first.events.lock().unwrap());
    assert_eq!(asked[0].documents.len(), 2);
    // Signing again refuses the existing container before anything is asked.
    let again = rig(|_, _| panic!("nothing is asked when the output exists"));
    let err: ApiError = signing::sign(
        &context,
        &request(&docs, &["a.pdf", "notes.txt"]),
        &LoopbackFetch::default(),
        &again.control,
    )
    .unwrap_err();
    assert!(err.message.contains("exists already"), "{err}");
}

/// Adding a signature to a container the person verified: the container swapped since for
/// another of the same name is refused before anything is asked, and left as it is; the one
/// verified is signed.
#[test]
fn a_signature_is_added_only_to_the_container_that_was_verified() {
    let docs = docs();
    let context = Context::new(docs.dir.path().join("data"));
    let answering = || {
        rig(|event, handle| {
            if let JobEvent::PinRequest(r) = event {
                handle.answer(r.id, secret(PinKind::Password, PASSWORD));
            }
        })
    };
    let fetch = LoopbackFetch::default();
    signing::sign(
        &context,
        &request(&docs, &["a.pdf", "notes.txt"]),
        &fetch,
        &answering().control,
    )
    .unwrap();
    let deed = docs.docs.join("a.asice");
    let other = docs.dir.path().join("other.asice");
    let mut other_request = request(&docs, &["b.pdf"]);
    other_request.container = Some(other.clone());
    signing::sign(&context, &other_request, &fetch, &answering().control).unwrap();

    let verify = |path: &Path| {
        let quiet = rig(|_, _| {});
        signet_api::verification::verify(&context, &[path.to_path_buf()], &fetch, &quiet.control)
            .unwrap()
            .files
            .remove(0)
    };
    let verified = verify(&deed);
    assert_eq!(verified.sha256, sha256_hex(&deed));
    assert_eq!(verified.signatures.len(), 1);

    // Swapped after it was verified: refused, nothing asked, the file as it is now.
    std::fs::copy(&other, &deed).unwrap();
    let swapped = std::fs::read(&deed).unwrap();
    let add = |reviewed: &str| SignFilesRequest {
        add_to: Some(deed.clone()),
        reviewed_sha256: vec![reviewed.to_owned()],
        level: Some(BaselineLevel::B_B),
        token: Some(docs.token.clone()),
        ..SignFilesRequest::default()
    };
    let refused = rig(|event, _| {
        assert!(
            !matches!(event, JobEvent::PinRequest(_)),
            "nothing is asked"
        );
    });
    let err =
        signing::sign(&context, &add(&verified.sha256), &fetch, &refused.control).unwrap_err();
    assert_eq!(err.code, Code::InputChanged, "{err}");
    assert!(
        err.message.contains("no longer the file you verified"),
        "{err}"
    );
    assert_eq!(std::fs::read(&deed).unwrap(), swapped);

    // The container now there, verified, is the one signed.
    let now = verify(&deed);
    assert_ne!(now.sha256, verified.sha256);
    signing::sign(&context, &add(&now.sha256), &fetch, &answering().control).unwrap();
    assert_eq!(verify(&deed).signatures.len(), 2);
}

/// A PDF whose content changes after its digest was reviewed (here, as it is read to be
/// signed) is not signed, and no PIN is asked for it.
#[test]
fn a_pdf_changed_after_it_was_reviewed_is_not_signed() {
    let docs = docs();
    let context = Context::new(docs.dir.path().join("data"));
    let a = docs.docs.join("a.pdf");
    let reviewed = sha256_hex(&a);
    let replacement = std::fs::read(docs.docs.join("b.pdf")).unwrap();
    let asked = Arc::new(Mutex::new(0));
    let counted = Arc::clone(&asked);
    let swapping = rig(move |event, handle| match event {
        JobEvent::Phase {
            phase: Phase::Reading,
            ..
        } => std::fs::write(&a, &replacement).unwrap(),
        JobEvent::PinRequest(r) => {
            *counted.lock().unwrap() += 1;
            handle.answer(r.id, secret(PinKind::Password, PASSWORD));
        }
        _ => {}
    });
    let mut req = request(&docs, &["a.pdf"]);
    req.reviewed_sha256 = vec![reviewed];
    let err =
        signing::sign(&context, &req, &LoopbackFetch::default(), &swapping.control).unwrap_err();
    assert_eq!(err.code, Code::InputChanged, "{err}");
    assert_eq!(*asked.lock().unwrap(), 0, "no PIN is asked");
    assert_eq!(names(&docs.docs), ["a.pdf", "b.pdf", "notes.txt"]);
}

fn p384(pki: &TestPki, role: Role) -> p384::ecdsa::SigningKey {
    match &pki.get(role).key {
        TestKey::P384(key) => key.clone(),
        other => panic!("{role:?} has a {other:?} key"),
    }
}

/// The ID card over the real pcscd: a wrong PIN2 is asked again with the card's new count, then
/// the document is signed.
#[test]
fn card_a_wrong_pin2_is_asked_again_with_the_tries_left() {
    use signet_vcard::{CardSpec, Holder, VirtualCard};
    let pcscd = signet_testkit::pcscd::Pcscd::start().expect("pcscd with vpcd (run as root)");
    let docs = docs();
    let pki = &docs._pki;
    let mut card = VirtualCard::new(CardSpec {
        holder: Holder::new("TAMM", "MARI", "38001085718"),
        auth_key: p384(pki, Role::Authentication),
        auth_cert: pki.der(Role::Authentication).to_vec(),
        sign_key: p384(pki, Role::Signing),
        sign_cert: pki.der(Role::Signing).to_vec(),
        pin1: "4321".into(),
        pin2: "12345".into(),
        puk: "86420864".into(),
    });
    card.insert(pcscd.slot(0)).unwrap();
    let start = Instant::now();
    while signet_api::card::card_status().is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the card did not appear"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let context = Context::new(docs.dir.path().join("data"));
    let rig = rig(|event, handle| {
        if let JobEvent::PinRequest(r) = event {
            let pin = if r.retry { "12345" } else { "11111" };
            handle.answer(r.id, secret(PinKind::Pin2, pin));
        }
    });
    let mut req = request(&docs, &["a.pdf"]);
    req.token = Some(TokenSpec::default());
    let outcome = signing::sign(&context, &req, &LoopbackFetch::default(), &rig.control).unwrap();
    assert_eq!(outcome.signer, "Mari Tamm (38001085718)");
    let asked = requests(&rig.events.lock().unwrap());
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert_eq!(asked[0].secret, SecretKind::Pin2);
    assert_eq!(asked[0].tries_left, Some(3));
    assert_eq!(asked[1].tries_left, Some(2));
    assert!(asked[1].retry);
    assert_eq!(asked[1].signer.as_deref(), Some("Mari Tamm (38001085718)"));
    assert_eq!(asked[1].documents[0].name, "a.pdf");
    assert!(docs.docs.join("a.signed.pdf").exists());

    // Changing PIN1: the current value is checked on the card before the new one is asked; a
    // wrong one is asked again with the tries now left.
    let change = |current_first: &'static str, current: &'static str, new: &'static str| {
        let changing = self::rig(move |event, handle| {
            if let JobEvent::PinRequest(r) = event {
                let pin = match (r.new_value, r.retry) {
                    (true, _) => new,
                    (false, true) => current,
                    (false, false) => current_first,
                };
                handle.answer(r.id, secret(PinKind::Pin1, pin));
            }
        });
        signet_api::card::card_pin_job(PinKind::Pin1, false, &changing.control).unwrap();
        requests(&changing.events.lock().unwrap())
    };
    let asked = change("0000", "4321", "5678");
    assert_eq!(asked.len(), 3, "{asked:?}");
    assert!(!asked[0].new_value && !asked[0].retry, "{asked:?}");
    assert_eq!(asked[0].tries_left, Some(3));
    assert!(!asked[1].new_value && asked[1].retry, "{asked:?}");
    assert_eq!(asked[1].tries_left, Some(2));
    assert!(asked[2].new_value, "{asked:?}");
    // The new value is the card's PIN1 now, and the right one resets the count.
    let asked = change("5678", "5678", "4321");
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert_eq!(asked[0].tries_left, Some(3));
}
