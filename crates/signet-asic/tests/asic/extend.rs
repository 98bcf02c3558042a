//! `signet extend` for containers: B-LT (Signet's and libdigidocpp's) to B-LTA, B-B and B-T to
//! B-LT and B-LTA; each result TOTAL-PASSED at its level to Signet and Valid to libdigidocpp.

use std::path::Path;

use signet_asic::extend::{Extended, Found, extend_container};
use signet_asic::place::Placement;
use signet_core::{BaselineLevel, Indication};
use signet_testkit::Role;

use crate::common::Setup;
use crate::libdigidocpp::{assert_all_valid, p12, peer};

fn extend(s: &Setup, path: &Path, level: BaselineLevel) -> Vec<Extended> {
    s.with_services(|services| {
        extend_container(path, path, level, services, Placement::Replace, &mut || {
            Ok(())
        })
    })
    .unwrap()
}

fn assert_level(s: &Setup, path: &Path, level: &str) {
    let report = s.validate(path);
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    for sig in &report.signatures {
        assert_eq!(sig.level.as_deref(), Some(level), "{report:#?}");
    }
}

#[test]
fn a_signet_b_lt_container_extended_to_b_lta_is_valid_to_signet_and_libdigidocpp() {
    let s = Setup::new();
    let files = [
        s.write("a.txt", b"one"),
        s.write("Faili nimi \u{e4}.txt", b"two"),
    ];
    let out = s.path("lt.asice");
    s.sign_new(&out, &files, Role::Signing, BaselineLevel::B_LT);
    s.sign_existing(&out, Role::RsaSigning, BaselineLevel::B_LT);
    assert_level(&s, &out, "B-LT");

    let done = extend(&s, &out, BaselineLevel::B_LTA);
    assert_eq!(done.len(), 2);
    assert!(
        done.iter()
            .all(|d| d.changed && d.from == Found::Baseline(BaselineLevel::B_LT))
    );
    assert_level(&s, &out, "B-LTA");
    let report = s.validate(&out);
    assert!(report.signatures[0].archive_timestamp_time.is_some());
    assert_all_valid(&s, &out, 2);

    // Asked again: nothing to do, nothing written.
    let before = std::fs::read(&out).unwrap();
    let again = extend(&s, &out, BaselineLevel::B_LTA);
    assert!(again.iter().all(|d| !d.changed));
    assert_eq!(std::fs::read(&out).unwrap(), before);
}

#[test]
fn a_libdigidocpp_b_lt_container_extended_to_b_lta_is_valid_to_both() {
    let s = Setup::new();
    let a = s.write("a.txt", b"one");
    let b = s.write("b.txt", b"two");
    let out = s.path("ldd-lt.asice");
    let key = p12(&s, Role::Signing);
    peer(
        &s,
        "sign",
        &[
            "--p12",
            key.to_str().unwrap(),
            "--password",
            "test",
            "--profile",
            "time-stamp",
            out.to_str().unwrap(),
            a.path.to_str().unwrap(),
            b.path.to_str().unwrap(),
        ],
    );
    assert_level(&s, &out, "B-LT");
    let done = extend(&s, &out, BaselineLevel::B_LTA);
    assert!(done[0].changed, "{done:?}");
    assert_level(&s, &out, "B-LTA");
    assert_all_valid(&s, &out, 1);
}

#[test]
fn b_b_and_b_t_signatures_are_extended_through_b_lt() {
    let s = Setup::new();
    let file = [s.write("hello.txt", b"Tere!\n")];
    for (from, to, expected) in [
        (BaselineLevel::B_B, BaselineLevel::B_LT, "B-LT"),
        (BaselineLevel::B_T, BaselineLevel::B_LTA, "B-LTA"),
    ] {
        let out = s.path(&format!("{from}-{to}.asice"));
        s.sign_new(&out, &file, Role::Signing, from);
        let done = extend(&s, &out, to);
        assert_eq!(done[0].from, Found::Baseline(from));
        assert_level(&s, &out, expected);
        assert_all_valid(&s, &out, 1);
    }
}

#[test]
fn a_failed_extension_leaves_the_container_untouched() {
    let s = Setup::new();
    let out = s.path("lt.asice");
    s.sign_new(
        &out,
        &[s.write("a.txt", b"one")],
        Role::Signing,
        BaselineLevel::B_LT,
    );
    let before = std::fs::read(&out).unwrap();
    let err = s
        .with_services(|services| {
            extend_container(
                &out,
                &out,
                BaselineLevel::B_LTA,
                services,
                Placement::Replace,
                &mut || {
                    Err(signet_asic::AsicError::NotAllowed(
                        "changed meanwhile".to_owned(),
                    ))
                },
            )
        })
        .unwrap_err();
    assert!(err.to_string().contains("changed meanwhile"), "{err}");
    assert_eq!(std::fs::read(&out).unwrap(), before);
    let leftovers = std::fs::read_dir(s.dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with('.')
        })
        .count();
    assert_eq!(leftovers, 0, "a temporary file was left");
}
