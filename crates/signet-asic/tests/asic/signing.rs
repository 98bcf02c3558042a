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

/// Signature wrapping and key substitution on a Signet signature: each is refused, and the
/// claimed signing time of the fake properties is never shown.
#[test]
fn wrapping_and_key_substitution_are_refused() {
    let s = Setup::new();
    let files = [s.write("hello.txt", b"Tere!\n")];
    let out = s.path("x.asice");
    s.sign_new(&out, &files, Role::Signing, BaselineLevel::B_LT);
    let c = Container::open(&out).unwrap();
    let sig =
        String::from_utf8(c.read_small("META-INF/signatures0.xml", 1 << 20).unwrap()).unwrap();
    let other = signet_asic::xades::b64_for_tests(s.pki.der(Role::RsaSigning));
    let cases: Vec<(&str, String)> = vec![
        (
            "second SignedProperties with a fake time",
            sig.replace(
                "</ds:Object>",
                "</ds:Object><ds:Object><xades:QualifyingProperties Target=\"#S0\"><xades:SignedProperties Id=\"fake\"><xades:SignedSignatureProperties><xades:SigningTime>2218-01-01T00:00:00Z</xades:SigningTime></xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties></ds:Object>",
            ),
        ),
        (
            "certificate doubling",
            sig.replace(
                "</ds:X509Certificate></ds:X509Data>",
                &format!("</ds:X509Certificate><ds:X509Certificate>{other}</ds:X509Certificate></ds:X509Data>"),
            ),
        ),
        (
            "KeyValue instead of the certificate",
            {
                let a = sig.find("<ds:KeyInfo>").unwrap();
                let b = sig.find("</ds:KeyInfo>").unwrap();
                format!(
                    "{}<ds:KeyInfo><ds:KeyValue><ds:RSAKeyValue><ds:Modulus>AQAB</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue>{}",
                    &sig[..a],
                    &sig[b..]
                )
            },
        ),
        (
            "SignedProperties reference without its Type",
            sig.replace(" Type=\"http://uri.etsi.org/01903#SignedProperties\"", ""),
        ),
        (
            "duplicate Id",
            sig.replace("<ds:SignatureValue Id=\"S0-SIG\">", "<ds:SignatureValue Id=\"S0-SignedProperties\">"),
        ),
        (
            "a DTD",
            sig.replacen(
                "<asic:XAdESSignatures",
                "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><asic:XAdESSignatures",
                1,
            ),
        ),
    ];
    for (name, xml) in cases {
        let path = s.path("attacked.asice");
        std::fs::write(
            &path,
            crate::common::rebuild(&c, &[], Some(xml.as_bytes()), &[]),
        )
        .unwrap();
        let r = s.validate(&path);
        assert_ne!(r.indication, Indication::TotalPassed, "{name}: {r:#?}");
        for sig in &r.signatures {
            assert!(
                !sig.signing_time
                    .as_deref()
                    .is_some_and(|t| t.starts_with("2218")),
                "{name}: the fake time is shown"
            );
        }
    }
}

/// nonRepudiation is required; an unqualified signer gives an AdES, not a QES.
#[test]
fn key_usage_and_qualification_are_judged() {
    let s = Setup::new();
    let files = [s.write("a.txt", b"one")];
    // Signet refuses to sign with it, before the token is asked, and writes nothing.
    let out = s.path("ku.asice");
    let err = s
        .try_sign_new(&out, &files, Role::WrongKeyUsage, BaselineLevel::B_LT)
        .unwrap_err();
    assert!(err.to_string().contains("nonRepudiation"), "{err}");
    assert!(!out.exists());
    let err = s
        .try_sign_new(&out, &files, Role::Expired, BaselineLevel::B_LT)
        .unwrap_err();
    assert!(err.to_string().contains("not valid now"), "{err}");
    assert!(!out.exists());
    // A signature made elsewhere with it fails validation.
    let signer = s.cert(Role::WrongKeyUsage);
    let now = signet_core::Clock::now(&signet_core::SystemClock);
    signet_asic::container::create(&out, &files, now, &mut |digests| {
        let p = signet_asic::xades::sign::Prepared::new(&signet_asic::xades::sign::SignRequest {
            signer: &signer,
            files: digests,
            signing_time: now,
            index: 0,
        })
        .unwrap();
        let v = s
            .pki
            .get(Role::WrongKeyUsage)
            .key
            .sign_digest_raw(&p.digest_to_sign())
            .unwrap();
        Ok(Some(p.finish(&v).unwrap().into_bytes()))
    })
    .unwrap();
    let r = s.validate(&out);
    assert_eq!(r.indication, Indication::TotalFailed, "{r:#?}");
    assert!(
        r.signatures[0]
            .errors
            .iter()
            .any(|e| e.contains("NonRepudiation")),
        "{r:#?}"
    );

    let out = s.path("unq.asice");
    s.sign_new(&out, &files, Role::Unqualified, BaselineLevel::B_LT);
    let r = s.validate(&out);
    assert_eq!(
        r.signatures[0].qualification.as_deref(),
        Some("AdES"),
        "{r:#?}"
    );
    assert!(
        r.signatures[0]
            .warnings
            .iter()
            .any(|w| w.contains("NonQSCD")),
        "{r:#?}"
    );
}

/// A failing time-stamping authority leaves the container exactly as it was.
#[test]
fn a_failed_signature_leaves_the_container_untouched() {
    let s = Setup::new();
    let files = [s.write("a.txt", b"one")];
    let out = s.path("keep.asice");
    s.sign_new(&out, &files, Role::Signing, BaselineLevel::B_LT);
    let before = std::fs::read(&out).unwrap();
    s.pki.set_tsa_mode(signet_testkit::TsaMode::Reject);
    let signer = s.cert(Role::RsaSigning);
    let anchors = s.anchors();
    let validator = signet_pki::PathValidator::new(&anchors, [s.cert(Role::IssuingCa)]);
    let fetch = signet_testkit::LoopbackFetch::default();
    let tsa = s.pki.tsa_url();
    let services = signet_asic::xades::sign::Services {
        fetch: &fetch,
        clock: &signet_core::SystemClock,
        tsa_url: Some(&tsa),
        validator: &validator,
        ocsp_policy: signet_pki::ocsp::OcspPolicy::default(),
    };
    let mut token = s.token(Role::RsaSigning);
    let err = signet_asic::session::sign_existing(
        &out,
        &out,
        &signer,
        BaselineLevel::B_LT,
        &services,
        &mut token,
    )
    .unwrap_err();
    assert!(err.to_string().contains("time-stamp"), "{err}");
    assert_eq!(std::fs::read(&out).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(s.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// A batch: containers stay invisible until committed (synced, renamed, folder synced), a
/// dropped pending container leaves nothing behind, and the committed ones validate.
#[test]
fn a_committed_batch_appears_whole_and_a_dropped_one_leaves_nothing() {
    let s = Setup::new();
    let files = [s.write("a.txt", &[b'x'; 220])];
    let signer = s.cert(Role::Signing);
    let now = signet_core::Clock::now(&signet_core::SystemClock);
    let mut sign = |digests: &[signet_asic::FileDigest]| -> Result<Option<Vec<u8>>, String> {
        let p = signet_asic::xades::sign::Prepared::new(&signet_asic::xades::sign::SignRequest {
            signer: &signer,
            files: digests,
            signing_time: now,
            index: 0,
        })
        .unwrap();
        let v = s
            .pki
            .get(Role::Signing)
            .key
            .sign_digest_raw(&p.digest_to_sign())
            .unwrap();
        Ok(Some(p.finish(&v).unwrap().into_bytes()))
    };
    let outs: Vec<_> = (0..3)
        .map(|i| s.path(&format!("batch-{i}.asice")))
        .collect();
    let batch: Vec<_> = outs
        .iter()
        .map(|out| signet_asic::container::create_pending(out, &files, now, &mut sign).unwrap())
        .collect();
    let dropped = s.path("dropped.asice");
    let pending = signet_asic::container::create_pending(&dropped, &files, now, &mut sign).unwrap();
    assert_eq!(pending.target(), dropped);
    assert!(outs.iter().all(|o| !o.exists()));
    drop(pending);
    signet_asic::container::commit(batch).unwrap();
    assert!(!dropped.exists());
    let folder = outs[0].parent().unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    for out in &outs {
        let r = s.validate(out);
        // B-B: indeterminate for want of a time-stamp and revocation data, and nothing else.
        assert_eq!(r.indication, Indication::Indeterminate, "{r:#?}");
        assert_eq!(r.signatures.len(), 1, "{r:#?}");
        assert_eq!(r.signatures[0].level.as_deref(), Some("B-B"));
        assert_eq!(r.signatures[0].covers, ["a.txt"]);
        assert!(
            r.signatures[0]
                .errors
                .iter()
                .all(|e| e.contains("RevocationValues") || e.contains("no time-stamp")),
            "{r:#?}"
        );
    }
}

/// A faulty token (a damaged value, or a value from another key) is caught before anything is
/// written: the check of the value against the certificate is what stands between the token and
/// a published signature.
#[test]
fn a_faulty_token_value_is_refused_and_nothing_is_written() {
    let s = Setup::new();
    let files = [s.write("a.txt", b"one")];
    let signer = s.cert(Role::Signing);
    let now = signet_core::Clock::now(&signet_core::SystemClock);
    for (i, fault) in ["flipped bit", "other key"].into_iter().enumerate() {
        let out = s.path(&format!("faulty-{i}.asice"));
        let result = signet_asic::container::create(&out, &files, now, &mut |digests| {
            let p =
                signet_asic::xades::sign::Prepared::new(&signet_asic::xades::sign::SignRequest {
                    signer: &signer,
                    files: digests,
                    signing_time: now,
                    index: 0,
                })
                .unwrap();
            let key = if fault == "other key" {
                Role::Authentication
            } else {
                Role::Signing
            };
            let mut v = s
                .pki
                .get(key)
                .key
                .sign_digest_raw(&p.digest_to_sign())
                .unwrap();
            if fault == "flipped bit" {
                v[10] ^= 1;
            }
            match p.finish(&v) {
                Ok(xml) => Ok(Some(xml.into_bytes())),
                Err(e) => Err(e.to_string()),
            }
        });
        let err = result.unwrap_err().to_string();
        assert!(
            err.contains("does not verify with the signing certificate"),
            "{fault}: {err}"
        );
        assert!(!out.exists(), "{fault}");
    }
}
