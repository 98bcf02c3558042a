//! The level a signature reaches is what its validation data proves: B-LTA only when a document
//! time-stamp covers the DSS revision that holds this signature's revocation data.

use signet_pades::ltv;
use signet_pades::sign::SignOptions;
use signet_pdf::{Dict, Document, Object, Stream, Update};
use signet_testkit::{Role, TestPki};

use crate::support::{self, Level};

fn cms_of(pdf: &[u8]) -> Vec<u8> {
    let doc = Document::open(pdf).unwrap();
    let form = doc
        .resolve_dict(doc.catalog().unwrap().get("AcroForm"))
        .unwrap()
        .unwrap();
    let field = doc
        .resolve(&form.get("Fields").unwrap().as_array().unwrap()[0])
        .unwrap();
    let sig = doc
        .resolve(field.as_dict().unwrap().get("V").unwrap())
        .unwrap();
    let contents = sig
        .as_dict()
        .unwrap()
        .get("Contents")
        .unwrap()
        .as_str()
        .unwrap()
        .to_vec();
    let n = signet_pades::validate::der_length(&contents).unwrap();
    contents[..n].to_vec()
}

fn level(pki: &TestPki, pdf: &[u8]) -> Option<String> {
    let r = support::validate_online(pki, pdf);
    assert_eq!(
        r.signatures[0].indication,
        signet_core::Indication::TotalPassed,
        "{r:#?}"
    );
    r.signatures[0].level.clone()
}

#[test]
fn b_lta_only_when_a_document_time_stamp_covers_the_signatures_validation_data() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let blank = support::blank_pdf(dir.path(), false);
    let b_t = support::sign(
        &pki,
        Role::Signing,
        &blank,
        Level::T,
        &SignOptions::default(),
    );
    let cms = cms_of(&b_t);
    let mut ts = support::timestamper(&pki);

    // The usual order: DSS with the OCSP answer, then a document time-stamp.
    let lt = support::add_lt(&pki, &b_t, &cms);
    assert_eq!(level(&pki, &lt).as_deref(), Some("B-LT"));
    let lta = ltv::add_document_timestamp(&lt, &mut ts, 12_000).unwrap();
    assert_eq!(level(&pki, &lta).as_deref(), Some("B-LTA"));

    // A DSS without this signature's revocation data (the root certificate only), a document
    // time-stamp over it, and only then the DSS with the OCSP answer: nothing protects that
    // answer, so the level is B-LT.
    let early_dss = {
        let doc = Document::open(&b_t).unwrap();
        let mut up = Update::new(&doc);
        let cert = up.add(Object::Stream(Stream {
            dict: Dict::new(),
            raw: pki.der(Role::Root).to_vec(),
        }));
        let mut dss = Dict::new();
        dss.set("Certs", Object::Array(vec![Object::Ref(cert)]));
        let mut catalog = doc.catalog().unwrap();
        catalog.set("DSS", Object::Dict(dss));
        up.put(doc.root_ref().unwrap(), Object::Dict(catalog));
        let mut out = b_t.clone();
        out.extend_from_slice(&up.finish().unwrap().bytes);
        out
    };
    let stamped = ltv::add_document_timestamp(&early_dss, &mut ts, 12_000).unwrap();
    let late = support::add_lt(&pki, &stamped, &cms);
    assert_eq!(level(&pki, &late).as_deref(), Some("B-LT"));
    // A second document time-stamp over the late DSS makes it B-LTA.
    let covered = ltv::add_document_timestamp(&late, &mut ts, 12_000).unwrap();
    assert_eq!(level(&pki, &covered).as_deref(), Some("B-LTA"));
}
