//! Part of `cargo xtask bench app` (release build): a batch of 200 one-page PDFs signed as PAdES
//! B-LT with a PKCS#12 software token (the test PKI's signing certificate, its TSA and OCSP
//! responder on loopback) two ways, alternating, three rounds each:
//!
//! - the desktop's command path: `signet_api::batching::run`, what the window's `run_batch`
//!   command calls, as a job whose password request is answered the way the PIN dialog answers
//!   (`JobHandle::answer_typed`), with the same `HttpFetch`;
//! - the CLI: the release `signet batch … --token p12:… --pin-stdin --yes --json` as a process.
//!
//! Prints one line `batch desktop_seconds… cli_seconds…` (the medians follow in xtask).
//!
//! Usage: `bench_batch WORK_DIR SIGNET_BINARY`.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    reason = "a benchmark program: it reports on the terminal and times with the system clock"
)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use signet_api::Context;
use signet_api::batch::BatchFormat;
use signet_api::batching::BatchChoice;
use signet_api::job::{JobEvent, JobHandle};
use signet_api::signing::TrustPaths;
use signet_api::token::TokenSpec;
use signet_core::BaselineLevel;
use signet_testkit::{Role, TestPki};
use zeroize::Zeroizing;

const FILES: usize = 200;
const ROUNDS: usize = 3;
const PASSWORD: &str = "bench1234";

fn p12(pki: &TestPki, dir: &Path) -> PathBuf {
    let issued = pki.get(Role::Signing);
    let out = dir.join("signer.p12");
    let status = Command::new("openssl")
        .args(["pkcs12", "-export", "-passout"])
        .arg(format!("pass:{PASSWORD}"))
        .arg("-in")
        .arg(&issued.cert_path)
        .arg("-inkey")
        .arg(&issued.key_path)
        .arg("-out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success(), "openssl pkcs12 failed");
    out
}

fn signed_outputs(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().ends_with(".pdf"))
                .count()
        })
        .unwrap_or(0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let work = PathBuf::from(args.next().expect("usage: bench_batch WORK_DIR SIGNET"));
    let signet = PathBuf::from(args.next().expect("usage: bench_batch WORK_DIR SIGNET"));
    let _ = std::fs::remove_dir_all(&work);
    let inputs = work.join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    let files: Vec<PathBuf> = (0..FILES)
        .map(|i| {
            let path = inputs.join(format!("deed-{i:03}.pdf"));
            std::fs::write(
                &path,
                signet_testkit::pdf::one_page_pdf(&format!("Deed {i}")),
            )
            .unwrap();
            path
        })
        .collect();
    let pki = TestPki::start().unwrap();
    let p12 = p12(&pki, &work);
    let root = pki.get(Role::Root).cert_path.clone();
    let ca = pki.get(Role::IssuingCa).cert_path.clone();
    let tsa = pki.tsa_url();

    // The desktop's Signet: its own data folder, as the window's context has.
    let context = Context::new(work.join("desktop-data"));
    let mut desktop = Vec::new();
    let mut cli = Vec::new();
    for round in 0..ROUNDS {
        let out = work.join(format!("desktop-{round}"));
        let choice = BatchChoice {
            files: files.clone(),
            out_dir: Some(out.clone()),
            format: Some(BatchFormat::Pades),
            level: Some(BaselineLevel::B_LT),
            token: Some(TokenSpec::P12 { file: p12.clone() }),
            tsa: Some(tsa.clone()),
            trust: Some(TrustPaths {
                anchors: vec![root.clone(), ca.clone()],
                list: None,
                list_signers: Vec::new(),
            }),
            chain: vec![ca.clone()],
            reviewed: Vec::new(),
        };
        // The PIN dialog's answer: the password typed, sent back for the request's id.
        let handle: Arc<OnceLock<JobHandle>> = Arc::default();
        let answering = Arc::clone(&handle);
        let (job, control) = signet_api::job::channel(move |event| {
            if let JobEvent::PinRequest(request) = event
                && let Some(handle) = answering.get()
            {
                handle
                    .answer_typed(request.id, Zeroizing::new(PASSWORD.to_owned()))
                    .unwrap();
            }
        });
        handle.set(job).unwrap();
        let fetch = signet_api::http::HttpFetch::default();
        let started = Instant::now();
        let outcome = signet_api::batching::run(&context, &choice, &fetch, &control, true);
        desktop.push(started.elapsed().as_secs_f64());
        outcome.unwrap();
        assert_eq!(
            signed_outputs(&out),
            FILES,
            "the desktop path signed every file"
        );

        let out = work.join(format!("cli-{round}"));
        let mut command = Command::new(&signet);
        command.arg("batch").args(&files).args([
            "--out-dir".as_ref(),
            out.as_os_str(),
            "--format".as_ref(),
            "pades".as_ref(),
            "--level".as_ref(),
            "B-LT".as_ref(),
            "--token".as_ref(),
            format!("p12:{}", p12.display()).as_ref(),
            "--tsa".as_ref(),
            tsa.as_ref(),
            "--trust".as_ref(),
            root.as_os_str(),
            "--trust".as_ref(),
            ca.as_os_str(),
            "--chain".as_ref(),
            ca.as_os_str(),
            "--pin-stdin".as_ref(),
            "--yes".as_ref(),
            "--json".as_ref(),
        ] as [&std::ffi::OsStr; 19]);
        let started = Instant::now();
        let mut child = command
            .env("XDG_DATA_HOME", work.join("cli-data"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{PASSWORD}\n").as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        cli.push(started.elapsed().as_secs_f64());
        assert!(
            output.status.success(),
            "signet batch failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(signed_outputs(&out), FILES, "the CLI signed every file");
    }
    let list = |v: &[f64]| {
        v.iter()
            .map(|s| format!("{s:.3}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!(
        "batch files {FILES} desktop {} cli {}",
        list(&desktop),
        list(&cli)
    );
}
