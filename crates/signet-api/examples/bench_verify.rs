//! `cargo xtask bench verify` runs this (release build): offline validation of 100 B-LT PDFs and
//! of 100 B-LT ASiC-E containers in one process, through the engine's `verification::verify`
//! (what the window and `signet verify` call: the settings' trusted list is loaded and checked,
//! each file read, routed by content and validated), against pyHanko (`validate_pdf_signature`
//! with the file's DSS, no fetching) and libdigidocpp 4.3 (pydigidoc) in the same run, each
//! peer's valid count checked. Targets: at least 15× pyHanko, at least 8× libdigidocpp.
//!
//! Then one more round with a tracing layer that adds up the time spent in each part of the
//! validation (the `verify.*` spans of signet-pki, signet-pades, signet-asic and signet-api:
//! parsing, modification analysis, digests, public-key operations, certificate paths, OCSP,
//! CRLs, time-stamps, the trusted list), each part's own time without the parts inside it.
//!
//! Usage: `bench_verify WORK_DIR` (the peers' interpreter is `target/peers/venv/bin/python`).
//! Prints the figures and exits 1 when a target is missed or a valid count is wrong.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    reason = "a benchmark program: it reports on the terminal and times with the system clock"
)]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use signet_api::asice::{AsiceSignRequest, asice_sign};
use signet_api::card::{Pin, PinKind, pin_from_typed};
use signet_api::pades::{PadesSignRequest, pades_sign};
use signet_api::token::{TokenSpec, open_token};
use signet_api::verification::{Verdict, VerifiedFiles, verify};
use signet_api::{ApiError, Context, Profile};
use signet_core::BaselineLevel;
use signet_core::{Fetch, FetchError, FetchResponse};
use signet_testkit::{LoopbackFetch, Role, TestPki};
use tracing::span::{Attributes, Id};
use tracing_subscriber::layer::{Context as LayerContext, Layer};
use tracing_subscriber::prelude::*;

const PASSWORD: &str = "bench1234";
const FILES: usize = 100;
const ROUNDS: usize = 3;

fn password(kind: PinKind) -> Result<Pin, ApiError> {
    pin_from_typed(kind, zeroize::Zeroizing::new(PASSWORD.to_owned()))
}

/// Validation must not reach the network: every request is refused and counted.
#[derive(Debug, Default)]
struct Offline(AtomicUsize);

impl Offline {
    fn refuse(&self, url: &str) -> Result<FetchResponse, FetchError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Err(FetchError::Unreachable {
            url: url.to_owned(),
            reason: "the benchmark validates offline".into(),
        })
    }
}

impl Fetch for Offline {
    fn get(&self, url: &str, _accept: &str) -> Result<FetchResponse, FetchError> {
        self.refuse(url)
    }
    fn post(&self, url: &str, _: &str, _: &[u8]) -> Result<FetchResponse, FetchError> {
        self.refuse(url)
    }
}

thread_local! {
    /// The spans entered on this thread: name, start, time spent in the spans inside it.
    static STACK: RefCell<Vec<(&'static str, Instant, Duration)>> = const { RefCell::new(Vec::new()) };
}

/// Adds up each `verify.*` span's own time (its time minus the time of the spans inside it).
#[derive(Clone, Default)]
struct Split(Arc<Mutex<BTreeMap<&'static str, (Duration, u32)>>>);

impl<S> Layer<S> for Split
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_new_span(&self, _: &Attributes<'_>, _: &Id, _: LayerContext<'_, S>) {}

    fn on_enter(&self, id: &Id, ctx: LayerContext<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let name = span.name();
        if name.starts_with("verify.") {
            STACK.with(|s| s.borrow_mut().push((name, Instant::now(), Duration::ZERO)));
        }
    }

    fn on_exit(&self, id: &Id, ctx: LayerContext<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        if !span.name().starts_with("verify.") {
            return;
        }
        STACK.with(|s| {
            let mut stack = s.borrow_mut();
            let Some((name, started, inner)) = stack.pop() else {
                return;
            };
            let total = started.elapsed();
            let mut parts = self.0.lock().unwrap();
            let part = parts.entry(name).or_default();
            part.0 += total.saturating_sub(inner);
            part.1 += 1;
            if let Some(parent) = stack.last_mut() {
                parent.2 += total;
            }
        });
    }
}

struct Inputs {
    pdfs: Vec<PathBuf>,
    containers: Vec<PathBuf>,
    tsl: PathBuf,
    tsl_signer: PathBuf,
    root_pem: PathBuf,
}

/// 100 distinct one-page PDFs signed at B-LT and 100 one-file containers at B-LT, by the engine,
/// with the test PKI's TSA and OCSP responder.
fn make_inputs(pki: &TestPki, dir: &Path) -> Inputs {
    let p12 = dir.join("signer.p12");
    let bytes = signet_testkit::pkcs12(&[pki.get(Role::Signing)], &[], PASSWORD, dir).unwrap();
    std::fs::write(&p12, bytes).unwrap();
    let list = pki.trusted_list().unwrap();
    let tsl = dir.join("tsl.xml");
    let tsl_signer = dir.join("tsl-signer.der");
    std::fs::write(&tsl, &list.xml).unwrap();
    std::fs::write(&tsl_signer, &list.signer).unwrap();
    let root = pki.der(Role::Root).to_vec();
    let chain = vec![pki.der(Role::IssuingCa).to_vec()];
    let context = Context::new(dir.join("signing-data"));
    let fetch = LoopbackFetch::default();

    for folder in ["pdf-in", "pdf", "txt", "asice"] {
        std::fs::create_dir_all(dir.join(folder)).unwrap();
    }
    let mut pairs = Vec::new();
    for i in 0..FILES {
        let input = dir.join(format!("pdf-in/deed-{i:03}.pdf"));
        std::fs::write(
            &input,
            signet_testkit::pdf::one_page_pdf(&format!("Deed {i}: I sell the house")),
        )
        .unwrap();
        pairs.push((input, dir.join(format!("pdf/deed-{i:03}.signed.pdf"))));
    }
    let pdfs = pairs.iter().map(|(_, out)| out.clone()).collect();
    let request = PadesSignRequest {
        files: pairs,
        level: BaselineLevel::B_LT,
        tsa: Some(pki.tsa_url()),
        token: TokenSpec::P12 { file: p12.clone() },
        chain: chain.clone(),
        trust: vec![root.clone()],
        trusted_list: None,
        visible: None,
        normalise: false,
        reason: None,
        location: None,
        contact: None,
        replace_existing: true,
        expected_sha256: Vec::new(),
    };
    pades_sign(&context, &request, &mut |kind, _| password(kind), &fetch).unwrap();

    let mut token =
        open_token(&TokenSpec::P12 { file: p12 }, &mut |kind, _| password(kind)).unwrap();
    let mut containers = Vec::new();
    for i in 0..FILES {
        let input = dir.join(format!("txt/deed-{i:03}.txt"));
        std::fs::write(&input, format!("Deed {i}: I sell the house\n")).unwrap();
        let out = dir.join(format!("asice/deed-{i:03}.asice"));
        let request = AsiceSignRequest {
            files: vec![input],
            out: out.clone(),
            add_to: None,
            level: BaselineLevel::B_LT,
            tsa: Some(pki.tsa_url()),
            trust: signet_api::asice::TrustFiles {
                trust: vec![signet_api::cert::FileBytes {
                    name: "root.der".into(),
                    bytes: root.clone(),
                }],
                list: None,
            },
            chain: chain.clone(),
            replace_existing: true,
            seen: Vec::new(),
            expected_sha256: Vec::new(),
        };
        asice_sign(&context, &fetch, &request, token.as_mut(), &mut password).unwrap();
        containers.push(out);
    }
    let root_pem = dir.join("root.pem");
    std::fs::copy(&pki.get(Role::Root).cert_path, &root_pem).unwrap();
    Inputs {
        pdfs,
        containers,
        tsl,
        tsl_signer,
        root_pem,
    }
}

fn run_verify(
    context: &Context,
    files: &[PathBuf],
    offline: &Offline,
) -> (Duration, VerifiedFiles) {
    let (_handle, control) = signet_api::job::channel(|_| {});
    let started = Instant::now();
    let report = verify(context, files, offline, &control).unwrap();
    (started.elapsed(), report)
}

fn valid_count(report: &VerifiedFiles) -> usize {
    report
        .files
        .iter()
        .filter(|f| f.verdict == Verdict::Valid)
        .count()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn peer(python: &Path, script: &Path, args: &[&str], files: &[PathBuf]) -> (f64, usize, usize) {
    let out = Command::new(python)
        .arg(script)
        .args(args)
        .args(files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} {args:?} failed:\n{}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let seconds = v["seconds"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .collect();
    (
        median(seconds),
        v["valid"].as_u64().unwrap() as usize,
        v["signatures"].as_u64().unwrap() as usize,
    )
}

fn main() {
    let work = PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: bench_verify WORK_DIR"),
    );
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join("target/peers/venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run `cargo xtask setup` first",
        python.display()
    );
    let script = root.join("tests/peers/bench_verify.py");
    if let Some(rounds) = std::env::args()
        .nth(2)
        .and_then(|a| a.strip_prefix("--profile=").map(str::to_owned))
    {
        // For a profiler: only Signet's PDF validation of an earlier run's files, N rounds.
        let profile = Profile {
            name: "bench".into(),
            dir: work.clone(),
            tsa_url: None,
            trust: Vec::new(),
            trusted_list: Some(work.join("tsl.xml")),
            trusted_list_signers: vec![work.join("tsl-signer.der")],
            data_dir: work.join("data"),
            identity: None,
            token: None,
        };
        let context = Context::new(work.join("data")).with_profile(profile);
        let mut files: Vec<PathBuf> = std::fs::read_dir(work.join("pdf"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let offline = Offline::default();
        for _ in 0..rounds.parse::<usize>().unwrap() {
            let (took, report) = run_verify(&context, &files, &offline);
            println!(
                "{:.2} ms/file, {} valid",
                took.as_secs_f64() * 1000.0 / files.len() as f64,
                valid_count(&report)
            );
        }
        return;
    }
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let pki = TestPki::start().unwrap();
    println!("bench verify: signing {FILES} PDFs and {FILES} containers at B-LT…");
    let inputs = make_inputs(&pki, &work);

    // Signet verifies with a profile whose trust is the generated trusted list, as a person's.
    let profile = Profile {
        name: "bench".into(),
        dir: work.clone(),
        tsa_url: None,
        trust: Vec::new(),
        trusted_list: Some(inputs.tsl.clone()),
        trusted_list_signers: vec![inputs.tsl_signer.clone()],
        data_dir: work.join("data"),
        identity: None,
        token: None,
    };
    let context = Context::new(work.join("data")).with_profile(profile);
    let offline = Offline::default();

    let mut figures = Vec::new();
    for (what, files) in [("PDFs", &inputs.pdfs), ("containers", &inputs.containers)] {
        // One round to warm the file cache, checked; then the timed rounds.
        let (_, report) = run_verify(&context, files, &offline);
        let valid = valid_count(&report);
        let mut times = Vec::new();
        for _ in 0..ROUNDS {
            let (took, report) = run_verify(&context, files, &offline);
            assert_eq!(valid_count(&report), valid);
            times.push(took.as_secs_f64());
        }
        figures.push((what, median(times), valid));
    }
    assert_eq!(
        offline.0.load(Ordering::SeqCst),
        0,
        "validation asked the network"
    );

    // Where the time goes: one more round of each with the span layer.
    let mut splits = Vec::new();
    for files in [&inputs.pdfs, &inputs.containers] {
        let split = Split::default();
        let subscriber = tracing_subscriber::registry().with(split.clone());
        let total = tracing::subscriber::with_default(subscriber, || {
            run_verify(&context, files, &offline).0
        });
        let parts = split.0.lock().unwrap().clone();
        splits.push((total, parts));
    }

    let root_pem = inputs.root_pem.to_str().unwrap();
    let (py_s, py_valid, py_sigs) = peer(
        &python,
        &script,
        &["pyhanko", "--root", root_pem, "--rounds", "3"],
        &inputs.pdfs,
    );
    let (ldd_s, ldd_valid, ldd_sigs) = peer(
        &python,
        &script,
        &[
            "digidoc",
            "--tsl",
            inputs.tsl.to_str().unwrap(),
            "--tslcert",
            inputs.tsl_signer.to_str().unwrap(),
            "--rounds",
            "3",
        ],
        &inputs.containers,
    );

    let (pdf_s, pdf_valid) = (figures[0].1, figures[0].2);
    let (c_s, c_valid) = (figures[1].1, figures[1].2);
    let per = |s: f64| s * 1000.0 / FILES as f64;
    let pdf_ratio = py_s / pdf_s;
    let c_ratio = ldd_s / c_s;
    println!(
        "Offline validation of {FILES} B-LT files in one process, medians of {ROUNDS} rounds:"
    );
    println!(
        "  PDFs:       Signet {:.2} ms/file ({pdf_valid} valid), pyHanko {:.2} ms/file ({py_valid} of {py_sigs} valid): {pdf_ratio:.1}× (target ≥ 15×)",
        per(pdf_s),
        per(py_s)
    );
    println!(
        "  containers: Signet {:.2} ms/file ({c_valid} valid), libdigidocpp {:.2} ms/file ({ldd_valid} of {ldd_sigs} valid): {c_ratio:.1}× (target ≥ 8×)",
        per(c_s),
        per(ldd_s)
    );
    for ((what, _, _), (total, parts)) in figures.iter().zip(&splits) {
        let counted: Duration = parts.values().map(|p| p.0).sum();
        let mut line = format!(
            "  where a {} goes ({:.2} ms/file, with the measuring layer):",
            what.trim_end_matches('s'),
            total.as_secs_f64() * 1000.0 / FILES as f64
        );
        let mut sorted: Vec<_> = parts.iter().collect();
        sorted.sort_by(|a, b| b.1.cmp(a.1));
        for (name, (d, n)) in sorted {
            line.push_str(&format!(
                " {} {:.2} ({}×)",
                name.trim_start_matches("verify."),
                d.as_secs_f64() * 1000.0 / FILES as f64,
                n / FILES as u32
            ));
        }
        line.push_str(&format!(
            ", other {:.2} (ms/file)",
            total.saturating_sub(counted).as_secs_f64() * 1000.0 / FILES as f64
        ));
        println!("{line}");
    }
    let counts_ok = pdf_valid == FILES
        && c_valid == FILES
        && py_valid == FILES
        && py_sigs == FILES
        && ldd_valid == FILES
        && ldd_sigs == FILES;
    if !counts_ok {
        eprintln!("  A VALID COUNT IS WRONG: every file of both sets is valid and signed once");
    }
    let met = pdf_ratio >= 15.0 && c_ratio >= 8.0;
    println!(
        "  {}",
        if met {
            "all targets met"
        } else {
            "SOME TARGETS MISSED"
        }
    );
    if !(met && counts_ok) {
        std::process::exit(1);
    }
}
