//! `cargo xtask bench asice` runs this (release build): Signet against pydigidoc (libdigidocpp
//! 4.3) in the same run, with a PKCS#12 software token (P-384), at B-B:
//!
//! 1. 100 one-file containers: containers per second (target: at least 1.5 × pydigidoc's),
//!    durable before the clock stops (one concurrent sync for the batch, then renames and the
//!    folder's sync);
//! 2. one container with a 50 MB random file: MB/s (target: at least 5 × pydigidoc's);
//! 3. one container with a 1 GB file in a child process: its peak resident memory (target:
//!    under 100 MB).
//!
//! Prints the figures and exits 1 when a target is missed.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::disallowed_methods,
    reason = "a benchmark program: it reports on the terminal and times with the system clock"
)]

use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use signet_asic::InputFile;
use signet_asic::container::Durability;
use signet_asic::xades::sign::{Prepared, SignRequest};
use signet_core::Clock as _;
use signet_pki::Cert;
use signet_token::soft::SoftToken;
use signet_token::{KeyRole, Pin, PinKind, SigningToken as _};

const PASSWORD: &str = "bench password";

/// Time spent in the token's signature and in checking its value (`Prepared::finish`), in ns.
static TOKEN_NS: AtomicU64 = AtomicU64::new(0);
static CHECK_NS: AtomicU64 = AtomicU64::new(0);

fn timed<T>(counter: &AtomicU64, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    let ns = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
    counter.fetch_add(ns, Ordering::Relaxed);
    out
}

fn pin() -> Pin {
    Pin::new(
        PinKind::Password,
        zeroize::Zeroizing::new(PASSWORD.to_owned()),
    )
    .unwrap()
}

fn random_file(path: &Path, bytes: u64) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut block = vec![0u8; 1 << 20];
    let mut left = bytes;
    while left > 0 {
        for chunk in block.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
        }
        let n = left.min(block.len() as u64) as usize;
        f.write_all(&block[..n]).unwrap();
        left -= n as u64;
    }
    f.flush().unwrap();
}

/// One B-B container over `files`, signed by the software token.
fn sign_bb(out: &Path, files: &[InputFile], token: &mut SoftToken, signer: &Cert) {
    sign_bb_with(out, files, token, signer, Some(Durability::Synced));
}

/// `durability` `None`: left pending, for [`signet_asic::container::commit`].
fn sign_bb_with(
    out: &Path,
    files: &[InputFile],
    token: &mut SoftToken,
    signer: &Cert,
    durability: Option<Durability>,
) -> Option<signet_asic::container::Pending> {
    let now = signet_core::SystemClock.now();
    let mut sign = |digests: &[signet_asic::FileDigest]| -> Result<Option<Vec<u8>>, String> {
        let prepared = Prepared::new(&SignRequest {
            signer,
            files: digests,
            signing_time: signet_core::SystemClock.now(),
            index: 0,
        })
        .map_err(|e| e.to_string())?;
        let digest = prepared.digest_to_sign();
        let raw = timed(&TOKEN_NS, || {
            token.sign_digest(KeyRole::Signing, &digest, pin())
        })
        .map_err(|e| e.to_string())?;
        // The value is checked with the certificate's key before it is written (a faulty token
        // never yields a published signature), as in `signet sign`.
        let xml = timed(&CHECK_NS, || prepared.finish(&raw.0)).map_err(|e| e.to_string())?;
        Ok(Some(xml.into_bytes()))
    };
    match durability {
        Some(d) => {
            signet_asic::container::create_with(out, files, now, &mut sign, d).unwrap();
            None
        }
        None => Some(signet_asic::container::create_pending(out, files, now, &mut sign).unwrap()),
    }
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--big-child") {
        // The 1 GB case, alone in its process so its peak memory is its own.
        let (p12, file, out) = (&args[2], &args[3], &args[4]);
        let mut token = SoftToken::open(Path::new(p12), &pin()).unwrap();
        let signer = Cert::from_der(&token.certificates().unwrap()[0].der).unwrap();
        let started = Instant::now();
        sign_bb(
            Path::new(out),
            &[InputFile::from_path(Path::new(file)).unwrap()],
            &mut token,
            &signer,
        );
        let c = signet_asic::Container::open(Path::new(out)).unwrap();
        let report = signet_asic::xades::verify::validate_container(
            &c,
            &signet_asic::xades::verify::Trust {
                anchors: signet_pki::TrustAnchors::default(),
                list: None,
                now: signet_core::SystemClock.now(),
            },
        );
        assert!(report.signatures[0].covers.len() == 1, "{report:?}");
        println!("{} {}", peak_rss_kib(), started.elapsed().as_secs_f64());
        return;
    }

    let pki = signet_testkit::TestPki::start().unwrap();
    let work = tempfile::tempdir_in(std::env::current_dir().unwrap().join("target")).unwrap();
    let dir = work.path();
    let issued = pki.get(signet_testkit::Role::Signing);
    let p12 = dir.join("signer.p12");
    let ok = Command::new("openssl")
        .args([
            "pkcs12",
            "-export",
            "-passout",
            &format!("pass:{PASSWORD}"),
            "-inkey",
        ])
        .arg(&issued.key_path)
        .arg("-in")
        .arg(&issued.cert_path)
        .arg("-out")
        .arg(&p12)
        .status()
        .unwrap()
        .success();
    assert!(ok, "openssl pkcs12 failed");
    let mut token = SoftToken::open(&p12, &pin()).unwrap();
    let signer = Cert::from_der(&token.certificates().unwrap()[0].der).unwrap();

    // 1. 100 small containers, as a batch: each written to a temporary file next to its target,
    // then all synced (concurrently), renamed into place and the folder synced, before the clock
    // stops.
    let small = dir.join("small.txt");
    std::fs::write(&small, vec![b'x'; 220]).unwrap();
    let small_input = [InputFile::from_path(&small).unwrap()];
    let n = 100;
    TOKEN_NS.store(0, Ordering::Relaxed);
    CHECK_NS.store(0, Ordering::Relaxed);
    let started = Instant::now();
    let mut batch = Vec::new();
    for i in 0..n {
        batch.extend(sign_bb_with(
            &dir.join(format!("small-{i}.asice")),
            &small_input,
            &mut token,
            &signer,
            None,
        ));
    }
    signet_asic::container::commit(batch).unwrap();
    let small_s = started.elapsed().as_secs_f64();
    let small_rate = f64::from(n) / small_s;
    let per_ms = |ns: u64| ns as f64 / 1e6 / f64::from(n);
    let (token_ms, check_ms) = (
        per_ms(TOKEN_NS.load(Ordering::Relaxed)),
        per_ms(CHECK_NS.load(Ordering::Relaxed)),
    );
    // The same without fsync (pydigidoc does not sync), to show what the disk costs.
    let started = Instant::now();
    for i in 0..n {
        sign_bb_with(
            &dir.join(format!("small-u{i}.asice")),
            &small_input,
            &mut token,
            &signer,
            Some(Durability::Unsynced),
        );
    }
    let unsynced_rate = f64::from(n) / started.elapsed().as_secs_f64();

    // 2. 50 MB.
    let big = dir.join("big.bin");
    random_file(&big, 50_000_000);
    let started = Instant::now();
    sign_bb(
        &dir.join("big.asice"),
        &[InputFile::from_path(&big).unwrap()],
        &mut token,
        &signer,
    );
    let big_rate = 50.0 / started.elapsed().as_secs_f64();

    // 3. 1 GB, in a child.
    let huge = dir.join("huge.bin");
    random_file(&huge, 1_000_000_000);
    let out = Command::new(std::env::current_exe().unwrap())
        .arg("--big-child")
        .arg(&p12)
        .arg(&huge)
        .arg(dir.join("huge.asice"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut parts = text.split_whitespace();
    let peak_kib: u64 = parts.next().unwrap().parse().unwrap();
    let huge_s: f64 = parts.next().unwrap().parse().unwrap();
    std::fs::remove_file(&huge).unwrap();
    let _ = std::fs::remove_file(dir.join("huge.asice"));

    // The peer, same run.
    let list = pki.trusted_list().unwrap();
    std::fs::write(dir.join("tsl.xml"), &list.xml).unwrap();
    std::fs::write(dir.join("tsl.der"), &list.signer).unwrap();
    let python = signet_testkit::peers::venv_program("python").unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/peers/bench_digidoc.py");
    let peer = Command::new(python)
        .arg(script)
        .arg("--tsl")
        .arg(dir.join("tsl.xml"))
        .arg("--tslcert")
        .arg(dir.join("tsl.der"))
        .arg("--p12")
        .arg(&p12)
        .args(["--password", PASSWORD, "--small", &n.to_string(), "--big"])
        .arg(&big)
        .arg("--work")
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        peer.status.success(),
        "pydigidoc: {}",
        String::from_utf8_lossy(&peer.stderr)
    );
    let peer: serde_json::Value = serde_json::from_slice(&peer.stdout).unwrap();
    let peer_small = peer["small_containers_per_s"].as_f64().unwrap();
    let peer_big = peer["big_mb_per_s"].as_f64().unwrap();

    let small_ratio = small_rate / peer_small;
    let big_ratio = big_rate / peer_big;
    let peak_mb = peak_kib as f64 / 1024.0;
    println!("ASiC-E benchmark (release build, software token P-384, level B-B)");
    println!(
        "  100 one-file containers: Signet {small_rate:.0}/s, pydigidoc {peer_small:.0}/s, ratio {small_ratio:.2} (target >= 1.5)"
    );
    println!(
        "                           per container {:.2} ms: token signature {token_ms:.2} ms, check of its value {check_ms:.2} ms, the rest (XAdES, ZIP, batch sync) {:.2} ms",
        small_s * 1e3 / f64::from(n),
        small_s * 1e3 / f64::from(n) - token_ms - check_ms
    );
    println!(
        "                           without fsync (as pydigidoc writes): Signet {unsynced_rate:.0}/s, ratio {:.2}",
        unsynced_rate / peer_small
    );
    println!(
        "  one 50 MB file:          Signet {big_rate:.0} MB/s, pydigidoc {peer_big:.1} MB/s, ratio {big_ratio:.2} (target >= 5)"
    );
    println!(
        "  one 1 GB file:           peak memory {peak_mb:.1} MiB (target < 100), {huge_s:.1} s (sign + validate)"
    );
    let ok = small_ratio >= 1.5 && big_ratio >= 5.0 && peak_mb < 100.0;
    println!(
        "  {}",
        if ok {
            "all targets met"
        } else {
            "TARGET MISSED"
        }
    );
    if !ok {
        std::process::exit(1);
    }
}
