//! Signature stripping (security-tests.md section 1): a signature present in one revision and
//! gone from a later one — its field removed, its value removed, or the whole form removed — is
//! reported with its signer, and the document is never valid, even when someone else signs it
//! afterwards (their signature itself validates).

use signet_pades::sign::SignOptions;
use signet_pades::validate::Verdict;
use signet_pdf::{Document, Object, Update};
use signet_testkit::{Role, TestPki};

use crate::support::{self, Level, update};

/// The catalog with its form resolved, and the form's first field.
fn first_field(doc: &Document<'_>) -> signet_pdf::ObjRef {
    let form = doc
        .resolve_dict(doc.catalog().unwrap().get("AcroForm"))
        .unwrap()
        .unwrap();
    form.get("Fields").unwrap().as_array().unwrap()[0]
        .as_ref()
        .unwrap()
}

fn put_form(doc: &Document<'_>, up: &mut Update<'_, '_>, form: Option<signet_pdf::Dict>) {
    let mut catalog = doc.catalog().unwrap();
    match (catalog.get("AcroForm").cloned(), form) {
        (Some(Object::Ref(r)), Some(form)) => up.put(r, Object::Dict(form)),
        (_, Some(form)) => {
            catalog.set("AcroForm", Object::Dict(form));
            up.put(doc.root_ref().unwrap(), Object::Dict(catalog));
        }
        (_, None) => {
            catalog.remove("AcroForm");
            up.put(doc.root_ref().unwrap(), Object::Dict(catalog));
        }
    }
}

fn strip_field(doc: &Document<'_>, up: &mut Update<'_, '_>) {
    let field = first_field(doc);
    let mut form = doc
        .resolve_dict(doc.catalog().unwrap().get("AcroForm"))
        .unwrap()
        .unwrap();
    form.set("Fields", Object::Array(Vec::new()));
    put_form(doc, up, Some(form));
    let page = doc.page(0).unwrap();
    let mut d = doc.get(page).unwrap().as_dict().unwrap().clone();
    let annots: Vec<Object> = doc
        .resolve(d.get("Annots").unwrap_or(&Object::Null))
        .unwrap()
        .as_array()
        .unwrap_or_default()
        .iter()
        .filter(|a| a.as_ref() != Some(field))
        .cloned()
        .collect();
    d.set("Annots", Object::Array(annots));
    up.put(page, Object::Dict(d));
}

fn strip_value(doc: &Document<'_>, up: &mut Update<'_, '_>) {
    let field = first_field(doc);
    let mut d = doc.get(field).unwrap().as_dict().unwrap().clone();
    d.remove("V");
    up.put(field, Object::Dict(d));
}

fn strip_form(doc: &Document<'_>, up: &mut Update<'_, '_>) {
    put_form(doc, up, None);
}

#[test]
fn a_removed_signature_is_reported_and_the_document_is_never_valid() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let blank = support::blank_pdf(dir.path(), false);
    let first = support::sign(
        &pki,
        Role::Signing,
        &blank,
        Level::B,
        &SignOptions::default(),
    );
    let first_signer = support::validate_online(&pki, &first).signatures[0]
        .signer
        .clone()
        .unwrap()
        .subject;
    type Strip = fn(&Document<'_>, &mut Update<'_, '_>);
    let ways: [(&str, Strip); 3] = [
        ("field removed", strip_field),
        ("value removed", strip_value),
        ("form removed", strip_form),
    ];
    for (how, strip) in ways {
        let stripped = update(&first, strip);
        let r = support::validate_online(&pki, &stripped);
        assert_ne!(r.verdict, Verdict::Valid, "{how}: {r:#?}");
        assert_eq!(r.removed_signatures.len(), 1, "{how}: {r:#?}");
        let removed = &r.removed_signatures[0];
        assert_eq!((removed.revision, removed.removed_in), (2, 3), "{how}");
        assert_eq!(
            removed.signer.as_ref().map(|s| s.subject.as_str()),
            Some(first_signer.as_str()),
            "{how}"
        );
        assert!(
            r.errors
                .iter()
                .any(|e| e.contains("the signature of revision 2")
                    && e.contains("was removed in revision 3")
                    && e.contains(&first_signer)),
            "{how}: {:?}",
            r.errors
        );

        // Stripped, then signed by someone else: their signature validates, and the document
        // still says what happened before it.
        let resigned = support::sign(
            &pki,
            Role::RsaSigning,
            &stripped,
            Level::B,
            &SignOptions::default(),
        );
        let r = support::validate_online(&pki, &resigned);
        assert_eq!(r.verdict, Verdict::Modified, "{how}: {r:#?}");
        assert_eq!(r.signatures.len(), 1, "{how}");
        assert_eq!(
            r.signatures[0].indication,
            signet_core::Indication::TotalPassed,
            "{how}: the new signature validates on its own"
        );
        assert_eq!(r.removed_signatures.len(), 1, "{how}");
        assert_eq!(r.removed_signatures[0].removed_in, 3, "{how}");
    }
    // An untouched document reports nothing removed.
    let r = support::validate_online(&pki, &first);
    assert_eq!(r.verdict, Verdict::Valid);
    assert!(r.removed_signatures.is_empty());
}
