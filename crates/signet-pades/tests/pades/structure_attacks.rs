//! Attacks on how later revisions are read rather than on what a single object claims: an object
//! stream replaced (every object in it changes without being named), a cross-reference chain
//! that skips earlier sections, a signature field's appearance changed without signing it,
//! signature widgets and form fields added to paint over the page, viewers asked to redraw the
//! fields, and a hidden widget revealed. Each must never be plain valid; pyHanko's verdict on
//! each file is checked beside it.

use signet_pades::sign::{DocMdp, SignOptions};
use signet_pades::validate::Verdict;
use signet_pdf::{Dict, Document, ObjRef, Object, Stream, Update, XrefEntry};
use signet_testkit::{Role, TestPki};

use crate::support::{self, Level, update};

/// A one-page contract with a filled text field (`Amount`), a hidden text field (`Secret`, F 2)
/// and an empty visible signature field (`Witness`), each with its own appearance.
fn contract(dir: &std::path::Path, object_streams: bool, rev2: bool) -> Vec<u8> {
    let amount = if rev2 { "1000" } else { "100" };
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R 8 0 R 10 0 R] >> >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> /Annots [6 0 R 8 0 R 10 0 R] >>".to_owned(),
        format!("<< >>\nstream\nBT /F1 24 Tf 72 720 Td (I agree to pay {amount} EUR) Tj ET\nendstream"),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        "<< /FT /Tx /T (Amount) /V (100) /Type /Annot /Subtype /Widget /Rect [60 600 200 620] /P 3 0 R /F 4 /AP << /N 7 0 R >> >>".to_owned(),
        "<< /Type /XObject /Subtype /Form /BBox [0 0 140 20] /Resources << /Font << /F1 5 0 R >> >> >>\nstream\nBT /F1 12 Tf 2 5 Td (100) Tj ET\nendstream".to_owned(),
        "<< /FT /Tx /T (Secret) /V (900) /Type /Annot /Subtype /Widget /Rect [60 560 200 580] /P 3 0 R /F 6 /AP << /N 9 0 R >> >>".to_owned(),
        "<< /Type /XObject /Subtype /Form /BBox [0 0 140 20] /Resources << /Font << /F1 5 0 R >> >> >>\nstream\nBT /F1 12 Tf 2 5 Td (and 900 EUR more) Tj ET\nendstream".to_owned(),
        "<< /FT /Sig /T (Witness) /Type /Annot /Subtype /Widget /Rect [300 600 500 660] /P 3 0 R /F 4 /AP << /N 11 0 R >> >>".to_owned(),
        "<< /Type /XObject /Subtype /Form /BBox [0 0 200 60] >>\nstream\n0 0 0 RG 0 0 200 60 re S\nendstream".to_owned(),
    ];
    let mut src = String::from("%PDF-1.7\n");
    for (i, o) in objects.iter().enumerate() {
        src.push_str(&format!("{} 0 obj\n{o}\nendobj\n", i + 1));
    }
    src.push_str(&format!(
        "trailer << /Size {} /Root 1 0 R >>\n%%EOF\n",
        objects.len() + 1
    ));
    let src_path = dir.join("structure-src.pdf");
    std::fs::write(&src_path, src).unwrap();
    let out = dir.join("structure.pdf");
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
    assert!(matches!(status.code(), Some(0 | 3)));
    std::fs::read(out).unwrap()
}

/// The field called `name` (a widget of the page).
fn field(doc: &Document<'_>, name: &str) -> ObjRef {
    let page = doc.get(doc.page(0).unwrap()).unwrap();
    let annots = doc
        .resolve(page.as_dict().unwrap().get("Annots").unwrap())
        .unwrap();
    annots
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Object::as_ref)
        .find(|r| {
            doc.get(*r)
                .unwrap()
                .as_dict()
                .unwrap()
                .get("T")
                .and_then(Object::as_str)
                == Some(name.as_bytes())
        })
        .unwrap()
}

fn dict(doc: &Document<'_>, r: ObjRef) -> Dict {
    doc.get(r).unwrap().as_dict().unwrap().clone()
}

fn sign(pki: &TestPki, pdf: &[u8], certify: Option<DocMdp>) -> Vec<u8> {
    let options = SignOptions {
        certify,
        ..SignOptions::default()
    };
    let signed = support::sign(pki, Role::Signing, pdf, Level::B, &options);
    assert_eq!(
        support::validate_online(pki, &signed).verdict,
        Verdict::Valid,
        "the prepared contract signs fine"
    );
    signed
}

/// Signet's verdict must be one of `expected` (never plain valid); returns whether pyHanko
/// accepts the file.
fn judge(pki: &TestPki, name: &str, pdf: &[u8], expected: &[Verdict]) -> bool {
    let report = support::validate_online(pki, pdf);
    let refused: Vec<String> = report.signatures[0]
        .modifications
        .iter()
        .map(|m| format!("{} {}: {}", m.kind, m.allowed, m.detail))
        .collect();
    assert!(
        expected.contains(&report.verdict),
        "{name}: {:?} {refused:#?}",
        report.verdict
    );
    let peer = support::pyhanko_validate_bytes(pki, pdf);
    eprintln!(
        "{name}: Signet {:?}; pyHanko {}",
        report.verdict,
        if peer.ok { "accepts" } else { "rejects" }
    );
    peer.ok
}

/// An object stream of the signed revision replaced with one whose font reads /Symbol: the
/// objects in it change although no section names them.
fn replaced_object_stream(doc: &Document<'_>, up: &mut Update<'_, '_>) {
    let page = dict(doc, doc.page(0).unwrap());
    let font = page
        .get("Resources")
        .and_then(Object::as_dict)
        .and_then(|r| r.get("Font"))
        .and_then(Object::as_dict)
        .and_then(|f| f.get("F1"))
        .and_then(Object::as_ref)
        .unwrap();
    let Some(XrefEntry::InStream { stream, .. }) = doc.xref().get(&font.num).copied() else {
        panic!("the font is not in an object stream")
    };
    let objstm = ObjRef::new(stream, 0);
    let old = doc.get(objstm).unwrap();
    let old = old.as_stream().unwrap();
    // qpdf compresses object streams: written back decoded, with the same layout.
    let mut raw = signet_pdf::decode_stream(old).unwrap();
    let at = raw.windows(10).position(|w| w == b"/Helvetica").unwrap();
    raw[at..at + 10].copy_from_slice(b"/Symbol   ");
    let mut dict = old.dict.clone();
    for key in ["Length", "Filter", "DecodeParms"] {
        dict.remove(key);
    }
    up.put(objstm, Object::Stream(Stream { dict, raw }));
}

/// A classic section that re-lists the last section's entries at their offsets but whose /Prev
/// goes to the first section, skipping the revision between.
fn skipping_section(pdf: &[u8]) -> Vec<u8> {
    let doc = Document::open(pdf).unwrap();
    let sections = doc.sections();
    let last = &sections[0];
    let first = sections.last().unwrap();
    let mut body = String::from("xref\n");
    for (num, entry) in &last.entries {
        match entry {
            XrefEntry::Offset { offset, gen_ } => {
                body.push_str(&format!("{num} 1\n{offset:010} {gen_:05} n\r\n"));
            }
            _ => body.push_str(&format!("{num} 1\n0000000000 65535 f\r\n")),
        }
    }
    body.push_str(&format!(
        "trailer\n<< /Size {} /Root {} 0 R /Prev {} >>\nstartxref\n{}\n%%EOF\n",
        doc.size(),
        doc.root_ref().unwrap().num,
        first.offset,
        pdf.len()
    ));
    let mut out = pdf.to_vec();
    out.extend_from_slice(body.as_bytes());
    out
}

#[test]
fn later_revisions_are_read_for_what_they_change_not_for_what_they_name() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let modified = [Verdict::Modified];
    let mut pyhanko_accepts: Vec<String> = Vec::new();
    let mut record = |name: &str, ok: bool| {
        if ok {
            pyhanko_accepts.push(name.to_owned());
        }
    };

    // 1. The font's object stream replaced.
    let signed = sign(&pki, &contract(dir.path(), true, false), None);
    let attacked = update(&signed, replaced_object_stream);
    let name = "object stream replaced";
    record(name, judge(&pki, name, &attacked, &modified));

    // 2. Prepared in two revisions ("1000", then "100"), signed, and a section that skips the
    // second revision brings "1000" back.
    let base = contract(dir.path(), false, true);
    let corrected = update(&base, |doc, up| {
        let page = dict(doc, doc.page(0).unwrap());
        let content = page.get("Contents").and_then(Object::as_ref).unwrap();
        up.put(
            content,
            Object::Stream(Stream {
                dict: Dict::new(),
                raw: b"BT /F1 24 Tf 72 720 Td (I agree to pay 100 EUR) Tj ET".to_vec(),
            }),
        );
    });
    let signed = sign(&pki, &corrected, None);
    let attacked = skipping_section(&signed);
    assert!(
        Document::open(&attacked).is_ok(),
        "the skipping section is readable"
    );
    let name = "cross-reference chain skips a revision";
    record(name, judge(&pki, name, &attacked, &modified));

    let signed = sign(&pki, &contract(dir.path(), false, false), None);
    // 3. The unsigned signature field gets another appearance without being signed.
    let attacked = update(&signed, |doc, up| {
        let witness = field(doc, "Witness");
        let ap = up.add(Object::Stream(Stream {
            dict: {
                let mut d = Dict::new();
                d.set("Type", Object::name("XObject"));
                d.set("Subtype", Object::name("Form"));
                d.set(
                    "BBox",
                    Object::Array(vec![0, 0, 200, 60].into_iter().map(Object::Int).collect()),
                );
                d
            },
            raw: b"BT /Helv 14 Tf 5 20 Td (Pay 900 EUR) Tj ET".to_vec(),
        }));
        let mut d = dict(doc, witness);
        let mut aps = Dict::new();
        aps.set("N", Object::Ref(ap));
        d.set("AP", Object::Dict(aps));
        up.put(witness, Object::Dict(d));
    });
    let name = "unsigned signature field redrawn";
    record(name, judge(&pki, name, &attacked, &modified));

    // 4. The hidden field revealed.
    let attacked = update(&signed, |doc, up| {
        let secret = field(doc, "Secret");
        let mut d = dict(doc, secret);
        d.set("F", Object::Int(4));
        up.put(secret, Object::Dict(d));
    });
    let name = "hidden widget revealed";
    record(name, judge(&pki, name, &attacked, &modified));

    // 5. Viewers asked to redraw every field, through an indirect true.
    let attacked = update(&signed, |doc, up| {
        let t = up.add(Object::Bool(true));
        let mut catalog = doc.catalog().unwrap();
        let form_obj = catalog.get("AcroForm").cloned().unwrap();
        let mut form = doc.resolve(&form_obj).unwrap().as_dict().unwrap().clone();
        form.set("NeedAppearances", Object::Ref(t));
        match form_obj {
            Object::Ref(r) => up.put(r, Object::Dict(form)),
            _ => {
                catalog.set("AcroForm", Object::Dict(form));
                up.put(doc.root_ref().unwrap(), Object::Dict(catalog));
            }
        }
    });
    let name = "NeedAppearances set through a reference";
    record(name, judge(&pki, name, &attacked, &modified));

    // 6. Widgets added after a P=2 certification: a signature widget whose /Rect is a
    // reference, and a new text field over the amount.
    let certified = sign(
        &pki,
        &contract(dir.path(), false, false),
        Some(DocMdp::FormFilling),
    );
    let add_widget = |ft: &'static str, indirect_rect: bool| {
        move |doc: &Document<'_>, up: &mut Update<'_, '_>| {
            let page_ref = doc.page(0).unwrap();
            let rect = Object::Array(
                vec![60, 700, 300, 760]
                    .into_iter()
                    .map(Object::Int)
                    .collect(),
            );
            let rect = if indirect_rect {
                Object::Ref(up.add(rect))
            } else {
                rect
            };
            let mut w = Dict::new();
            w.set("Type", Object::name("Annot"));
            w.set("Subtype", Object::name("Widget"));
            w.set("FT", Object::name(ft));
            w.set("T", Object::string("Overlay"));
            w.set("Rect", rect);
            w.set("P", Object::Ref(page_ref));
            let w = up.add(Object::Dict(w));
            let mut page = dict(doc, page_ref);
            let mut annots = page.get("Annots").unwrap().as_array().unwrap().to_vec();
            annots.push(Object::Ref(w));
            page.set("Annots", Object::Array(annots));
            up.put(page_ref, Object::Dict(page));
            let mut catalog = doc.catalog().unwrap();
            let form_obj = catalog.get("AcroForm").cloned().unwrap();
            let mut form = doc.resolve(&form_obj).unwrap().as_dict().unwrap().clone();
            let mut fields = form.get("Fields").unwrap().as_array().unwrap().to_vec();
            fields.push(Object::Ref(w));
            form.set("Fields", Object::Array(fields));
            match form_obj {
                Object::Ref(r) => up.put(r, Object::Dict(form)),
                _ => {
                    catalog.set("AcroForm", Object::Dict(form));
                    up.put(doc.root_ref().unwrap(), Object::Dict(catalog));
                }
            }
        }
    };
    let attacked = update(&certified, add_widget("Sig", true));
    let name = "signature widget with an indirect /Rect after P=2";
    record(name, judge(&pki, name, &attacked, &modified));
    let attacked = update(&certified, add_widget("Tx", false));
    let name = "new text field after P=2";
    record(name, judge(&pki, name, &attacked, &modified));
    // Without a certification, a new unsigned visible signature widget is listed, not hidden
    // behind a plain "valid".
    let attacked = update(&signed, add_widget("Sig", false));
    let name = "unsigned visible signature widget on an approval signature";
    record(
        name,
        judge(&pki, name, &attacked, &[Verdict::ValidWithChanges]),
    );

    // pyHanko's verdicts, for comparison.
    assert_eq!(
        pyhanko_accepts,
        [
            "hidden widget revealed",
            "unsigned visible signature widget on an approval signature"
        ],
        "pyHanko's verdicts changed"
    );
}
