//! Signet signs and validates its own containers at every level, with both key types.

use signet_asic::Container;
use signet_core::{BaselineLevel, Indication, SubIndication};
use signet_testkit::Role;

use crate::common::Setup;

#[test]
fn b_lt_p384_two_files_is_total_passed() {
    let s = Setup::new();
    let files = [
        s.write("hello.txt", b"Tere!\n"),
        s.write("data.bin", &[7u8; 5000]),
    ];
    let out = s.path("out.asice");
    s.sign_new(&out, &files, Role::Signing, BaselineLevel::B_LT);
    let report = s.validate(&out);
    let sig = &report.signatures[0];
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    assert_eq!(sig.level.as_deref(), Some("B-LT"));
    assert_eq!(sig.qualification.as_deref(), Some("QES"));
    assert_eq!(sig.covers, ["hello.txt", "data.bin"]);
    assert!(sig.timestamp_time.is_some() && sig.ocsp_produced_at.is_some());
    let c = Container::open(&out).unwrap();
    assert_eq!(c.entries()[0].name, "mimetype");
    assert_eq!(c.signature_names(), ["META-INF/signatures0.xml"]);
}

#[test]
fn b_lta_rsa_is_total_passed_and_b_b_is_indeterminate() {
    let s = Setup::new();
    let files = [s.write("a.txt", b"one")];
    let lta = s.path("lta.asice");
    s.sign_new(&lta, &files, Role::RsaSigning, BaselineLevel::B_LTA);
    let report = s.validate(&lta);
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    assert_eq!(report.signatures[0].level.as_deref(), Some("B-LTA"));
    assert!(report.signatures[0].archive_timestamp_time.is_some());

    let bb = s.path("bb.asice");
    s.sign_new(&bb, &files, Role::Signing, BaselineLevel::B_B);
    let report = s.validate(&bb);
    assert_eq!(report.indication, Indication::Indeterminate, "{report:#?}");
    assert_eq!(report.signatures[0].level.as_deref(), Some("B-B"));
}

#[test]
fn a_second_signature_keeps_both_valid_and_files_cannot_be_added() {
    let s = Setup::new();
    let files = [s.write("a.txt", b"one"), s.write("b.txt", b"two")];
    let out = s.path("two.asice");
    s.sign_new(&out, &files, Role::Signing, BaselineLevel::B_LT);
    let name = s.sign_existing(&out, Role::RsaSigning, BaselineLevel::B_LT);
    assert_eq!(name, "META-INF/signatures1.xml");
    let report = s.validate(&out);
    assert_eq!(report.signatures.len(), 2);
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    let c = Container::open(&out).unwrap();
    let extra = s.write("c.txt", b"three");
    let err = c
        .add_files(
            &out,
            &[extra],
            signet_core::Clock::now(&signet_core::SystemClock),
        )
        .unwrap_err();
    assert!(err.to_string().contains("signed"), "{err}");
    // Removing a signature leaves the other valid.
    c.remove_signature(
        &out,
        "META-INF/signatures0.xml",
        signet_core::Clock::now(&signet_core::SystemClock),
    )
    .unwrap();
    let report = s.validate(&out);
    assert_eq!(report.signatures.len(), 1);
    assert_eq!(report.indication, Indication::TotalPassed);
}

#[test]
fn tampering_is_refused_with_the_reason() {
    let s = Setup::new();
    let files = [s.write("hello.txt", b"Tere!\n")];
    let out = s.path("t.asice");
    s.sign_new(&out, &files, Role::Signing, BaselineLevel::B_LT);
    let dir = s.path("tampered");
    std::fs::create_dir(&dir).unwrap();

    // A data file changed: rebuild the container with other content under the same name.
    let c = Container::open(&out).unwrap();
    let sig = c.read_small("META-INF/signatures0.xml", 1 << 20).unwrap();
    let changed = crate::common::rebuild(&c, &[("hello.txt", b"Tere?\n".as_slice())], None, &[]);
    let path = dir.join("data.asice");
    std::fs::write(&path, changed).unwrap();
    let r = s.validate(&path);
    assert_eq!(r.indication, Indication::TotalFailed);
    assert_eq!(r.sub_indication, Some(SubIndication::HashFailure));
    assert!(
        r.signatures[0].errors[0].contains("Failed to validate Reference 'hello.txt'"),
        "{r:#?}"
    );

    // SigningTime edited.
    let text = String::from_utf8(sig.clone()).unwrap();
    let start = text.find("<xades:SigningTime>").unwrap() + "<xades:SigningTime>".len();
    let mut edited = text.clone();
    edited.replace_range(start..start + 4, "2001");
    let path = dir.join("time.asice");
    std::fs::write(
        &path,
        crate::common::rebuild(&c, &[], Some(edited.as_bytes()), &[]),
    )
    .unwrap();
    let r = s.validate(&path);
    assert_eq!(r.indication, Indication::TotalFailed);
    assert!(
        r.signatures[0]
            .errors
            .iter()
            .any(|e| e.contains("Failed to validate Reference '#S0-SignedProperties'")),
        "{r:#?}"
    );
    assert_eq!(
        r.signatures[0].signing_time, None,
        "an unverified signing time is never shown"
    );

    // An unsigned extra file, listed in the manifest.
    let path = dir.join("extra.asice");
    std::fs::write(
        &path,
        crate::common::rebuild(&c, &[], None, &[("extra.txt", b"sneaky".as_slice())]),
    )
    .unwrap();
    let r = s.validate(&path);
    assert_eq!(r.indication, Indication::TotalFailed);
    assert!(r.signatures[0].errors.iter().any(|e| e.contains("Manifest datafile 'extra.txt' not listed in signature references")), "{r:#?}");

    // The manifest's media type changed.
    let manifest =
        String::from_utf8(c.read_small("META-INF/manifest.xml", 1 << 20).unwrap()).unwrap();
    let path = dir.join("mime.asice");
    let edited = manifest.replace("text/plain", "application/pdf");
    std::fs::write(
        &path,
        crate::common::rebuild_manifest(&c, edited.as_bytes()),
    )
    .unwrap();
    let r = s.validate(&path);
    assert_eq!(r.indication, Indication::TotalFailed);
    assert!(
        r.signatures[0]
            .errors
            .iter()
            .any(|e| e.contains("does not match signature mime")),
        "{r:#?}"
    );
}
