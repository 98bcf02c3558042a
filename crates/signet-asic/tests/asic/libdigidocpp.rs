//! libdigidocpp 4.3 (pydigidoc) as the independent judge, offline with the generated trusted
//! list (tests/peers/digidoc.py), and xmlsec1 for the bare XML signatures.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use signet_asic::Container;
use signet_core::{BaselineLevel, Indication};
use signet_testkit::Role;

use crate::common::Setup;

fn script() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/peers/digidoc.py"
    ))
}

pub(crate) fn peer(s: &Setup, command: &str, args: &[&str]) -> Value {
    let python = signet_testkit::peers::venv_program("python").unwrap();
    let tsl = s.path("peer-tsl.xml");
    let cert = s.path("peer-tsl-signer.der");
    std::fs::write(&tsl, &s.tsl.xml).unwrap();
    std::fs::write(&cert, &s.tsl.signer).unwrap();
    let mut cmd = Command::new(python);
    cmd.arg(script())
        .arg(command)
        .arg("--tsl")
        .arg(&tsl)
        .arg("--tslcert")
        .arg(&cert);
    if command != "validate" {
        cmd.args(["--tsa", &s.pki.tsa_url()]);
    }
    let out = cmd.args(args).output().unwrap();
    assert!(
        out.status.success(),
        "digidoc.py {command} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// libdigidocpp's status for each signature of `path`, or its open error.
pub(crate) fn statuses(s: &Setup, path: &Path) -> Result<Vec<String>, String> {
    let p = path.to_str().unwrap();
    let v = peer(s, "validate", &[p]);
    let r = &v[p];
    eprintln!("libdigidocpp on {p}: {r}");
    if let Some(e) = r.get("open_error") {
        return Err(e.as_str().unwrap_or_default().to_owned());
    }
    Ok(r["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{} {}", s["status"].as_str().unwrap(), s["messages"]))
        .collect())
}

pub(crate) fn assert_all_valid(s: &Setup, path: &Path, count: usize) {
    let st = statuses(s, path).unwrap();
    assert_eq!(st.len(), count, "{st:?}");
    for one in &st {
        assert!(one.starts_with("Valid "), "libdigidocpp: {st:?}");
    }
}

/// A PKCS#12 file of `role` with its issuer, made by OpenSSL, for libdigidocpp's signer.
pub(crate) fn p12(s: &Setup, role: Role) -> PathBuf {
    let out = s.path(&format!("{}.p12", role.file_stem()));
    let issued = s.pki.get(role);
    let status = Command::new("openssl")
        .args(["pkcs12", "-export", "-passout", "pass:test", "-inkey"])
        .arg(&issued.key_path)
        .arg("-in")
        .arg(&issued.cert_path)
        .arg("-certfile")
        .arg(&s.pki.get(Role::IssuingCa).cert_path)
        .arg("-out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    out
}

#[test]
fn signet_containers_are_valid_to_libdigidocpp() {
    let s = Setup::new();
    let one = [s.write("hello.txt", b"Tere!\n")];
    let many = [
        s.write("a.txt", b"one"),
        s.write("b.pdf", b"%PDF-1.7 not really"),
        s.write("Faili nimi ä.txt", b"three"),
    ];
    for (name, files, role, level) in [
        (
            "p384-lt-1.asice",
            &one[..],
            Role::Signing,
            BaselineLevel::B_LT,
        ),
        (
            "rsa-lt-3.asice",
            &many[..],
            Role::RsaSigning,
            BaselineLevel::B_LT,
        ),
        (
            "p384-lta-3.asice",
            &many[..],
            Role::Signing,
            BaselineLevel::B_LTA,
        ),
        (
            "rsa-lta-1.asice",
            &one[..],
            Role::RsaSigning,
            BaselineLevel::B_LTA,
        ),
    ] {
        let out = s.path(name);
        s.sign_new(&out, files, role, level);
        assert_all_valid(&s, &out, 1);
    }
    // Several signatures: a second one (RSA) on the P-384 container.
    let out = s.path("p384-lt-3.asice");
    s.sign_new(&out, &many, Role::Signing, BaselineLevel::B_LT);
    s.sign_existing(&out, Role::RsaSigning, BaselineLevel::B_LTA);
    assert_all_valid(&s, &out, 2);
    assert_eq!(s.validate(&out).indication, Indication::TotalPassed);
}

#[test]
fn libdigidocpp_containers_are_total_passed_to_signet_and_cosigning_keeps_both_valid() {
    let s = Setup::new();
    let a = s.write("a.txt", b"one");
    let b = s.write("b.txt", b"two");
    for (role, profile) in [
        (Role::Signing, "time-stamp"),
        (Role::RsaSigning, "time-stamp-archive"),
    ] {
        let out = s.path(&format!("ldd-{profile}.asice"));
        let key = p12(&s, role);
        peer(
            &s,
            "sign",
            &[
                "--p12",
                key.to_str().unwrap(),
                "--password",
                "test",
                "--profile",
                profile,
                out.to_str().unwrap(),
                a.path.to_str().unwrap(),
                b.path.to_str().unwrap(),
            ],
        );
        assert_all_valid(&s, &out, 1);
        let report = s.validate(&out);
        assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
        let expected = if profile == "time-stamp" {
            "B-LT"
        } else {
            "B-LTA"
        };
        assert_eq!(report.signatures[0].level.as_deref(), Some(expected));

        // Signet adds its signature; both stay valid to both.
        s.sign_existing(&out, Role::Signing, BaselineLevel::B_LT);
        assert_all_valid(&s, &out, 2);
        let report = s.validate(&out);
        assert_eq!(report.signatures.len(), 2);
        assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    }
    // libdigidocpp adds its signature to a Signet container.
    let out = s.path("signet-first.asice");
    s.sign_new(
        &out,
        &[a.clone(), b.clone()],
        Role::Signing,
        BaselineLevel::B_LT,
    );
    let both = s.path("signet-then-ldd.asice");
    let key = p12(&s, Role::Signing);
    peer(
        &s,
        "add",
        &[
            "--p12",
            key.to_str().unwrap(),
            "--password",
            "test",
            out.to_str().unwrap(),
            both.to_str().unwrap(),
        ],
    );
    assert_all_valid(&s, &both, 2);
    assert_eq!(s.validate(&both).indication, Indication::TotalPassed);
    assert_eq!(Container::open(&both).unwrap().signature_names().len(), 2);
}

/// Builds a container whose OCSP answer was taken *before* the time-stamp.
fn ocsp_before_timestamp(s: &Setup, out: &Path, file: &signet_asic::InputFile) {
    use signet_asic::xades::sign::{
        Prepared, SignRequest, add_signature_timestamp, add_validation_data,
    };
    use signet_core::{Clock as _, SystemClock};
    let signer = s.cert(Role::Signing);
    let issuer = s.cert(Role::IssuingCa);
    let anchors = s.anchors();
    let validator = signet_pki::PathValidator::new(&anchors, [issuer.clone()]);
    let fetch = signet_testkit::LoopbackFetch::default();
    let policy = signet_pki::ocsp::OcspPolicy {
        listed_responders: signet_pki::ocsp::ListedResponder::from_list(&s.list, SystemClock.now()),
        ..Default::default()
    };
    signet_asic::container::create(
        out,
        std::slice::from_ref(file),
        SystemClock.now(),
        &mut |digests| {
            let prepared = Prepared::new(&SignRequest {
                signer: &signer,
                files: digests,
                signing_time: SystemClock.now(),
                index: 0,
            })
            .unwrap();
            let value = s
                .pki
                .get(Role::Signing)
                .key
                .sign_digest_raw(&prepared.digest_to_sign())
                .unwrap();
            let xml = prepared.finish(&value).unwrap();
            let (xml, _) =
                add_validation_data(&xml, &fetch, &SystemClock, &signer, &issuer, &policy).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(1100));
            let (xml, _) =
                add_signature_timestamp(&xml, &fetch, &SystemClock, &s.pki.tsa_url(), &validator)
                    .unwrap();
            Ok(Some(xml.into_bytes()))
        },
    )
    .unwrap();
}

#[test]
fn tampered_containers_are_refused_by_both_for_the_same_reason() {
    use signet_core::SubIndication;
    let s = Setup::new();
    let file = s.write("hello.txt", b"Tere!\n");
    let good = s.path("good.asice");
    s.sign_new(
        &good,
        std::slice::from_ref(&file),
        Role::Signing,
        BaselineLevel::B_LT,
    );
    let c = Container::open(&good).unwrap();
    let sig =
        String::from_utf8(c.read_small("META-INF/signatures0.xml", 1 << 20).unwrap()).unwrap();
    let manifest =
        String::from_utf8(c.read_small("META-INF/manifest.xml", 1 << 20).unwrap()).unwrap();
    let at = sig.find("<xades:SigningTime>").unwrap() + "<xades:SigningTime>".len();
    let mut edited_time = sig.clone();
    edited_time.replace_range(at..at + 4, "2001");

    let cases: Vec<(&str, Vec<u8>, &str, SubIndication)> = vec![
        (
            "data",
            crate::common::rebuild(&c, &[("hello.txt", b"Tere?\n".as_slice())], None, &[]),
            "Failed to validate Reference 'hello.txt'",
            SubIndication::HashFailure,
        ),
        (
            "time",
            crate::common::rebuild(&c, &[], Some(edited_time.as_bytes()), &[]),
            "Failed to validate Reference '#S0-SignedProperties'",
            SubIndication::HashFailure,
        ),
        (
            "extra",
            crate::common::rebuild(&c, &[], None, &[("extra.txt", b"unsigned".as_slice())]),
            "Manifest datafile 'extra.txt' not listed in signature references",
            SubIndication::SignedDataNotFound,
        ),
        (
            "mime",
            crate::common::rebuild_manifest(
                &c,
                manifest.replace("text/plain", "application/pdf").as_bytes(),
            ),
            "does not match signature mime",
            SubIndication::FormatFailure,
        ),
    ];
    for (name, bytes, reason, sub) in cases {
        let path = s.path(&format!("{name}.asice"));
        std::fs::write(&path, bytes).unwrap();
        let report = s.validate(&path);
        assert_eq!(
            report.indication,
            Indication::TotalFailed,
            "{name}: {report:#?}"
        );
        assert_eq!(report.sub_indication, Some(sub), "{name}: {report:#?}");
        assert!(
            report.signatures[0]
                .errors
                .iter()
                .any(|e| e.contains(reason)),
            "{name}: {report:#?}"
        );
        let peer = statuses(&s, &path).unwrap();
        assert!(
            peer[0].starts_with("Invalid "),
            "{name}: libdigidocpp says {peer:?}"
        );
        let reason_words = match name {
            "data" => "hello.txt",
            "time" => "SignedProperties",
            "extra" => "extra.txt",
            _ => "mime",
        };
        assert!(
            peer[0].contains(reason_words),
            "{name}: libdigidocpp says {peer:?}"
        );
    }

    // An unsigned file that is not even in the manifest: libdigidocpp refuses to open,
    // Signet fails every signature with the same words.
    let mut w = signet_asic::zip::ZipWriter::new(
        std::io::Cursor::new(Vec::new()),
        signet_core::Clock::now(&signet_core::SystemClock),
    );
    for entry in c.entries() {
        let data = c.read_small(&entry.name, 1 << 20).unwrap();
        w.add(
            &entry.name,
            &mut &data[..],
            entry.name != "mimetype",
            &mut |_| {},
        )
        .unwrap();
    }
    w.add("unlisted.txt", &mut &b"x"[..], false, &mut |_| {})
        .unwrap();
    let path = s.path("unlisted.asice");
    std::fs::write(&path, w.finish().unwrap().into_inner()).unwrap();
    let report = s.validate(&path);
    assert_eq!(report.indication, Indication::TotalFailed);
    assert!(
        report.signatures[0]
            .errors
            .iter()
            .any(|e| e
                .contains("File 'unlisted.txt' found in container is not described in manifest.")),
        "{report:#?}"
    );
    let err = statuses(&s, &path).unwrap_err();
    assert!(err.contains("unlisted.txt"), "{err}");

    // OCSP taken before the time-stamp.
    let path = s.path("ocsp-first.asice");
    ocsp_before_timestamp(&s, &path, &file);
    let report = s.validate(&path);
    assert_eq!(report.indication, Indication::TotalFailed, "{report:#?}");
    assert_eq!(
        report.sub_indication,
        Some(SubIndication::TimestampOrderFailure)
    );
    let peer = statuses(&s, &path).unwrap();
    assert!(
        peer[0].starts_with("Invalid ") && peer[0].contains("greater than OCSP producedAt"),
        "libdigidocpp says {peer:?}"
    );
}

/// xmlsec1 (asice.md section 8): the signature file next to the data files.
fn xmlsec1(s: &Setup, container: &Path, dir: &Path) -> (bool, String) {
    std::fs::create_dir_all(dir).unwrap();
    let c = Container::open(container).unwrap();
    for f in c.data_files() {
        std::fs::write(dir.join(&f.name), c.read_small(&f.name, 1 << 20).unwrap()).unwrap();
    }
    std::fs::write(
        dir.join("signatures0.xml"),
        c.read_small("META-INF/signatures0.xml", 1 << 20).unwrap(),
    )
    .unwrap();
    let out = Command::new("xmlsec1")
        .args([
            "--verify",
            "--id-attr:Id",
            "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
        ])
        .arg("--trusted-pem")
        .arg(&s.pki.get(Role::Root).cert_path)
        .arg("--untrusted-pem")
        .arg(&s.pki.get(Role::IssuingCa).cert_path)
        .arg("signatures0.xml")
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn xmlsec1_verifies_signets_xml_signatures() {
    let s = Setup::new();
    let files = [
        s.write("hello.txt", b"Tere!\n"),
        s.write("second.csv", b"a,b\n1,2\n"),
    ];
    for (role, name) in [
        (Role::Signing, "p384.asice"),
        (Role::RsaSigning, "rsa.asice"),
    ] {
        let out = s.path(name);
        s.sign_new(&out, &files, role, BaselineLevel::B_LTA);
        let dir = s.path(&format!("xmlsec-{name}"));
        let (ok, text) = xmlsec1(&s, &out, &dir);
        assert!(
            ok && text.contains("SignedInfo References (ok/all): 3/3"),
            "{text}"
        );
        // Tampered data: xmlsec1 refuses too.
        std::fs::write(dir.join("hello.txt"), b"Tere?\n").unwrap();
        let out = Command::new("xmlsec1")
            .args([
                "--verify",
                "--id-attr:Id",
                "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
            ])
            .arg("--trusted-pem")
            .arg(&s.pki.get(Role::Root).cert_path)
            .arg("--untrusted-pem")
            .arg(&s.pki.get(Role::IssuingCa).cert_path)
            .arg("signatures0.xml")
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            !out.status.success(),
            "xmlsec1 accepted a changed data file"
        );
    }
}

/// A signer without qualified statements: an AdES to Signet, NonQSCD to libdigidocpp.
#[test]
fn unqualified_signer_is_ades_to_signet_and_nonqscd_to_libdigidocpp() {
    let s = Setup::new();
    let files = [s.write("a.txt", b"one")];
    let out = s.path("unq.asice");
    s.sign_new(&out, &files, Role::Unqualified, BaselineLevel::B_LT);
    let r = s.validate(&out);
    assert_eq!(
        r.signatures[0].qualification.as_deref(),
        Some("AdES"),
        "{r:#?}"
    );
    let peer = statuses(&s, &out).unwrap();
    assert!(
        peer[0].starts_with("NonQSCD "),
        "libdigidocpp says {peer:?}"
    );
}

/// A B-LT signature made with the root as the only anchor carries the root's CRL for the
/// issuing CA (CRLValues before OCSPValues, as the XAdES schema orders them): libdigidocpp
/// still reads and accepts it, and Signet passes it on the root alone.
#[test]
fn a_b_lt_signature_with_crl_values_is_valid_to_libdigidocpp() {
    let s = Setup::new();
    let files = [s.write("hello.txt", b"Tere!\n")];
    let out = s.path("with-crl.asice");
    s.try_sign_new_root_anchored(&out, &files, Role::Signing, BaselineLevel::B_LT)
        .unwrap();
    let c = Container::open(&out).unwrap();
    let xml =
        String::from_utf8(c.read_small("META-INF/signatures0.xml", 1 << 20).unwrap()).unwrap();
    assert!(
        xml.contains("<xades:CRLValues><xades:EncapsulatedCRLValue"),
        "{xml}"
    );
    assert_all_valid(&s, &out, 1);
    assert_eq!(
        s.validate_root_anchored(&out).indication,
        Indication::TotalPassed
    );
}
