//! Attack PDFs generated from fresh Signet signatures, one per attack class of
//! security-tests.md section 1: each must be caught (never "valid").

use signet_pades::sign::{DocMdp, SignOptions};
use signet_pades::validate::{Report, Verdict};
use signet_pdf::{Dict, Document, ObjRef, Object, Update};
use signet_testkit::{Role, TestPki};

use crate::support::{self, Level, update};

/// A one-page PDF with text, an overlay annotation (object 6), a filled text field (8) in an
/// AcroForm, made well-formed by qpdf.
fn base(dir: &std::path::Path) -> Vec<u8> {
    let src = "%PDF-1.7
1 0 obj << /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [8 0 R] >> >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> /Annots [6 0 R 8 0 R] >> endobj
4 0 obj << /Length 45 >> stream
BT /F1 24 Tf 72 720 Td (Pay 100 EUR) Tj ET    
endstream endobj
5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
6 0 obj << /Type /Annot /Subtype /Square /Rect [60 700 300 760] /F 4 /AP << /N 7 0 R >> >> endobj
7 0 obj << /Type /XObject /Subtype /Form /BBox [0 0 240 60] /Length 20 >> stream
1 g 0 0 240 60 re f 
endstream endobj
8 0 obj << /FT /Tx /T (Amount) /V (100) /Type /Annot /Subtype /Widget /Rect [60 600 200 620] /P 3 0 R /F 4 >> endobj
trailer << /Size 9 /Root 1 0 R >>
%%EOF
";
    let src_path = dir.join("attack-src.pdf");
    std::fs::write(&src_path, src).unwrap();
    let out = dir.join("attack-base.pdf");
    let status = std::process::Command::new("qpdf")
        .arg("--compress-streams=n")
        .arg(&src_path)
        .arg(&out)
        .status()
        .unwrap();
    assert!(matches!(status.code(), Some(0 | 3)));
    std::fs::read(out).unwrap()
}

fn signed(pki: &TestPki, pdf: &[u8], certify: Option<DocMdp>) -> Vec<u8> {
    let options = SignOptions {
        certify,
        ..SignOptions::default()
    };
    support::sign(pki, Role::Signing, pdf, Level::B, &options)
}

fn find(doc: &Document<'_>, pred: impl Fn(&Dict) -> bool) -> ObjRef {
    let mut nums: Vec<u32> = doc.xref().keys().copied().collect();
    nums.sort_unstable();
    for n in nums {
        let r = ObjRef::new(n, 0);
        if let Ok(o) = doc.get(r)
            && let Some(d) = o.as_dict()
            && pred(d)
        {
            return r;
        }
    }
    panic!("object not found");
}

fn replace(pdf: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len(), "same length keeps every offset");
    let at = pdf
        .windows(from.len())
        .rposition(|w| w == from)
        .expect("pattern present");
    let mut out = pdf.to_vec();
    out[at..at + from.len()].copy_from_slice(to);
    out
}

fn byte_range_slot(pdf: &[u8]) -> (usize, usize) {
    let at = pdf.windows(11).rposition(|w| w == b"/ByteRange ").unwrap() + 11;
    let end = at + pdf[at..].iter().position(|b| *b == b']').unwrap() + 1;
    (at, end)
}

fn with_byte_range(pdf: &[u8], value: &str) -> Vec<u8> {
    let (s, e) = byte_range_slot(pdf);
    let width = e - s + pdf[e..].iter().take_while(|b| **b == b' ').count();
    assert!(value.len() <= width, "{value} wider than the slot");
    let mut out = pdf.to_vec();
    out[s..s + width].copy_from_slice(format!("{value:<width$}").as_bytes());
    out
}

fn check(pki: &TestPki, name: &str, pdf: &[u8], expected: &[Verdict]) -> Report {
    let report = support::validate_online(pki, pdf);
    eprintln!(
        "{name}: {:?} {:?}",
        report.verdict,
        report
            .signatures
            .iter()
            .map(|s| (
                s.indication,
                s.sub_indication,
                s.errors.first().cloned(),
                s.modifications
                    .iter()
                    .filter(|m| !m.allowed)
                    .map(|m| m.detail.clone())
                    .collect::<Vec<_>>()
            ))
            .collect::<Vec<_>>()
    );
    assert_ne!(report.verdict, Verdict::Valid, "{name} must never be valid");
    assert!(expected.contains(&report.verdict), "{name}: {report:#?}");
    report
}

#[test]
fn generated_attacks_are_caught() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let original = base(dir.path());
    let good = signed(&pki, &original, None);
    assert_eq!(
        support::validate_online(&pki, &good).verdict,
        Verdict::Valid
    );
    let (br_s, br_e) = byte_range_slot(&good);
    let br: Vec<usize> = std::str::from_utf8(&good[br_s + 1..br_e - 1])
        .unwrap()
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    let (lt, gt) = (br[1], br[2]);
    let invalid = [Verdict::Invalid];
    let modified = [Verdict::Modified];

    // USF: /Contents zero-filled, truncated CMS, not a hex string, /ByteRange missing or malformed.
    let mut zero = good.clone();
    zero[lt + 1..gt - 1].fill(b'0');
    check(&pki, "USF zero-filled /Contents", &zero, &invalid);
    let mut truncated = good.clone();
    let half = lt + 1 + (gt - lt) / 4;
    truncated[half..gt - 1].fill(b'0');
    check(&pki, "USF truncated CMS", &truncated, &invalid);
    let mut not_hex = good.clone();
    not_hex[lt] = b'(';
    not_hex[gt - 1] = b')';
    check(&pki, "USF /Contents not a hex string", &not_hex, &invalid);
    check(
        &pki,
        "USF /ByteRange missing",
        &replace(&good, b"/ByteRange ", b"/ByteRangX "),
        &invalid,
    );
    check(
        &pki,
        "USF /ByteRange of two",
        &with_byte_range(&good, &format!("[0 {lt}]")),
        &invalid,
    );
    check(
        &pki,
        "USF /ByteRange of six",
        &with_byte_range(&good, &format!("[0 {lt} {gt} 1 2 3]")),
        &invalid,
    );
    check(
        &pki,
        "USF negative /ByteRange",
        &with_byte_range(&good, &format!("[0 -{lt} {gt} {}]", br[3])),
        &invalid,
    );
    // A wrong message digest: one byte of the signed range changed.
    let mut hashed = good.clone();
    let at = hashed
        .windows(11)
        .position(|w| w == b"Pay 100 EUR")
        .unwrap();
    hashed[at + 4] = b'9';
    let r = check(&pki, "changed signed byte", &hashed, &invalid);
    assert_eq!(
        r.signatures[0].sub_indication,
        Some(signet_core::SubIndication::HashFailure)
    );

    // SWA: the gap is larger than /Contents (second range moved).
    check(
        &pki,
        "SWA gap too big",
        &with_byte_range(&good, &format!("[0 {lt} {} {}]", gt + 10, br[3] - 10)),
        &invalid,
    );
    check(
        &pki,
        "SWA gap too small",
        &with_byte_range(&good, &format!("[0 {} {gt} {}]", lt + 2, br[3])),
        &invalid,
    );

    // ISA: bytes after the last revision, and a content-changing update.
    let mut tail = good.clone();
    tail.extend_from_slice(b"1 0 obj << /Type /Catalog >> endobj\n");
    check(&pki, "ISA trailing bytes", &tail, &invalid);
    let mut tail_eof = good.clone();
    tail_eof.extend_from_slice(b"3 0 obj << /Type /Page >> endobj\n%%EOF\n");
    check(
        &pki,
        "ISA trailing object with a bare %%EOF",
        &tail_eof,
        &invalid,
    );
    let isa = update(&good, |doc, up| {
        let page = doc.page(0).unwrap();
        let content = doc
            .get(page)
            .unwrap()
            .as_dict()
            .unwrap()
            .get("Contents")
            .unwrap()
            .as_ref()
            .unwrap();
        up.put(
            content,
            Object::Stream(signet_pdf::Stream {
                dict: Dict::new(),
                raw: b"BT /F1 24 Tf 72 720 Td (Pay 900 EUR) Tj ET".to_vec(),
            }),
        );
    });
    check(&pki, "ISA page content replaced", &isa, &modified);

    // Shadow hide: the overlay annotation is removed from the page, or hidden.
    let hide = update(&good, |doc, up| {
        let page = doc.page(0).unwrap();
        let mut d = doc.get(page).unwrap().as_dict().unwrap().clone();
        let annots: Vec<Object> = d
            .get("Annots")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| {
                doc.resolve(a)
                    .unwrap()
                    .as_dict()
                    .unwrap()
                    .is_name("Subtype", "Widget")
            })
            .cloned()
            .collect();
        d.set("Annots", Object::Array(annots));
        up.put(page, Object::Dict(d));
    });
    check(&pki, "shadow hide: overlay removed", &hide, &modified);
    let hide2 = update(&good, |doc, up| {
        let square = find(doc, |d| d.is_name("Subtype", "Square"));
        let mut d = doc.get(square).unwrap().as_dict().unwrap().clone();
        d.set("F", Object::Int(2));
        up.put(square, Object::Dict(d));
    });
    check(&pki, "shadow hide: overlay made hidden", &hide2, &modified);

    // Signature stripping: a later signature's field removed from the form again.
    let two = support::sign(
        &pki,
        Role::Signing,
        &good,
        Level::B,
        &SignOptions::default(),
    );
    let stripped = update(&two, |doc, up| {
        let catalog_ref = doc.root_ref().unwrap();
        let mut catalog = doc.catalog().unwrap();
        let form_obj = catalog.get("AcroForm").cloned().unwrap();
        let mut form = doc.resolve(&form_obj).unwrap().as_dict().unwrap().clone();
        let mut fields = form.get("Fields").unwrap().as_array().unwrap().to_vec();
        fields.pop();
        form.set("Fields", Object::Array(fields));
        match form_obj {
            Object::Ref(r) => up.put(r, Object::Dict(form)),
            _ => {
                catalog.set("AcroForm", Object::Dict(form));
                up.put(catalog_ref, Object::Dict(catalog));
            }
        }
    });
    check(&pki, "signature stripping", &stripped, &modified);

    // Shadow replace: the overlay's appearance redrawn; the font redefined.
    let replace_overlay = update(&good, |doc, up| {
        let square = find(doc, |d| d.is_name("Subtype", "Square"));
        let ap = doc
            .get(square)
            .unwrap()
            .as_dict()
            .unwrap()
            .get("AP")
            .unwrap()
            .as_dict()
            .unwrap()
            .get("N")
            .unwrap()
            .as_ref()
            .unwrap();
        let mut dict = Dict::new();
        dict.set("Type", Object::name("XObject"));
        dict.set("Subtype", Object::name("Form"));
        dict.set(
            "BBox",
            Object::Array(vec![
                Object::Int(0),
                Object::Int(0),
                Object::Int(240),
                Object::Int(60),
            ]),
        );
        up.put(
            ap,
            Object::Stream(signet_pdf::Stream {
                dict,
                raw: b"BT 0 g /F1 24 Tf 12 20 Td (Pay 900 EUR) Tj ET".to_vec(),
            }),
        );
    });
    check(
        &pki,
        "shadow replace: overlay appearance",
        &replace_overlay,
        &modified,
    );
    let replace_font = update(&good, |doc, up| {
        let font = find(doc, |d| {
            d.is_name("Type", "Font") && d.is_name("BaseFont", "Helvetica")
        });
        let mut d = doc.get(font).unwrap().as_dict().unwrap().clone();
        d.set("BaseFont", Object::name("Symbol"));
        up.put(font, Object::Dict(d));
    });
    check(
        &pki,
        "shadow replace: font redefined",
        &replace_font,
        &modified,
    );
    // Form-fill replace on an approval signature: allowed by DocMDP, but listed with old and new value.
    let fill = update(&good, |doc, up| {
        let field = find(doc, |d| d.is_name("FT", "Tx"));
        let mut d = doc.get(field).unwrap().as_dict().unwrap().clone();
        d.set("V", Object::string("900"));
        up.put(field, Object::Dict(d));
    });
    let r = check(
        &pki,
        "form-fill replace",
        &fill,
        &[Verdict::ValidWithChanges],
    );
    let m = r.signatures[0]
        .modifications
        .iter()
        .find(|m| m.kind == "form-fill")
        .unwrap();
    assert_eq!(
        (
            m.old_value.as_deref(),
            m.new_value.as_deref(),
            m.field.as_deref()
        ),
        (Some("100"), Some("900"), Some("Amount"))
    );

    // The same form fill on a signature that locks the field (FieldMDP): not allowed.
    let locked = support::sign(
        &pki,
        Role::Signing,
        &original,
        Level::B,
        &SignOptions {
            lock_fields: vec!["Amount".into()],
            ..SignOptions::default()
        },
    );
    let v = support::pyhanko_validate_bytes(&pki, &locked);
    assert!(v.ok, "pyHanko accepts the FieldMDP lock: {}", v.out);
    let fill_locked = update(&locked, |doc, up| {
        let field = find(doc, |d| d.is_name("FT", "Tx"));
        let mut d = doc.get(field).unwrap().as_dict().unwrap().clone();
        d.set("V", Object::string("900"));
        up.put(field, Object::Dict(d));
    });
    check(&pki, "form fill of a locked field", &fill_locked, &modified);

    // Shadow hide-and-replace: an orphan body of the content stream is in the signed revision;
    // the attack is an xref-only update pointing the object number at it.
    let doc = Document::open(&original).unwrap();
    let page = doc.page(0).unwrap();
    let content = doc
        .get(page)
        .unwrap()
        .as_dict()
        .unwrap()
        .get("Contents")
        .unwrap()
        .as_ref()
        .unwrap();
    let mut prepared = original.clone();
    let orphan_at = prepared.len();
    let body = b"BT /F1 24 Tf 72 720 Td (Pay 900 EUR) Tj ET";
    prepared.extend_from_slice(
        format!(
            "{} 0 obj\n<< /Length {} >>\nstream\n",
            content.num,
            body.len()
        )
        .as_bytes(),
    );
    prepared.extend_from_slice(body);
    prepared.extend_from_slice(b"\nendstream\nendobj\n");
    let xref_at = prepared.len();
    prepared.extend_from_slice(
        format!(
            "xref\ntrailer\n<< /Size {} /Root 1 0 R /Prev {} >>\nstartxref\n{xref_at}\n%%EOF\n",
            doc.size(),
            doc.startxref()
        )
        .as_bytes(),
    );
    // The signer is warned about the orphan body before signing; a clean document gives none.
    let warnings = signet_pades::sign::presign_warnings(&prepared);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("not referenced by any cross-reference")),
        "{warnings:?}"
    );
    // The base document itself has a white Square annotation over its text (the annotation
    // attacks change it): that overlay is its only warning.
    let base_warnings = signet_pades::sign::presign_warnings(&original);
    assert_eq!(base_warnings.len(), 1, "{base_warnings:?}");
    assert!(
        base_warnings[0].contains("Square annotation on page 1 paints over the page"),
        "{base_warnings:?}"
    );
    let shadowed = signed(&pki, &prepared, None);
    assert_eq!(
        support::validate_online(&pki, &shadowed).verdict,
        Verdict::Valid,
        "the prepared document itself signs fine"
    );
    let sdoc = Document::open(&shadowed).unwrap();
    let mut attack = shadowed.clone();
    let xref_at = attack.len();
    attack.extend_from_slice(format!("xref\n{} 1\n{orphan_at:010} 00000 n\r\ntrailer\n<< /Size {} /Root 1 0 R /Prev {} >>\nstartxref\n{xref_at}\n%%EOF\n", content.num, sdoc.size(), sdoc.startxref()).as_bytes());
    assert_eq!(
        Document::open(&attack)
            .unwrap()
            .get(content)
            .unwrap()
            .as_stream()
            .unwrap()
            .raw,
        body
    );
    check(
        &pki,
        "shadow hide-and-replace (xref only)",
        &attack,
        &modified,
    );

    // Evil annotation: a FreeText annotation on a P=2 certified document; at P=3 it is allowed
    // but listed.
    let free_text = |doc: &Document<'_>, up: &mut Update<'_, '_>| {
        let page = doc.page(0).unwrap();
        let mut annot = Dict::new();
        annot.set("Type", Object::name("Annot"));
        annot.set("Subtype", Object::name("FreeText"));
        annot.set(
            "Rect",
            Object::Array(vec![
                Object::Int(60),
                Object::Int(700),
                Object::Int(300),
                Object::Int(760),
            ]),
        );
        annot.set("Contents", Object::string("Pay 900 EUR"));
        annot.set("DA", Object::string("/Helv 24 Tf 0 g"));
        let a = up.add(Object::Dict(annot));
        let mut d = doc.get(page).unwrap().as_dict().unwrap().clone();
        let mut annots = d
            .get("Annots")
            .and_then(Object::as_array)
            .unwrap_or_default()
            .to_vec();
        annots.push(Object::Ref(a));
        d.set("Annots", Object::Array(annots));
        up.put(page, Object::Dict(d));
    };
    let certified_p2 = signed(&pki, &original, Some(DocMdp::FormFilling));
    let r = support::validate_online(&pki, &certified_p2);
    assert_eq!(r.verdict, Verdict::Valid, "{r:#?}");
    assert_eq!(r.signatures[0].docmdp, Some(2));
    check(
        &pki,
        "evil annotation on P=2",
        &update(&certified_p2, free_text),
        &modified,
    );
    let certified_p3 = signed(&pki, &original, Some(DocMdp::Annotations));
    let r = check(
        &pki,
        "annotation on P=3",
        &update(&certified_p3, free_text),
        &[Verdict::ValidWithChanges],
    );
    assert!(
        r.signatures[0]
            .modifications
            .iter()
            .any(|m| m.kind == "annotation" && m.allowed)
    );

    // Sneaky signature: a visible signature field added and signed after a P=2 certification.
    let sneaky_options = SignOptions {
        visible: Some(signet_pades::appearance::Visible {
            page: 1,
            rect: [60.0, 700.0, 240.0, 60.0],
            lines: vec!["Pay 900 EUR".into()],
        }),
        ..SignOptions::default()
    };
    let sneaky = support::sign(
        &pki,
        Role::Signing,
        &certified_p2,
        Level::B,
        &sneaky_options,
    );
    let r = check(&pki, "sneaky signature on P=2", &sneaky, &modified);
    assert_eq!(r.signatures.len(), 2);
    assert_eq!(
        r.signatures[1].indication,
        signet_core::Indication::TotalPassed,
        "the new signature validates on its own"
    );
}
