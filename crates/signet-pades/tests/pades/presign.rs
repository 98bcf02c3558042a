//! The pre-sign warnings for content a later revision could reveal: overlays (annotations that
//! paint over the page, hidden annotations with an appearance), drawing objects the page never
//! draws, layers switched off. A plain document and Signet's own visible signature give none.

use signet_pades::sign::{SignOptions, presign_warnings};
use signet_pdf::{Dict, Document, Object, Stream, Update};
use signet_testkit::{Role, TestPki};

use crate::support::{self, Level};

fn update(pdf: &[u8], edit: impl FnOnce(&Document<'_>, &mut Update<'_, '_>)) -> Vec<u8> {
    let doc = Document::open(pdf).unwrap();
    let mut up = Update::new(&doc);
    edit(&doc, &mut up);
    let appended = up.finish().unwrap();
    let mut out = pdf.to_vec();
    out.extend_from_slice(&appended.bytes);
    out
}

fn ints(v: &[i64]) -> Object {
    Object::Array(v.iter().map(|i| Object::Int(*i)).collect())
}

fn form(content: &[u8]) -> Object {
    let mut d = Dict::new();
    d.set("Type", Object::name("XObject"));
    d.set("Subtype", Object::name("Form"));
    d.set("BBox", ints(&[0, 0, 300, 60]));
    Object::Stream(Stream {
        dict: d,
        raw: content.to_vec(),
    })
}

/// The first page with an annotation of `subtype` and flags `flags` whose appearance draws
/// `content`.
fn with_annotation(pdf: &[u8], subtype: &str, flags: i64, content: &[u8]) -> Vec<u8> {
    update(pdf, |doc, up| {
        let page = doc.page(0).unwrap();
        let ap = up.add(form(content));
        let mut n = Dict::new();
        n.set("N", Object::Ref(ap));
        let mut annot = Dict::new();
        annot.set("Type", Object::name("Annot"));
        annot.set("Subtype", Object::name(subtype));
        annot.set("Rect", ints(&[60, 700, 360, 760]));
        annot.set("F", Object::Int(flags));
        annot.set("AP", Object::Dict(n));
        let a = up.add(Object::Dict(annot));
        let mut d = doc.get(page).unwrap().as_dict().unwrap().clone();
        d.set("Annots", Object::Array(vec![Object::Ref(a)]));
        up.put(page, Object::Dict(d));
    })
}

#[test]
fn overlays_hidden_annotations_unused_objects_and_hidden_layers_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let blank = support::blank_pdf(dir.path(), false);
    assert!(
        presign_warnings(&blank).is_empty(),
        "{:?}",
        presign_warnings(&blank)
    );

    // A white box over the page text (print flag only): an overlay.
    let covered = with_annotation(&blank, "Square", 4, b"1 1 1 rg 0 0 300 60 re f");
    let w = presign_warnings(&covered);
    assert!(
        w.iter()
            .any(|w| w.contains("Square annotation on page 1 paints over the page")),
        "{w:?}"
    );

    // An annotation that only strokes a border covers nothing: no overlay warning.
    let outline = with_annotation(&blank, "Square", 4, b"0 0 1 RG 1 w 0 0 300 60 re S");
    let w = presign_warnings(&outline);
    assert!(!w.iter().any(|w| w.contains("paints over")), "{w:?}");

    // Hidden now, with an appearance ready: warned.
    let hidden = with_annotation(&blank, "FreeText", 2, b"BT /F1 24 Tf (Pay 900 EUR) Tj ET");
    let w = presign_warnings(&hidden);
    assert!(
        w.iter().any(|w| w.contains("hidden FreeText annotation")),
        "{w:?}"
    );

    // A drawing object in the page's resources that the content never draws (the "hide"
    // shadow attack keeps the replacement text there).
    let unused = update(&blank, |doc, up| {
        let page = doc.page(0).unwrap();
        let x = up.add(form(b"BT /F1 24 Tf 72 720 Td (Pay 900 EUR) Tj ET"));
        let mut d = doc.get(page).unwrap().as_dict().unwrap().clone();
        let mut res = doc.resolve_dict(d.get("Resources")).unwrap().unwrap();
        let mut xo = Dict::new();
        xo.set("Shadow", Object::Ref(x));
        res.set("XObject", Object::Dict(xo));
        d.set("Resources", Object::Dict(res));
        up.put(page, Object::Dict(d));
    });
    let w = presign_warnings(&unused);
    assert!(
        w.iter()
            .any(|w| w.contains("never draws (for example /Shadow)")),
        "{w:?}"
    );

    // A layer switched off.
    let layered = update(&blank, |doc, up| {
        let root = doc.root_ref().unwrap();
        let mut ocg = Dict::new();
        ocg.set("Type", Object::name("OCG"));
        ocg.set("Name", Object::string("Hidden terms"));
        let g = up.add(Object::Dict(ocg));
        let mut d = Dict::new();
        d.set("OFF", Object::Array(vec![Object::Ref(g)]));
        let mut props = Dict::new();
        props.set("OCGs", Object::Array(vec![Object::Ref(g)]));
        props.set("D", Object::Dict(d));
        let mut catalog = doc.catalog().unwrap();
        catalog.set("OCProperties", Object::Dict(props));
        up.put(root, Object::Dict(catalog));
    });
    let w = presign_warnings(&layered);
    assert!(
        w.iter()
            .any(|w| w.contains("1 optional content group(s) (layers) are switched off")),
        "{w:?}"
    );
}

#[test]
fn a_visible_signature_is_not_an_overlay() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let blank = support::blank_pdf(dir.path(), false);
    let options = SignOptions {
        visible: Some(signet_pades::appearance::Visible {
            page: 1,
            rect: [50.0, 50.0, 220.0, 60.0],
            lines: vec!["Mari Tamm".into(), "38001085718".into()],
        }),
        ..SignOptions::default()
    };
    let signed = support::sign(&pki, Role::Signing, &blank, Level::B, &options);
    let w = presign_warnings(&signed);
    assert!(w.is_empty(), "{w:?}");
}
