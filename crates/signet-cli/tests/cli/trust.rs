//! `signet trust update|status`, against a LOTL (with a pivot) and an EE list served by a small
//! HTTP server on loopback.

use std::collections::HashMap;
use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use signet_testkit::lotl::{LotlSpec, TestPointer, lotl};
use signet_testkit::{ListSigner, TestPki, TrustedListOptions};

type Files = Arc<Mutex<HashMap<String, Vec<u8>>>>;

/// Serves `files` (path → body) on 127.0.0.1 until the test ends; returns the base URL.
fn serve(files: Files) -> String {
    let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head);
            let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let body = files.lock().unwrap().get(&path).cloned();
            let response = match body {
                Some(body) => {
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    r.extend(body);
                    r
                }
                None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    base
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn signet(home: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(args)
        .env("XDG_DATA_HOME", home)
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

#[test]
fn trust_update_and_status_keep_the_previous_list_when_a_download_is_tampered() {
    let pki = TestPki::start().unwrap();
    let now = pki.now();
    let day = Duration::from_secs(86_400);
    let oj = ListSigner::new("Signet Test OJ LOTL Signer", now, 0x7301).unwrap();
    let lotl_signer = ListSigner::new("Signet Test LOTL Signer 2", now, 0x7302).unwrap();
    let ee_signer = ListSigner::new("Signet Test EE TSL Signer", now, 0x7303).unwrap();
    let files: Files = Arc::default();
    let base = serve(Arc::clone(&files));
    let url = |path: &str| format!("{base}{path}");
    let spec = |sequence: u64, pivots: Vec<String>| LotlSpec {
        sequence,
        issued: now - day,
        next_update: now + 180 * day,
        pointers: vec![
            TestPointer::xml(&url("/eu-lotl.xml"), "EU", &[&lotl_signer.cert]),
            TestPointer::xml(&url("/ee.xml"), "EE", &[&ee_signer.cert]),
        ],
        scheme_uris: pivots,
    };
    let notice = "https://oj.signet.test/C/2019/276";
    let pivot = lotl(&spec(10, vec![notice.to_owned()]), &oj).unwrap();
    let current = lotl(
        &spec(11, vec![url("/eu-lotl-pivot-10.xml"), notice.to_owned()]),
        &lotl_signer,
    )
    .unwrap();
    let ee = pki
        .trusted_list_signed_by(&TrustedListOptions::default(), &ee_signer)
        .unwrap();
    {
        let mut files = files.lock().unwrap();
        files.insert("/eu-lotl-pivot-10.xml".into(), pivot.into_bytes());
        files.insert("/eu-lotl.xml".into(), current.into_bytes());
        files.insert("/ee.xml".into(), ee.clone().into_bytes());
    }
    let home = tempfile::tempdir().unwrap();
    let oj_pem = home.path().join("oj.pem");
    std::fs::write(
        &oj_pem,
        signet_testkit::pem("CERTIFICATE", &oj.cert).unwrap(),
    )
    .unwrap();
    let lotl_url = url("/eu-lotl.xml");
    let source = [
        "--lotl-url",
        lotl_url.as_str(),
        "--lotl-signer",
        oj_pem.to_str().unwrap(),
        "--lotl-anchor-uri",
        notice,
    ];

    let run = signet(home.path(), &[&["trust", "status"][..], &source].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("none"), "{}", run.stdout);
    assert!(run.stderr.contains("no trust data"), "{}", run.stderr);

    let run = signet(
        home.path(),
        &[&["trust", "update", "--json"][..], &source].concat(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["updated"], serde_json::json!(["EU", "EE"]));
    assert_eq!(json["status"]["lists"][1]["territory"], "EE");
    assert_eq!(json["status"]["lists"][1]["fresh"], true);

    // A tampered EE list: refused, the previous copy kept, a warning.
    files.lock().unwrap().insert(
        "/ee.xml".into(),
        ee.replacen("Signet Test OCSP", "Signet Test 0CSP", 1)
            .into_bytes(),
    );
    let run = signet(home.path(), &[&["trust", "update"][..], &source].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: the trusted list of EE")
            && run.stderr.contains("stays in use"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("Updated: EU\n"), "{}", run.stdout);
    assert!(run.stdout.contains("EE     number 1"), "{}", run.stdout);
    assert!(run.stdout.contains("fresh"), "{}", run.stdout);

    // The default EU pins do not verify this LOTL: status says so and shows nothing.
    let run = signet(home.path(), &["trust", "status", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["lists"], serde_json::json!([]));
    assert!(
        json["warnings"][0]
            .as_str()
            .unwrap()
            .contains("the cached LOTL is not used"),
        "{json}"
    );

    // Nothing served: update fails with 75 and keeps the lists.
    files.lock().unwrap().clear();
    let run = signet(home.path(), &[&["trust", "update"][..], &source].concat());
    assert_eq!(run.code, 0, "the cached LOTL stays in use: {}", run.stderr);
    assert!(
        run.stderr.contains("could not be downloaded"),
        "{}",
        run.stderr
    );
}

#[test]
fn trust_update_without_any_lotl_exits_75() {
    let files: Files = Arc::default();
    let base = serve(files);
    let home = tempfile::tempdir().unwrap();
    let pki = TestPki::start().unwrap();
    let signer = ListSigner::new("Signet Test OJ", pki.now(), 0x7304).unwrap();
    let pem = home.path().join("oj.pem");
    std::fs::write(
        &pem,
        signet_testkit::pem("CERTIFICATE", &signer.cert).unwrap(),
    )
    .unwrap();
    let lotl_url = format!("{base}/eu-lotl.xml");
    let run = signet(
        home.path(),
        &[
            "trust",
            "update",
            "--lotl-url",
            &lotl_url,
            "--lotl-signer",
            pem.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 75, "{}", run.stderr);
    assert!(run.stderr.contains("404"), "{}", run.stderr);
}
