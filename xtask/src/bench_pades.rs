//! `cargo xtask bench pades`: Signet's PAdES signing against pyHanko on the same machine, in
//! the same run, with the same software signer (a P-384 PKCS#12 file), printing ratios:
//!
//! - 100 one-page PDFs at B-B in one process: documents per second (target: Signet ≥ 15×);
//! - a 50 MB PDF: Signet's wall time against the floor `cp` + `sha256sum` of that file (target
//!   ≤ 1.5×) and Signet's peak memory against the file size (target < 1.5×);
//! - a 2000-page PDF: Signet's time against pyHanko's (target ≤ 0.5×).
//!
//! Signet's outputs are written atomically and durably (fsync before rename; one pass of
//! fsyncs for the batch); pyHanko's are plain writes. Times are medians of three runs.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context as _, bail};

use crate::process::Cmd;

const PYHANKO_BENCH: &str = r#"
import os, sys, time
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

def sign(signer, inp, out):
    with open(inp, 'rb') as f:
        w = IncrementalPdfFileWriter(f)
        meta = PdfSignatureMetadata(field_name='Signature1', subfilter=SigSeedSubFilter.PADES)
        with open(out, 'wb') as o:
            signers.sign_pdf(w, meta, signer=signer, output=o)

mode = sys.argv[1]
if mode == 'sign-batch':
    indir, outdir, p12, pw = sys.argv[2:6]
    os.makedirs(outdir, exist_ok=True)
    files = sorted(os.listdir(indir))
    t = time.perf_counter()
    signer = signers.SimpleSigner.load_pkcs12(p12, passphrase=pw.encode())
    for n in files:
        sign(signer, os.path.join(indir, n), os.path.join(outdir, n))
    print(len(files), time.perf_counter() - t)
else:
    inp, out, p12, pw = sys.argv[2:6]
    t = time.perf_counter()
    signer = signers.SimpleSigner.load_pkcs12(p12, passphrase=pw.encode())
    sign(signer, inp, out)
    print(time.perf_counter() - t)
"#;

fn output(cmd: &mut Command) -> anyhow::Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("cannot run {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn numbers(text: &str) -> Vec<f64> {
    text.split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

pub(crate) fn run(root: &Path) -> anyhow::Result<std::process::ExitCode> {
    Cmd::new("cargo")
        .args([
            "build",
            "--release",
            "--package",
            "signet-pades",
            "--example",
            "pades_bench",
        ])
        .run()?;
    let bench = root.join("target/release/examples/pades_bench");
    let python = root.join("target/peers/venv/bin/python");
    if !python.exists() {
        bail!(
            "{} is missing: run `cargo xtask setup` first",
            python.display()
        );
    }
    let dir = root.join("target/bench-pades");
    if !dir.join("signer.p12").exists() {
        println!("xtask: generating the inputs in {}", dir.display());
        output(Command::new(&bench).arg("gen").arg(&dir))?;
    }
    let script = dir.join("pyhanko_bench.py");
    std::fs::write(&script, PYHANKO_BENCH)?;
    let p12 = dir.join("signer.p12");
    let pass = "bench1234";
    let out: PathBuf = dir.join("out");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out)?;

    // 1. 100 small PDFs.
    let mut signet_rate = Vec::new();
    let mut pyhanko_rate = Vec::new();
    for round in 0..3 {
        let s = numbers(&output(
            Command::new(&bench)
                .arg("sign-batch")
                .arg(dir.join("small"))
                .arg(out.join(format!("signet-{round}")))
                .arg(&p12)
                .arg(pass),
        )?);
        signet_rate.push(s[0] / s[1]);
        let p = numbers(&output(
            Command::new(&python)
                .arg(&script)
                .arg("sign-batch")
                .arg(dir.join("small"))
                .arg(out.join(format!("pyhanko-{round}")))
                .arg(&p12)
                .arg(pass),
        )?);
        pyhanko_rate.push(p[0] / p[1]);
    }
    let (s_rate, p_rate) = (median(signet_rate), median(pyhanko_rate));

    // 2. 50 MB against cp + sha256sum.
    let big = dir.join("big.pdf");
    let size = std::fs::metadata(&big)?.len() as f64;
    let mut floor = Vec::new();
    let mut signet_big = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        output(Command::new("cp").arg(&big).arg(out.join("big-copy.pdf")))?;
        output(Command::new("sha256sum").arg(&big))?;
        floor.push(t.elapsed().as_secs_f64());
        let s = numbers(&output(
            Command::new(&bench)
                .arg("sign-one")
                .arg(&big)
                .arg(out.join("big-signed.pdf"))
                .arg(&p12)
                .arg(pass),
        )?);
        signet_big.push(s[0]);
        rss.push(s[1]);
    }
    let (floor, signet_big, rss) = (median(floor), median(signet_big), median(rss));

    // 3. 2000 pages against pyHanko.
    let pages = dir.join("pages.pdf");
    let mut signet_pages = Vec::new();
    let mut pyhanko_pages = Vec::new();
    for _ in 0..3 {
        let s = numbers(&output(
            Command::new(&bench)
                .arg("sign-one")
                .arg(&pages)
                .arg(out.join("pages-signet.pdf"))
                .arg(&p12)
                .arg(pass),
        )?);
        signet_pages.push(s[0]);
        let p = numbers(&output(
            Command::new(&python)
                .arg(&script)
                .arg("sign-one")
                .arg(&pages)
                .arg(out.join("pages-pyhanko.pdf"))
                .arg(&p12)
                .arg(pass),
        )?);
        pyhanko_pages.push(p[0]);
    }
    let (s_pages, p_pages) = (median(signet_pages), median(pyhanko_pages));

    let small_ratio = s_rate / p_rate;
    let big_ratio = signet_big / floor;
    let rss_ratio = rss / size;
    let pages_ratio = s_pages / p_pages;
    println!("PAdES B-B, software P-384 signer, medians of 3:");
    println!(
        "  100 one-page PDFs: Signet {s_rate:.1} docs/s, pyHanko {p_rate:.1} docs/s: {small_ratio:.1}× (target ≥ 15×)"
    );
    println!(
        "  50 MB PDF: Signet {:.3} s, floor cp+sha256sum {:.3} s: {big_ratio:.2}× (target ≤ 1.5×); peak memory {:.1} MB = {rss_ratio:.2}× the file (target < 1.5×)",
        signet_big,
        floor,
        rss / 1e6
    );
    println!(
        "  2000-page PDF: Signet {s_pages:.3} s, pyHanko {p_pages:.3} s: {pages_ratio:.2}× (target ≤ 0.5×)"
    );
    let met = small_ratio >= 15.0 && big_ratio <= 1.5 && rss_ratio < 1.5 && pages_ratio <= 0.5;
    println!(
        "  {}",
        if met {
            "all targets met"
        } else {
            "SOME TARGETS MISSED"
        }
    );
    Ok(if met {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    })
}
