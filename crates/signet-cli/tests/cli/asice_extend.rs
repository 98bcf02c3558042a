//! `signet extend X.asice` through the binary: B-LT to B-LTA in place, the level reached after
//! validating the result; a failing container is refused and left as it was. And `signet
//! verify X.asics` for ASiC-S containers with a time-stamp token.

use crate::asice::{Fixture, signet};

fn extend(f: &Fixture, container: &str, level: &str, tsa: bool) -> crate::asice::Run {
    let url = f.pki.tsa_url();
    let mut args = vec![
        "extend",
        container,
        "--level",
        level,
        "--tsl",
        &f.tsl,
        "--tsl-signer",
        &f.tsl_signer,
        "--json",
    ];
    if tsa {
        args.extend_from_slice(&["--tsa", &url]);
    }
    signet(&args, "")
}

#[test]
fn a_b_lt_container_is_extended_to_b_lta_in_place() {
    let f = Fixture::new();
    let a = f.file("a.txt", b"first file\n");
    let out = f.path("lt.asice");
    let o = out.display().to_string();
    let run = f.sign(&[&a, "--container", &o, "--json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);

    // B-LTA needs a TSA: a usage problem, nothing written.
    let before = std::fs::read(&out).unwrap();
    let run = extend(&f, &o, "B-LTA", false);
    assert_eq!(run.code, 65, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), before);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let run = extend(&f, &o, "B-LTA", true);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "the container keeps its permissions");
    }
    let done = run.json();
    let one = &done["extended"][0];
    assert_eq!(one["reached"], "B-LTA", "{done}");
    assert_eq!(one["written"], true);
    assert_eq!(one["format"], "container");
    assert_eq!(one["signatures"][0]["name"], "META-INF/signatures0.xml");
    assert_eq!(one["signatures"][0]["from"], "B-LT");
    assert_eq!(one["signatures"][0]["indication"], "TOTAL-PASSED");
    assert!(one["signatures"][0]["archiveTimestampTime"].is_string());

    let report = f.verify(&out).file();
    assert_eq!(report["indication"], "TOTAL-PASSED");
    assert_eq!(report["signatures"][0]["level"], "B-LTA");

    // Again: at the level already, unchanged.
    let after = std::fs::read(&out).unwrap();
    let run = extend(&f, &o, "B-LTA", true);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.json()["extended"][0]["written"], false);
    assert_eq!(std::fs::read(&out).unwrap(), after);
}

#[test]
fn a_failing_container_is_not_extended() {
    let f = Fixture::new();
    let a = f.file("a.txt", b"first file\n");
    let out = f.path("lt.asice");
    let o = out.display().to_string();
    let run = f.sign(&[&a, "--container", &o]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    // The data file changed inside the container (same length: the ZIP stays consistent
    // only if rewritten, so rebuild it with the changed content).
    let c = signet_asic::Container::open(&out).unwrap();
    let mut w = signet_asic::zip::ZipWriter::new(
        std::io::Cursor::new(Vec::new()),
        signet_core::Clock::now(&signet_core::SystemClock),
    );
    for entry in c.entries() {
        let data = if entry.name == "a.txt" {
            b"FIRST file\n".to_vec()
        } else {
            c.read_small(&entry.name, 1 << 20).unwrap()
        };
        w.add(
            &entry.name,
            &mut &data[..],
            entry.name != "mimetype",
            &mut |_| {},
        )
        .unwrap();
    }
    std::fs::write(&out, w.finish().unwrap().into_inner()).unwrap();
    let before = std::fs::read(&out).unwrap();
    let run = extend(&f, &o, "B-LTA", true);
    assert_eq!(run.code, 65, "{}\n{}", run.stdout, run.stderr);
    let err = run.json();
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not extend a failing signature"),
        "{err}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), before);
}

/// `signet verify X.asics`: an ASiC-S container with a time-stamp token (made here with the
/// test TSA) is TOTAL-PASSED with its TSA and time; its data file changed, TOTAL-FAILED.
#[test]
fn verify_reports_an_asics_time_stamp() {
    use signet_core::Clock as _;
    let f = Fixture::new();
    let data = b"archived\n";
    let list = signet_pki::tsl::TrustedList::verify(
        std::fs::read(&f.tsl).unwrap().as_slice(),
        &[
            signet_pki::Cert::from_file_bytes(&std::fs::read(&f.tsl_signer).unwrap())
                .unwrap()
                .remove(0),
        ],
    )
    .unwrap();
    let anchors = list.anchors(signet_core::SystemClock.now());
    let validator = signet_pki::PathValidator::new(&anchors, []);
    let token = signet_pki::tsp::request_timestamp(
        &signet_testkit::LoopbackFetch::default(),
        &signet_core::SystemClock,
        &f.pki.tsa_url(),
        signet_pki::crypto::HashAlg::Sha256,
        &signet_pki::crypto::HashAlg::Sha256.digest(data),
        &validator,
    )
    .unwrap()
    .token;
    for (name, content, indication, code) in [
        ("ok.asics", &data[..], "TOTAL-PASSED", 0),
        ("changed.asics", &b"ARCHIVED\n"[..], "TOTAL-FAILED", 1),
    ] {
        let out = f.path(name);
        let mut w = signet_asic::zip::ZipWriter::new(
            std::io::Cursor::new(Vec::new()),
            signet_core::SystemClock.now(),
        );
        w.add(
            "mimetype",
            &mut &b"application/vnd.etsi.asic-s+zip"[..],
            false,
            &mut |_| {},
        )
        .unwrap();
        w.add("doc.txt", &mut &content[..], true, &mut |_| {})
            .unwrap();
        w.add("META-INF/timestamp.tst", &mut &token[..], true, &mut |_| {})
            .unwrap();
        std::fs::write(&out, w.finish().unwrap().into_inner()).unwrap();
        let run = f.verify(&out);
        assert_eq!(run.code, code, "{}\n{}", run.stdout, run.stderr);
        let report = run.file();
        assert_eq!(report["indication"], indication, "{report}");
        assert_eq!(report["signatures"][0]["level"], "TST");
        // Its one time-stamp is all an ASiC-S holds: no signature is added to it.
        assert_eq!(report["canAddSignature"], false, "{report}");
        assert!(report["signatures"][0]["signer"].is_string());
        // The time only when the token covers the file.
        assert_eq!(
            report["signatures"][0]["provenTime"].is_string(),
            code == 0,
            "{report}"
        );
    }
}

/// The container at `path` without the CRLs its signatures carry (unsigned properties: the
/// signatures stay intact, their validation data does not).
fn strip_crls(path: &std::path::Path) {
    let c = signet_asic::Container::open(path).unwrap();
    let mut w = signet_asic::zip::ZipWriter::new(
        std::io::Cursor::new(Vec::new()),
        signet_core::Clock::now(&signet_core::SystemClock),
    );
    for entry in c.entries() {
        let mut data = c.read_small(&entry.name, 1 << 30).unwrap();
        if entry.name.starts_with("META-INF/signatures") {
            let xml = String::from_utf8(data).unwrap();
            let start = xml.find("<xades:CRLValues>").unwrap();
            let end = xml.find("</xades:CRLValues>").unwrap() + "</xades:CRLValues>".len();
            data = format!("{}{}", &xml[..start], &xml[end..]).into_bytes();
        }
        w.add(
            &entry.name,
            &mut &data[..],
            entry.name != "mimetype",
            &mut |_| {},
        )
        .unwrap();
    }
    std::fs::write(path, w.finish().unwrap().into_inner()).unwrap();
}

/// A result that does not validate at the level asked for is not written: here the root alone
/// is trusted, and the container (signed with the trusted list, which names the issuing CA)
/// has lost the root's CRL it carried, so its signatures stay INDETERMINATE.
#[test]
fn a_result_that_does_not_validate_is_not_written() {
    let f = Fixture::new();
    let a = f.file("a.txt", b"first file\n");
    let out = f.path("lt.asice");
    let o = out.display().to_string();
    let run = f.sign(&[&a, "--container", &o]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    strip_crls(&out);
    let before = std::fs::read(&out).unwrap();
    let root = f
        .pki
        .get(signet_testkit::Role::Root)
        .cert_path
        .display()
        .to_string();
    let tsa = f.pki.tsa_url();
    let run = signet(
        &[
            "extend", &o, "--level", "B-LTA", "--tsa", &tsa, "--trust", &root, "--json",
        ],
        "",
    );
    assert_eq!(run.code, 65, "{}\n{}", run.stdout, run.stderr);
    let message = run.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("does not validate at B-LTA") && message.contains("INDETERMINATE"),
        "{message}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), before);
}
