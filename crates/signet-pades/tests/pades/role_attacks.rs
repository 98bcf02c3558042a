//! The role-versus-claim class (security-tests.md section 1, "ISA"/"shadow replace" variants):
//! an object the signed revision's pages draw from declares itself something a later revision may
//! change (`/Type /Metadata`, `/XRef`, `/ObjStm`, `/DSS`, a field's `/FT` and `/T`, a widget's
//! `/Subtype`), or a later revision names it as the document information, the XMP metadata, the
//! DSS or a form field, and then what the page shows is changed ("100 EUR" becomes "900 EUR").
//! Every variant must be TOTAL-FAILED with the page named, in a classic and an object-stream
//! file; pyHanko's verdict on each file is recorded beside it as a comparison.

use signet_pades::sign::SignOptions;
use signet_pades::validate::{Report, Verdict};
use signet_pdf::{Dict, Document, ObjRef, Object, Stream, Update};
use signet_testkit::{Role, TestPki};

use crate::support::{self, Level, update};

/// What an object says it is, as keys written over its own.
const CLAIMS: &[(&str, &[(&str, &str)])] = &[
    (
        "Type Metadata",
        &[("Type", "/Metadata"), ("Subtype", "/XML")],
    ),
    ("Type XRef", &[("Type", "/XRef")]),
    ("Type ObjStm", &[("Type", "/ObjStm")]),
    ("Type DSS", &[("Type", "/DSS")]),
    ("a text field", &[("FT", "/Tx"), ("T", "(Amount)")]),
    ("a widget", &[("Subtype", "/Widget"), ("T", "(w)")]),
    ("a signature field", &[("FT", "/Sig"), ("T", "(Sig)")]),
];

/// The objects of the contract the attacks change, and the page (1-based) that draws from each.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    Content,
    Font,
    XObject,
    Resources,
}

const TARGETS: [(Target, usize); 4] = [
    (Target::Content, 2),
    (Target::Font, 1),
    (Target::XObject, 2),
    (Target::Resources, 2),
];

fn dict_text(keys: &[(&str, &str)], claim: &[(&str, &str)]) -> String {
    let mut out: Vec<(String, String)> = keys
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    for (k, v) in claim {
        match out.iter_mut().find(|(ok, _)| ok == k) {
            Some(slot) => slot.1 = (*v).to_owned(),
            None => out.push(((*k).to_owned(), (*v).to_owned())),
        }
    }
    let body: Vec<String> = out.iter().map(|(k, v)| format!("/{k} {v}")).collect();
    format!("<< {} ", body.join(" "))
}

/// A two-page contract whose targets carry `claim`, rewritten by qpdf as a classic file or with
/// object streams.
fn contract(dir: &std::path::Path, claim: &[(&str, &str)], object_streams: bool) -> Vec<u8> {
    let stream = |keys: &[(&str, &str)], body: &str| {
        format!(
            "{}/Length {} >>\nstream\n{body}\nendstream",
            dict_text(keys, claim),
            body.len()
        )
    };
    let page2 =
        "BT /F1 24 Tf 72 720 Td (I agree to pay 100 EUR) Tj ET q 1 0 0 1 72 600 cm /X1 Do Q";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        stream(&[], "BT /F1 24 Tf 72 720 Td (Contract, page 1) Tj ET"),
        format!(
            "{}>>",
            dict_text(
                &[
                    ("Type", "/Font"),
                    ("Subtype", "/Type1"),
                    ("BaseFont", "/Helvetica")
                ],
                claim
            )
        ),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 7 0 R /Resources 8 0 R >>"
            .to_owned(),
        stream(&[], page2),
        format!(
            "{}>>",
            dict_text(&[("Font", "<< /F1 5 0 R >>"), ("XObject", "<< /X1 9 0 R >>")], claim)
        ),
        stream(
            &[
                ("Type", "/XObject"),
                ("Subtype", "/Form"),
                ("BBox", "[0 0 300 40]"),
                ("Resources", "<< /Font << /F1 5 0 R >> >>"),
            ],
            "BT /F1 18 Tf 0 10 Td (Total: 100 EUR) Tj ET",
        ),
    ];
    let mut src = String::from("%PDF-1.7\n");
    for (i, o) in objects.iter().enumerate() {
        src.push_str(&format!("{} 0 obj\n{o}\nendobj\n", i + 1));
    }
    src.push_str(&format!(
        "trailer << /Size {} /Root 1 0 R >>\n%%EOF\n",
        objects.len() + 1
    ));
    let src_path = dir.join("contract-src.pdf");
    std::fs::write(&src_path, src).unwrap();
    let out = dir.join("contract.pdf");
    let status = std::process::Command::new("qpdf")
        .arg("--compress-streams=n")
        .arg(if object_streams {
            "--object-streams=generate"
        } else {
            "--object-streams=disable"
        })
        .arg(&src_path)
        .arg(&out)
        .status()
        .unwrap();
    // The source has no xref: qpdf rebuilds it and says so (exit 3).
    assert!(matches!(status.code(), Some(0 | 3)));
    std::fs::read(out).unwrap()
}

fn dict_of(doc: &Document<'_>, r: ObjRef) -> Dict {
    doc.get(r).unwrap().as_dict().unwrap().clone()
}

fn reference(d: &Dict, path: &[&str]) -> ObjRef {
    let mut cur = d.clone();
    for key in &path[..path.len() - 1] {
        cur = cur.get(key).unwrap().as_dict().unwrap().clone();
    }
    cur.get(path[path.len() - 1]).unwrap().as_ref().unwrap()
}

/// The object of `target` in `doc`, found through the pages (qpdf renumbers).
fn locate(doc: &Document<'_>, target: Target) -> ObjRef {
    let page1 = dict_of(doc, doc.page(0).unwrap());
    let page2 = dict_of(doc, doc.page(1).unwrap());
    match target {
        Target::Content => reference(&page2, &["Contents"]),
        Target::Font => reference(&page1, &["Resources", "Font", "F1"]),
        Target::Resources => reference(&page2, &["Resources"]),
        Target::XObject => {
            let res = dict_of(doc, reference(&page2, &["Resources"]));
            reference(&res, &["XObject", "X1"])
        }
    }
}

/// Changes what `target` shows, keeping every key it claims.
fn tamper(doc: &Document<'_>, up: &mut Update<'_, '_>, target: Target) {
    let r = locate(doc, target);
    let old = doc.get(r).unwrap();
    let mut dict = old.as_dict().unwrap().clone();
    dict.remove("Length");
    let obj = match target {
        Target::Content => Object::Stream(Stream {
            dict,
            raw: b"BT /F1 24 Tf 72 720 Td (I agree to pay 900 EUR) Tj ET q 1 0 0 1 72 600 cm /X1 Do Q"
                .to_vec(),
        }),
        Target::XObject => Object::Stream(Stream {
            dict,
            raw: b"BT /F1 18 Tf 0 10 Td (Total: 900 EUR) Tj ET".to_vec(),
        }),
        Target::Font => {
            dict.set("BaseFont", Object::name("Symbol"));
            Object::Dict(dict)
        }
        Target::Resources => {
            let mut font = Dict::new();
            font.set("Type", Object::name("Font"));
            font.set("Subtype", Object::name("Type1"));
            font.set("BaseFont", Object::name("ZapfDingbats"));
            let f = up.add(Object::Dict(font));
            let mut fonts = Dict::new();
            fonts.set("F1", Object::Ref(f));
            dict.set("Font", Object::Dict(fonts));
            Object::Dict(dict)
        }
    };
    up.put(r, obj);
}

fn sign(pki: &TestPki, pdf: &[u8]) -> Vec<u8> {
    let signed = support::sign(pki, Role::Signing, pdf, Level::B, &SignOptions::default());
    let r = support::validate_online(pki, &signed);
    assert_eq!(
        r.verdict,
        Verdict::Valid,
        "the prepared contract signs fine"
    );
    signed
}

/// Signet's verdict must be "modified" with a content change on `page`; returns pyHanko's
/// verdict (true: it accepts the file as intact).
fn judge(pki: &TestPki, name: &str, pdf: &[u8], page: usize) -> bool {
    let report: Report = support::validate_online(pki, pdf);
    let sig = &report.signatures[0];
    let refused: Vec<_> = sig.modifications.iter().filter(|m| !m.allowed).collect();
    assert_eq!(report.verdict, Verdict::Modified, "{name}: {report:#?}");
    assert_eq!(
        sig.indication,
        signet_core::Indication::TotalFailed,
        "{name}"
    );
    assert!(
        refused.iter().any(|m| m.kind == "content"
            && m.page == Some(page)
            && m.detail.starts_with(&format!("page {page}:"))),
        "{name}: no content change named on page {page}: {refused:#?}"
    );
    let peer = support::pyhanko_validate_bytes(pki, pdf);
    eprintln!(
        "{name}: Signet {:?} ({}); pyHanko {}",
        report.verdict,
        refused[0].detail,
        if peer.ok { "accepts" } else { "rejects" }
    );
    peer.ok
}

#[test]
fn objects_are_judged_by_their_role_never_by_their_claims() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut verdicts: Vec<(String, bool)> = Vec::new();
    for object_streams in [false, true] {
        let layout = if object_streams {
            "object streams"
        } else {
            "classic"
        };
        // 1. Each claim on every target, in the signed revision.
        for (claim_name, claim) in CLAIMS {
            let signed = sign(&pki, &contract(dir.path(), claim, object_streams));
            for (target, page) in TARGETS {
                let name = format!("{layout}: {target:?} claiming {claim_name}");
                let attacked = update(&signed, |doc, up| tamper(doc, up, target));
                verdicts.push((name.clone(), judge(&pki, &name, &attacked, page)));
            }
        }
        // 2. A later revision names the page content as something a revision may change, and the
        // next one changes it; also both in one revision.
        let signed = sign(&pki, &contract(dir.path(), &[], object_streams));
        let doc = Document::open(&signed).unwrap();
        let content = locate(&doc, Target::Content);
        let resources = locate(&doc, Target::Resources);
        let catalog_with = |key: &'static str, value: Object| {
            move |doc: &Document<'_>, up: &mut Update<'_, '_>| {
                let mut catalog = doc.catalog().unwrap();
                catalog.set(key, value.clone());
                up.put(doc.root_ref().unwrap(), Object::Dict(catalog));
            }
        };
        let mut dss_certs = Dict::new();
        dss_certs.set("Certs", Object::Array(vec![Object::Ref(content)]));
        let mut dss_vri = Dict::new();
        dss_vri.set("VRI", Object::Ref(resources));
        type Naming = Box<dyn Fn(&Document<'_>, &mut Update<'_, '_>)>;
        let namings: Vec<(&str, Target, Naming)> = vec![
            (
                "the trailer's /Info",
                Target::Content,
                Box::new(move |_: &Document<'_>, up: &mut Update<'_, '_>| up.set_info(content)),
            ),
            (
                "the catalog's /Metadata",
                Target::Content,
                Box::new(catalog_with("Metadata", Object::Ref(content))),
            ),
            (
                "the catalog's /DSS",
                Target::Content,
                Box::new(catalog_with("DSS", Object::Ref(content))),
            ),
            (
                "a DSS /Certs entry",
                Target::Content,
                Box::new(catalog_with("DSS", Object::Dict(dss_certs))),
            ),
            (
                "a DSS /VRI",
                Target::Resources,
                Box::new(catalog_with("DSS", Object::Dict(dss_vri))),
            ),
            (
                "a form field",
                Target::Content,
                Box::new(move |doc: &Document<'_>, up: &mut Update<'_, '_>| {
                    let catalog = doc.catalog().unwrap();
                    let form_obj = catalog.get("AcroForm").unwrap().clone();
                    let mut form = doc.resolve(&form_obj).unwrap().as_dict().unwrap().clone();
                    let mut fields = form.get("Fields").unwrap().as_array().unwrap().to_vec();
                    fields.push(Object::Ref(content));
                    form.set("Fields", Object::Array(fields));
                    match form_obj {
                        Object::Ref(r) => up.put(r, Object::Dict(form)),
                        _ => {
                            let mut catalog = catalog.clone();
                            catalog.set("AcroForm", Object::Dict(form));
                            up.put(doc.root_ref().unwrap(), Object::Dict(catalog));
                        }
                    }
                }),
            ),
        ];
        for (what, target, naming) in &namings {
            let page = TARGETS.iter().find(|(t, _)| t == target).unwrap().1;
            let named = update(&signed, |doc, up| naming(doc, up));
            let name = format!("{layout}: {target:?} named by {what} in a later revision");
            let attacked = update(&named, |doc, up| tamper(doc, up, *target));
            verdicts.push((name.clone(), judge(&pki, &name, &attacked, page)));
            let name = format!("{layout}: {target:?} named by {what} and changed at once");
            let attacked = update(&signed, |doc, up| {
                naming(doc, up);
                tamper(doc, up, *target);
            });
            verdicts.push((name.clone(), judge(&pki, &name, &attacked, page)));
        }
        // 3. A page names an object the signed revision does not define; a later revision
        // defines it, and the page draws it.
        let base = contract(dir.path(), &[], object_streams);
        let prepared = update(&base, |doc, up| {
            let res_ref = locate(doc, Target::Resources);
            let mut res = dict_of(doc, res_ref);
            let missing = ObjRef::new(doc.size() + 7, 0);
            let mut xobjects = res.get("XObject").unwrap().as_dict().unwrap().clone();
            xobjects.set("X2", Object::Ref(missing));
            res.set("XObject", Object::Dict(xobjects));
            up.put(res_ref, Object::Dict(res));
            let content = locate(doc, Target::Content);
            let mut dict = dict_of(doc, content);
            dict.remove("Length");
            up.put(
                content,
                Object::Stream(Stream {
                    dict,
                    raw: b"BT /F1 24 Tf 72 720 Td (I agree to pay 100 EUR) Tj ET q 1 0 0 1 72 500 cm /X2 Do Q"
                        .to_vec(),
                }),
            );
        });
        let signed = sign(&pki, &prepared);
        let attacked = update(&signed, |doc, up| {
            let res = dict_of(doc, locate(doc, Target::Resources));
            let missing = reference(&res, &["XObject", "X2"]);
            let mut dict = Dict::new();
            dict.set("Type", Object::name("XObject"));
            dict.set("Subtype", Object::name("Form"));
            dict.set(
                "BBox",
                Object::Array(vec![0, 0, 300, 40].into_iter().map(Object::Int).collect()),
            );
            up.put(
                missing,
                Object::Stream(Stream {
                    dict,
                    raw: b"BT /F1 18 Tf 0 10 Td (and 800 EUR more) Tj ET".to_vec(),
                }),
            );
        });
        let name = format!("{layout}: an undefined object the page names is defined later");
        verdicts.push((name.clone(), judge(&pki, &name, &attacked, 2)));
    }
    // 7 claims on 4 targets, 6 namings two ways, one undefined object; in both layouts.
    assert_eq!(verdicts.len(), 2 * (7 * 4 + 6 * 2 + 1));
    // pyHanko's verdicts, for comparison: it rejects every one of them too.
    let accepted: Vec<&String> = verdicts
        .iter()
        .filter(|(_, ok)| *ok)
        .map(|(n, _)| n)
        .collect();
    assert_eq!(accepted, PYHANKO_ACCEPTS, "pyHanko's verdicts changed");
}

/// The variants pyHanko 0.38 (tests/peers/requirements.txt) accepts as intact.
const PYHANKO_ACCEPTS: &[&str] = &[];
