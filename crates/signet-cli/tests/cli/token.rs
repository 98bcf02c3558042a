//! `signet card sign-digest --token …` with devices other than the ID card: a SoftHSM2 token
//! through the PKCS#11 back end, and a PKCS#12 file. OpenSSL judges the signatures.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use signet_testkit::{Role, TestPki};

const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
const USER_PIN: &str = "hsm-pin-42";

fn run(command: &mut Command) {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn signet(args: &[&str], env: &[(&str, &Path)], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(args)
        .envs(env.iter().map(|(k, v)| (*k, *v)))
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
    child.wait_with_output().unwrap()
}

/// Whether OpenSSL accepts the JSON output's DER signature over `digest` with the signing key.
fn openssl_accepts(pki: &TestPki, name: &str, out: &Output, digest: &[u8]) -> bool {
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let der_hex = json["signatureDerHex"].as_str().unwrap();
    let der: Vec<u8> = (0..der_hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&der_hex[i..i + 2], 16).unwrap())
        .collect();
    let dir = pki.dir();
    std::fs::write(dir.join(format!("{name}.sig")), der).unwrap();
    std::fs::write(dir.join(format!("{name}.digest")), digest).unwrap();
    let pubkey = Command::new("openssl")
        .args(["x509", "-noout", "-pubkey", "-in"])
        .arg(&pki.get(Role::Signing).cert_path)
        .output()
        .unwrap();
    std::fs::write(dir.join(format!("{name}.pub")), pubkey.stdout).unwrap();
    Command::new("openssl")
        .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
        .arg(dir.join(format!("{name}.pub")))
        .arg("-in")
        .arg(dir.join(format!("{name}.digest")))
        .arg("-sigfile")
        .arg(dir.join(format!("{name}.sig")))
        .output()
        .unwrap()
        .status
        .success()
}

#[test]
fn sign_digest_with_a_softhsm_token_and_a_pkcs12_file() {
    let pki = TestPki::start().unwrap();
    let issued = pki.get(Role::Signing);
    let dir = pki.dir().join("hsm");
    std::fs::create_dir_all(dir.join("tokens")).unwrap();
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            dir.join("tokens").display()
        ),
    )
    .unwrap();
    run(Command::new("softhsm2-util")
        .env("SOFTHSM2_CONF", &conf)
        .args([
            "--init-token",
            "--free",
            "--label",
            "cli",
            "--so-pin",
            "12345678",
        ])
        .args(["--pin", USER_PIN]));
    run(Command::new("softhsm2-util")
        .env("SOFTHSM2_CONF", &conf)
        .arg("--import")
        .arg(&issued.key_path)
        .args([
            "--token", "cli", "--pin", USER_PIN, "--id", "07", "--label", "k",
        ]));
    let cert = dir.join("cert.der");
    std::fs::write(&cert, &issued.der).unwrap();
    run(Command::new("pkcs11-tool")
        .env("SOFTHSM2_CONF", &conf)
        .args([
            "--module",
            SOFTHSM,
            "--token-label",
            "cli",
            "--login",
            "--pin",
            USER_PIN,
        ])
        .arg("--write-object")
        .arg(&cert)
        .args(["--type", "cert", "--id", "07"]));

    let digest = [0x42_u8; 48];
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let token = format!("pkcs11:{SOFTHSM}");
    let env = [("SOFTHSM2_CONF", conf.as_path())];
    let signed = signet(
        &[
            "--json",
            "card",
            "sign-digest",
            &hex,
            "--token",
            &token,
            "--pin-stdin",
        ],
        &env,
        &format!("{USER_PIN}\n"),
    );
    assert!(
        signed.status.success(),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    assert!(openssl_accepts(&pki, "hsm", &signed, &digest));
    let wrong = signet(
        &[
            "card",
            "sign-digest",
            &hex,
            "--token",
            &token,
            "--pin-stdin",
        ],
        &env,
        "wrong-pin\n",
    );
    assert_eq!(wrong.status.code(), Some(65));
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("password was incorrect"),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );

    // A PKCS#12 file: its password opens it, and again signs (one line each).
    let p12 = dir.join("signer.p12");
    run(Command::new("openssl")
        .args(["pkcs12", "-export", "-inkey"])
        .arg(&issued.key_path)
        .arg("-in")
        .arg(&issued.cert_path)
        .arg("-out")
        .arg(&p12)
        .args(["-passout", "pass:p12-pass"]));
    let token = format!("p12:{}", p12.display());
    let signed = signet(
        &[
            "--json",
            "card",
            "sign-digest",
            &hex,
            "--token",
            &token,
            "--pin-stdin",
        ],
        &[],
        "p12-pass\np12-pass\n",
    );
    assert!(
        signed.status.success(),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    assert!(openssl_accepts(&pki, "p12", &signed, &digest));
}
