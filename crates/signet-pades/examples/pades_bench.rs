//! The Signet side of `cargo xtask bench pades` (built in release by xtask):
//!
//! ```text
//! pades_bench gen DIR                 inputs: DIR/small/*.pdf (100), DIR/big.pdf (50 MB), DIR/pages.pdf (2000 pages), DIR/signer.p12
//! pades_bench sign-batch INDIR OUTDIR P12 PASSWORD   B-B every PDF; prints "docs seconds peak_rss"
//! pades_bench sign-one IN OUT P12 PASSWORD          B-B one PDF; prints "seconds peak_rss"
//! ```
//!
//! Outputs are written atomically and durably: a temporary file in the output folder, then (for
//! a batch, once at the end) fsync of every file, rename, fsync of the folder.
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark tool"
)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use signet_core::{Clock as _, SystemClock};
use signet_pades::sign::{SignOptions, SignerCerts};
use signet_pki::Cert;
use signet_token::soft::SoftToken;
use signet_token::{KeyRole, Pin, PinKind};

fn pin(p: &str) -> Pin {
    Pin::new(PinKind::Password, zeroize::Zeroizing::new(p.to_owned())).unwrap()
}

fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<u64>().ok())
            })
        })
        .map_or(0, |kb| kb * 1024)
}

fn pdf_with(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f\r\n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut v = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    v.extend_from_slice(data);
    v.extend_from_slice(b"\nendstream");
    v
}

fn one_page(text: &str, extra: Option<Vec<u8>>) -> Vec<u8> {
    let content = format!("BT /F1 18 Tf 72 720 Td ({text}) Tj ET");
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
        stream("", content.as_bytes()),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ];
    if let Some(e) = extra {
        objects.push(e);
    }
    pdf_with(&objects)
}

fn gen_(dir: &Path) {
    std::fs::create_dir_all(dir.join("small")).unwrap();
    for i in 0..100 {
        std::fs::write(
            dir.join(format!("small/doc{i:03}.pdf")),
            one_page(&format!("Document {i}"), None),
        )
        .unwrap();
    }
    // 50 MB: one page and an unreferenced-looking embedded data stream of pseudo-random bytes.
    let mut data = vec![0u8; 50 * 1024 * 1024];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for chunk in data.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
    }
    std::fs::write(
        dir.join("big.pdf"),
        one_page("Big", Some(stream("/Type /EmbeddedFile", &data))),
    )
    .unwrap();
    // 2000 pages, each with its own content stream: 4003 objects.
    let n = 2000;
    let mut objects = vec![b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()];
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes());
    objects.push(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec());
    for i in 0..n {
        objects.push(format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {} 0 R /Resources << /Font << /F1 3 0 R >> >> >>", 5 + 2 * i).into_bytes());
        objects.push(stream(
            "",
            format!("BT /F1 18 Tf 72 720 Td (Page {}) Tj ET", i + 1).as_bytes(),
        ));
    }
    std::fs::write(dir.join("pages.pdf"), pdf_with(&objects)).unwrap();
    // The signer: the test PKI's P-384 signing certificate and key as PKCS#12.
    let pki = signet_testkit::TestPki::start().unwrap();
    let issued = pki.get(signet_testkit::Role::Signing);
    let status = std::process::Command::new("openssl")
        .args([
            "pkcs12",
            "-export",
            "-keypbe",
            "AES-256-CBC",
            "-certpbe",
            "AES-256-CBC",
            "-macalg",
            "sha256",
            "-passout",
            "pass:bench1234",
            "-in",
        ])
        .arg(&issued.cert_path)
        .arg("-inkey")
        .arg(&issued.key_path)
        .arg("-certfile")
        .arg(&pki.get(signet_testkit::Role::IssuingCa).cert_path)
        .arg("-out")
        .arg(dir.join("signer.p12"))
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::copy(
        &pki.get(signet_testkit::Role::IssuingCa).cert_path,
        dir.join("ca.pem"),
    )
    .unwrap();
    std::fs::copy(
        &pki.get(signet_testkit::Role::Root).cert_path,
        dir.join("root.pem"),
    )
    .unwrap();
}

struct Signer {
    token: Box<dyn signet_token::SigningToken>,
    password: String,
    certs: SignerCerts,
}

impl Signer {
    fn open(p12: &Path, password: &str) -> Self {
        // The PKCS#12 token as `signet sign` uses it: the key decrypted once, at opening.
        let mut token: Box<dyn signet_token::SigningToken> =
            Box::new(SoftToken::open(p12, &pin(password)).unwrap());
        let der = token
            .certificates()
            .unwrap()
            .into_iter()
            .find(|c| c.role == KeyRole::Signing)
            .unwrap()
            .der;
        let ca =
            Cert::from_file_bytes(&std::fs::read(p12.with_file_name("ca.pem")).unwrap()).unwrap();
        Self {
            token,
            password: password.to_owned(),
            certs: SignerCerts {
                signer: Cert::from_der(&der).unwrap(),
                chain: ca,
            },
        }
    }

    /// Signs `input` at B-B into `output`: the bytes read are written and flushed while they
    /// are hashed and signed; the revision is appended, synced and put into place.
    fn sign(&mut self, input: &Path, output: &Path) {
        let data = std::sync::Arc::new(std::fs::read(input).unwrap());
        let copy = signet_pades::output::DurableCopy::start(data.clone(), output);
        let options = SignOptions::default();
        let prepared =
            signet_pades::prepare(&data, &self.certs, &options, SystemClock.now()).unwrap();
        let to_sign = prepared.signed_attributes(&self.certs).unwrap();
        let t = Instant::now();
        let raw = self
            .token
            .sign_digest(
                KeyRole::Signing,
                &to_sign.digest_to_sign(),
                pin(&self.password),
            )
            .unwrap();
        if std::env::var_os("BENCH_PROFILE").is_some() {
            eprintln!("profile: token {:?}", t.elapsed());
        }
        let signed = to_sign.finish(&raw.0, None).unwrap();
        copy.finish(signed.appended()).unwrap();
    }

    /// Signs `input` at B-B into a temporary file next to `output`; returns the temporary path.
    fn sign_to_temp(&mut self, input: &Path, output: &Path) -> PathBuf {
        let data = std::fs::read(input).unwrap();
        let options = SignOptions::default();
        let prepared =
            signet_pades::prepare(&data, &self.certs, &options, SystemClock.now()).unwrap();
        let to_sign = prepared.signed_attributes(&self.certs).unwrap();
        let raw = self
            .token
            .sign_digest(
                KeyRole::Signing,
                &to_sign.digest_to_sign(),
                pin(&self.password),
            )
            .unwrap();
        let signed = to_sign.finish(&raw.0, None).unwrap();
        let tmp = output.with_extension("pdf.tmp");
        let mut f =
            std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp).unwrap());
        signed.write_to(&mut f).unwrap();
        f.flush().unwrap();
        tmp
    }
}

fn durable(tmps: &[(PathBuf, PathBuf)]) {
    if std::env::var_os("BENCH_PROFILE").is_some() {
        eprintln!("profile: sync starts");
    }
    // Concurrent fsyncs: the file system commits them together (one journal commit for many
    // files) instead of one after the other.
    std::thread::scope(|scope| {
        for chunk in tmps.chunks(tmps.len().div_ceil(32).max(1)) {
            scope.spawn(move || {
                for (tmp, _) in chunk {
                    std::fs::File::open(tmp).unwrap().sync_all().unwrap();
                }
            });
        }
    });
    for (tmp, out) in tmps {
        std::fs::rename(tmp, out).unwrap();
    }
    if let Some(dir) = tmps.first().and_then(|(_, o)| o.parent()) {
        std::fs::File::open(dir).unwrap().sync_all().unwrap();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("gen") => gen_(Path::new(&args[1])),
        Some("sign-batch") => {
            let (indir, outdir) = (Path::new(&args[1]), Path::new(&args[2]));
            std::fs::create_dir_all(outdir).unwrap();
            let mut inputs: Vec<PathBuf> = std::fs::read_dir(indir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            inputs.sort();
            let started = Instant::now();
            let mut signer = Signer::open(Path::new(&args[3]), &args[4]);
            let mut tmps = Vec::new();
            for input in &inputs {
                let out = outdir.join(input.file_name().unwrap());
                tmps.push((signer.sign_to_temp(input, &out), out));
            }
            let before_sync = started.elapsed();
            durable(&tmps);
            if std::env::var_os("BENCH_PROFILE").is_some() {
                eprintln!(
                    "profile: signing {before_sync:?}, with sync {:?}",
                    started.elapsed()
                );
            }
            println!(
                "{} {:.6} {}",
                inputs.len(),
                started.elapsed().as_secs_f64(),
                peak_rss()
            );
        }
        Some("sign-one") => {
            let (input, output) = (Path::new(&args[1]), Path::new(&args[2]));
            // Runs repeat into the same output, and a signed output never replaces a file.
            let _ = std::fs::remove_file(output);
            let started = Instant::now();
            let mut signer = Signer::open(Path::new(&args[3]), &args[4]);
            signer.sign(input, output);
            println!("{:.6} {}", started.elapsed().as_secs_f64(), peak_rss());
        }
        _ => eprintln!(
            "usage: pades_bench gen DIR | sign-batch IN OUT P12 PASS | sign-one IN OUT P12 PASS"
        ),
    }
}
