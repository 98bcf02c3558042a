//! `signet sign --format asice`, `signet verify`, `signet asice list|extract|add` through the real
//! binary, with a PKCS#12 software token (`--token p12:FILE --pin-stdin`), the test PKI's TSA
//! and OCSP responder, and its signed trusted list.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use signet_testkit::{Role, TestPki};

pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// The one file of a `signet verify --json` of one file (docs/verify-json.md).
    pub(crate) fn file(&self) -> serde_json::Value {
        let doc = self.json();
        assert_eq!(doc["files"].as_array().map(Vec::len), Some(1), "{doc:#}");
        doc["files"][0].clone()
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "{e}: stdout is not one JSON document: {}\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

pub(crate) fn signet(args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(args)
        .env("RUST_LOG", "off")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

pub(crate) struct Fixture {
    pub(crate) pki: TestPki,
    pub(crate) dir: tempfile::TempDir,
    pub(crate) tsl: String,
    pub(crate) tsl_signer: String,
    pub(crate) p12: String,
}

impl Fixture {
    pub(crate) fn new() -> Self {
        let pki = TestPki::start().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let list = pki.trusted_list().unwrap();
        let tsl = dir.path().join("tsl.xml");
        std::fs::write(&tsl, &list.xml).unwrap();
        let signer = dir.path().join("tsl-signer.der");
        std::fs::write(&signer, &list.signer).unwrap();
        let p12 = dir.path().join("mari.p12");
        let issued = pki.get(Role::Signing);
        let status = Command::new("openssl")
            .args([
                "pkcs12",
                "-export",
                "-passout",
                "pass:correct horse",
                "-inkey",
            ])
            .arg(&issued.key_path)
            .arg("-in")
            .arg(&issued.cert_path)
            .arg("-out")
            .arg(&p12)
            .status()
            .unwrap();
        assert!(status.success());
        Self {
            pki,
            tsl: tsl.display().to_string(),
            tsl_signer: signer.display().to_string(),
            p12: format!("p12:{}", p12.display()),
            dir,
        }
    }

    pub(crate) fn file(&self, name: &str, content: &[u8]) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p.display().to_string()
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(crate) fn sign(&self, extra: &[&str]) -> Run {
        let tsa = self.pki.tsa_url();
        let mut args = vec![
            "sign",
            "--format",
            "asice",
            "--token",
            &self.p12,
            "--pin-stdin",
            "--tsa",
            &tsa,
            "--tsl",
            &self.tsl,
            "--tsl-signer",
            &self.tsl_signer,
        ];
        args.extend_from_slice(extra);
        signet(&args, "correct horse\n")
    }

    pub(crate) fn verify(&self, container: &Path) -> Run {
        let c = container.display().to_string();
        signet(
            &[
                "verify",
                &c,
                "--json",
                "--tsl",
                &self.tsl,
                "--tsl-signer",
                &self.tsl_signer,
            ],
            "",
        )
    }
}

#[test]
fn sign_verify_list_extract_through_the_binary() {
    let f = Fixture::new();
    let a = f.file("a.txt", b"first file\n");
    let b = f.file("b.csv", b"x,y\n1,2\n");
    let out = f.path("both.asice");
    let o = out.display().to_string();
    let run = f.sign(&[&a, &b, "--container", &o, "--json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let signed = run.json();
    assert_eq!(signed["format"], "asice");
    assert_eq!(signed["outputs"][0]["level"], "B-LT");
    assert_eq!(
        signed["outputs"][0]["signature"],
        "META-INF/signatures0.xml"
    );
    assert_eq!(signed["outputs"][0]["inputs"].as_array().unwrap().len(), 2);

    let run = f.verify(&out);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report = run.file();
    assert_eq!(report["indication"], "TOTAL-PASSED");
    assert_eq!(report["verdict"], "valid");
    assert_eq!(report["signatures"][0]["level"], "B-LT");
    assert_eq!(
        report["signatures"][0]["covers"],
        serde_json::json!(["a.txt", "b.csv"])
    );
    assert_eq!(report["signatures"][0]["qualification"], "QES");

    // A second signature by the same token at B-LTA.
    // --add-to takes no files: the container's are signed.
    let run = f.sign(&["--add-to", &o, "--level", "B-LTA", "--json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        run.json()["outputs"][0]["signature"],
        "META-INF/signatures1.xml"
    );
    assert_eq!(run.json()["outputs"][0]["output"], o);
    let report = f.verify(&out).file();
    assert_eq!(report["signatures"].as_array().unwrap().len(), 2);
    assert_eq!(report["indication"], "TOTAL-PASSED");

    // list and extract.
    let run = signet(&["asice", "list", &o, "--json"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let listing = run.json();
    assert_eq!(listing["dataFiles"][1]["name"], "b.csv");
    assert_eq!(listing["signatures"].as_array().unwrap().len(), 2);
    let out_dir = f.path("extracted");
    let d = out_dir.display().to_string();
    let run = signet(&["asice", "extract", &o, "b.csv", "--out-dir", &d], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read(out_dir.join("b.csv")).unwrap(), b"x,y\n1,2\n");
    // Never over an existing file: the second copy is numbered, and the path printed says so.
    std::fs::write(out_dir.join("b.csv"), b"edited").unwrap();
    let run = signet(&["asice", "extract", &o, "b.csv", "--out-dir", &d], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.trim(),
        out_dir.join("b-2.csv").display().to_string()
    );
    assert_eq!(std::fs::read(out_dir.join("b.csv")).unwrap(), b"edited");
    assert_eq!(
        std::fs::read(out_dir.join("b-2.csv")).unwrap(),
        b"x,y\n1,2\n"
    );

    // libdigidocpp finds both signatures the binary made with the PKCS#12 token valid.
    let python = signet_testkit::peers::venv_program("python").unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/peers/digidoc.py");
    let peer = Command::new(python)
        .arg(script)
        .args(["validate", "--tsl", &f.tsl, "--tslcert", &f.tsl_signer, &o])
        .output()
        .unwrap();
    assert!(
        peer.status.success(),
        "{}",
        String::from_utf8_lossy(&peer.stderr)
    );
    let peer: serde_json::Value = serde_json::from_slice(&peer.stdout).unwrap();
    let sigs = peer[o.as_str()]["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 2, "{peer}");
    for s in sigs {
        assert_eq!(s["status"], "Valid", "{peer}");
    }

    // Files cannot be added to a signed container; the container is left as it was.
    let before = std::fs::read(&out).unwrap();
    let c = f.file("c.txt", b"late");
    let run = signet(&["asice", "add", &o, &c], "");
    assert_eq!(run.code, 65, "{}", run.stderr);
    assert!(run.stderr.contains("signed"), "{}", run.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), before);
}

#[test]
fn unsigned_containers_take_files_and_tampering_fails_the_verdict() {
    let f = Fixture::new();
    let a = f.file("a.txt", b"one");
    let out = f.path("bb.asice");
    let o = out.display().to_string();
    let run = f.sign(&[&a, "--container", &o, "--level", "B-B"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let run = f.verify(&out);
    assert_eq!(
        run.code, 2,
        "B-B cannot be judged valid offline: {}",
        run.stdout
    );
    assert_eq!(run.file()["signatures"][0]["level"], "B-B");

    // A wrong password: nothing is written.
    let other = f.path("never.asice");
    let n = other.display().to_string();
    let tsa = f.pki.tsa_url();
    let run = signet(
        &[
            "sign",
            "--format",
            "asice",
            "--token",
            &f.p12,
            "--pin-stdin",
            "--tsa",
            &tsa,
            "--tsl",
            &f.tsl,
            "--tsl-signer",
            &f.tsl_signer,
            &a,
            "--container",
            &n,
        ],
        "wrong\n",
    );
    assert_ne!(run.code, 0);
    assert!(!other.exists());

    // Junk before the archive: refused, exit 1, with the reason.
    let mut bytes = b"MZ-junk-before".to_vec();
    bytes.extend_from_slice(&std::fs::read(&out).unwrap());
    let junk = f.path("junk.asice");
    std::fs::write(&junk, bytes).unwrap();
    let run = f.verify(&junk);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let report = run.file();
    assert_eq!(report["indication"], "TOTAL-FAILED");
    assert!(
        report["problems"][0]
            .as_str()
            .unwrap()
            .contains("precede the first ZIP entry"),
        "{report}"
    );
}

/// `--chain` completes the signer's chain for ASiC-E too: with only the root trusted, the
/// issuing CA comes from `--chain`, its CRL is embedded at B-LT, and a verifier trusting only the
/// root finds the container TOTAL-PASSED offline. Without `--chain` there is no path.
#[test]
fn chain_completes_the_path_to_a_root_anchor_for_asice() {
    let f = Fixture::new();
    let a = f.file("a.txt", b"chained\n");
    let root = f.pki.get(Role::Root).cert_path.display().to_string();
    let ca = f.pki.get(Role::IssuingCa).cert_path.display().to_string();
    let tsa = f.pki.tsa_url();
    let sign = |out: &str, extra: &[&str]| {
        let mut args = vec![
            "sign",
            "--format",
            "asice",
            "--token",
            &f.p12,
            "--pin-stdin",
            "--tsa",
            &tsa,
            "--trust",
            &root,
            "--container",
            out,
        ];
        args.extend_from_slice(extra);
        args.push(&a);
        signet(&args, "correct horse\n")
    };
    let without = f.path("without.asice").display().to_string();
    let run = sign(&without, &[]);
    assert_ne!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!Path::new(&without).exists());

    let out = f.path("chained.asice").display().to_string();
    let run = sign(&out, &["--chain", &ca]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let c = signet_asic::Container::open(Path::new(&out)).unwrap();
    let xml =
        String::from_utf8(c.read_small("META-INF/signatures0.xml", 1 << 20).unwrap()).unwrap();
    assert_eq!(
        xml.matches("<xades:EncapsulatedCRLValue").count(),
        1,
        "{xml}"
    );
    let run = signet(&["verify", &out, "--trust", &root, "--json"], "");
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.file()["indication"], "TOTAL-PASSED");
}
