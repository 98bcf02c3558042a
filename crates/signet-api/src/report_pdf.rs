//! The one writer of Signet's PDF reports: a document of headings, paragraphs and key/value rows
//! laid out on A4 pages, with page numbers. The verification report
//! ([`crate::verification_export`]) is its first user; any other report (the signed data
//! report) builds a [`ReportDocument`] the same way and gets the same look.
//!
//! All text is set in an embedded subset of DejaVu Sans (the font visible signatures use,
//! `signet_pades::font`), so Estonian (õäöü, šž) and Cyrillic (Мари) print in every viewer and can
//! be copied and searched (a ToUnicode map). A character the font lacks prints as `?`, never as
//! an empty box; control characters print as a space. Headings are drawn bold by stroking the
//! glyphs' outlines (the font has one weight).

use std::fmt::Write as _;

use signet_core::Code;
use signet_pades::font::{DEJAVU_SANS, Font, Subset};
use signet_pdf::{Dict, ObjRef, Object, Stream};

use crate::ApiError;

/// How a paragraph or row reads: plain, secondary, or a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    /// Plain text.
    #[default]
    Normal,
    /// Secondary facts (grey).
    Muted,
    /// Something that went well (green, with the words saying so).
    Good,
    /// A remark (amber, with the words saying so).
    Caution,
    /// A problem (red, with the words saying so).
    Alert,
}

/// One block of a report, laid out top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A section's heading (with a line under it).
    Heading(String),
    /// A heading within a section.
    Subheading(String),
    /// Text, wrapped to the page's width.
    Paragraph {
        /// The text; a line break starts a new line.
        text: String,
        /// How it reads.
        tone: Tone,
    },
    /// A fact: its name on the left, its value (wrapped) on the right.
    Row {
        /// What the fact is.
        key: String,
        /// The fact.
        value: String,
        /// How the value reads.
        tone: Tone,
    },
}

impl Block {
    /// A plain paragraph.
    pub fn paragraph(text: impl Into<String>) -> Self {
        Self::Paragraph {
            text: text.into(),
            tone: Tone::Normal,
        }
    }

    /// A paragraph in `tone`.
    pub fn toned(text: impl Into<String>, tone: Tone) -> Self {
        Self::Paragraph {
            text: text.into(),
            tone,
        }
    }

    /// A plain row.
    pub fn row(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self::Row {
            key: key.into(),
            value: value.into(),
            tone: Tone::Normal,
        }
    }

    /// A row whose value reads in `tone`.
    pub fn toned_row(key: impl Into<String>, value: impl Into<String>, tone: Tone) -> Self {
        Self::Row {
            key: key.into(),
            value: value.into(),
            tone,
        }
    }

    fn texts(&self) -> Vec<&str> {
        match self {
            Self::Heading(t) | Self::Subheading(t) | Self::Paragraph { text: t, .. } => vec![t],
            Self::Row { key, value, .. } => vec![key, value],
        }
    }
}

/// A report to print.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportDocument {
    /// The title on the first page (and in the file's properties).
    pub title: String,
    /// The document's language (`et`, `en`, `ru`), for screen readers and hyphenation.
    pub language: String,
    /// A line at the foot of every page, before the page number (`n / N`).
    pub footer: String,
    /// The content.
    pub blocks: Vec<Block>,
}

const PAGE_WIDTH: f64 = 595.28;
const PAGE_HEIGHT: f64 = 841.89;
const MARGIN: f64 = 56.0;
const TOP: f64 = PAGE_HEIGHT - MARGIN;
const BOTTOM: f64 = MARGIN + 16.0;
const KEY_WIDTH: f64 = 150.0;

/// A colour (RGB, 0–1) per tone; the words always say what the colour says.
fn colour(tone: Tone) -> &'static str {
    match tone {
        Tone::Normal => "0.1 0.1 0.1",
        Tone::Muted => "0.38 0.38 0.4",
        Tone::Good => "0.05 0.45 0.2",
        Tone::Caution => "0.6 0.38 0",
        Tone::Alert => "0.72 0.08 0.08",
    }
}

/// One piece of text placed on a page.
#[derive(Debug, Clone, PartialEq)]
struct Placed {
    x: f64,
    y: f64,
    size: f64,
    bold: bool,
    tone: Tone,
    text: String,
}

/// The text a page draws, and the lines under headings.
#[derive(Debug, Default)]
struct Page {
    texts: Vec<Placed>,
    rules: Vec<f64>,
}

/// The fonts's glyphs and widths, for laying out text.
struct Metrics {
    subset: Subset,
}

impl Metrics {
    fn width(&self, text: &str, size: f64) -> f64 {
        let units: i64 = text
            .chars()
            .map(|c| self.subset.glyphs.get(&c).map_or(600, |(_, w)| *w))
            .sum();
        units as f64 * size / 1000.0
    }

    /// `text` broken into lines no wider than `width`: at spaces, and inside a word only when
    /// the word alone is wider (a certificate subject, a long file name).
    fn wrap(&self, text: &str, size: f64, width: f64) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // The word alone: broken by characters when it does not fit a line.
                for c in word.chars() {
                    let mut longer = line.clone();
                    longer.push(c);
                    if !line.is_empty() && self.width(&longer, size) > width {
                        lines.push(std::mem::replace(&mut line, c.to_string()));
                    } else {
                        line = longer;
                    }
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// Lays the blocks out on pages.
struct Layout<'m> {
    metrics: &'m Metrics,
    pages: Vec<Page>,
    y: f64,
}

impl Layout<'_> {
    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.pages.push(Page::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = TOP;
    }

    /// Room for `height` more points on this page, or a new page.
    fn room(&mut self, height: f64) {
        if self.y - height < BOTTOM && self.y < TOP {
            self.new_page();
        }
    }

    fn gap(&mut self, points: f64) {
        if self.y < TOP {
            self.y -= points;
        }
    }

    fn lines(&mut self, lines: &[String], x: f64, style: (f64, bool, Tone), leading: f64) {
        let (size, bold, tone) = style;
        for line in lines {
            self.room(leading);
            self.y -= leading;
            let y = self.y + (leading - size) * 0.6;
            self.page().texts.push(Placed {
                x,
                y,
                size,
                bold,
                tone,
                text: line.clone(),
            });
        }
    }

    fn block(&mut self, block: &Block) {
        let full = PAGE_WIDTH - 2.0 * MARGIN;
        match block {
            Block::Heading(text) => {
                self.gap(14.0);
                let lines = self.metrics.wrap(text, 13.0, full);
                // A heading is kept with what follows it.
                self.room(18.0 * lines.len() as f64 + 40.0);
                self.lines(&lines, MARGIN, (13.0, true, Tone::Normal), 18.0);
                self.y -= 3.0;
                let y = self.y;
                self.page().rules.push(y);
                self.y -= 5.0;
            }
            Block::Subheading(text) => {
                self.gap(9.0);
                let lines = self.metrics.wrap(text, 11.0, full);
                self.room(15.0 * lines.len() as f64 + 28.0);
                self.lines(&lines, MARGIN, (11.0, true, Tone::Normal), 15.0);
                self.y -= 2.0;
            }
            Block::Paragraph { text, tone } => {
                let lines = self.metrics.wrap(text, 10.0, full);
                self.lines(&lines, MARGIN, (10.0, false, *tone), 13.5);
                self.y -= 3.0;
            }
            Block::Row { key, value, tone } => {
                let keys = self.metrics.wrap(key, 9.0, KEY_WIDTH - 8.0);
                let values = self.metrics.wrap(value, 10.0, full - KEY_WIDTH);
                let rows = keys.len().max(values.len());
                // A row is never split over two pages unless it is longer than a page.
                if (rows as f64) * 13.5 < TOP - BOTTOM {
                    self.room(13.5 * rows as f64);
                }
                let top = self.y;
                self.lines(&keys, MARGIN, (9.0, false, Tone::Muted), 13.5);
                let after_keys = (self.y, self.pages.len());
                self.y = top;
                if after_keys.1 != self.pages.len() {
                    // The key moved to a new page: the value follows it there.
                    self.y = TOP;
                }
                self.lines(&values, MARGIN + KEY_WIDTH, (10.0, false, *tone), 13.5);
                if after_keys.1 == self.pages.len() {
                    self.y = self.y.min(after_keys.0);
                }
                self.y -= 1.5;
            }
        }
    }
}

/// Text as the font can print it: control characters become spaces, characters the font lacks
/// `?`.
fn printable(text: &str, font: &Font<'_>) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                ' '
            } else if font.glyph_id(c).unwrap_or(0) == 0 && c != ' ' {
                '?'
            } else {
                c
            }
        })
        .collect()
}

fn font_error(e: signet_pades::font::FontError) -> ApiError {
    ApiError::new(
        Code::Internal,
        format!("the report could not be written: {e}"),
    )
    .recommend("This is a bug in Signet; please report it with the log file.")
}

fn real(v: f64) -> Object {
    Object::Real(format!("{v:.2}").into_bytes())
}

/// The codes of `text` in the subset (Identity-H: the glyph ids, two bytes each), as hex.
fn shown(text: &str, subset: &Subset) -> String {
    let mut hex = String::with_capacity(text.len() * 4);
    for c in text.chars() {
        let gid = subset.glyphs.get(&c).map_or(0, |(g, _)| *g);
        let _ = write!(hex, "{gid:04X}");
    }
    hex
}

fn content(page: &Page, footer: &str, subset: &Subset) -> Vec<u8> {
    let mut out = String::new();
    for y in &page.rules {
        let _ = writeln!(
            out,
            "q 0.75 G 0.6 w {MARGIN:.2} {y:.2} m {:.2} {y:.2} l S Q",
            PAGE_WIDTH - MARGIN
        );
    }
    let footer_text = Placed {
        x: MARGIN,
        y: MARGIN - 20.0,
        size: 8.0,
        bold: false,
        tone: Tone::Muted,
        text: footer.to_owned(),
    };
    for t in page.texts.iter().chain([&footer_text]) {
        let style = if t.bold {
            format!("2 Tr 0.35 w {} RG ", colour(t.tone))
        } else {
            "0 Tr ".to_owned()
        };
        let _ = writeln!(
            out,
            "BT /F1 {:.1} Tf {}{} rg 1 0 0 1 {:.2} {:.2} Tm <{}> Tj ET",
            t.size,
            style,
            colour(t.tone),
            t.x,
            t.y,
            shown(&t.text, subset)
        );
    }
    out.into_bytes()
}

fn page_footer(footer: &str, n: usize, of: usize) -> String {
    if footer.is_empty() {
        format!("{n} / {of}")
    } else {
        format!("{footer} · {n} / {of}")
    }
}

/// The report as a PDF file (PDF 1.7, A4, text in an embedded DejaVu Sans subset).
pub fn render(document: &ReportDocument) -> Result<Vec<u8>, ApiError> {
    let font = Font::parse(DEJAVU_SANS).map_err(font_error)?;
    let clean = |s: &str| printable(s, &font);
    let title = clean(&document.title);
    let footer = clean(&document.footer);
    let blocks: Vec<Block> = document
        .blocks
        .iter()
        .map(|b| match b {
            Block::Heading(t) => Block::Heading(clean(t)),
            Block::Subheading(t) => Block::Subheading(clean(t)),
            Block::Paragraph { text, tone } => Block::Paragraph {
                text: clean(text),
                tone: *tone,
            },
            Block::Row { key, value, tone } => Block::Row {
                key: clean(key),
                value: clean(value),
                tone: *tone,
            },
        })
        .collect();
    // Every character printed, so that the subset has it (page numbers included).
    let mut all = format!("{title}{footer} ·/0123456789?");
    for b in &blocks {
        for t in b.texts() {
            all.push_str(t);
        }
    }

    // Objects 1–3 are the catalogue, the page tree and the information dictionary.
    let mut objects: Vec<Object> = vec![Object::Null, Object::Null, Object::Null];
    let mut add = |object: Object| {
        objects.push(object);
        ObjRef::new(objects.len() as u32, 0)
    };
    let (font_ref, subset) = signet_pades::font::embed(&all, &mut add).map_err(font_error)?;
    let metrics = Metrics { subset };

    let mut layout = Layout {
        metrics: &metrics,
        pages: vec![Page::default()],
        y: TOP,
    };
    let title_lines = metrics.wrap(&title, 18.0, PAGE_WIDTH - 2.0 * MARGIN);
    layout.lines(&title_lines, MARGIN, (18.0, true, Tone::Normal), 24.0);
    layout.y -= 8.0;
    for block in &blocks {
        layout.block(block);
    }
    let pages = layout.pages;

    let mut kids = Vec::new();
    let count = pages.len();
    for (i, page) in pages.iter().enumerate() {
        let mut stream = Dict::new();
        stream.set("Filter", Object::name("FlateDecode"));
        let raw = signet_pades::font::deflate(&content(
            page,
            &page_footer(&footer, i + 1, count),
            &metrics.subset,
        ));
        let contents = add(Object::Stream(Stream { dict: stream, raw }));
        let mut fonts = Dict::new();
        fonts.set("F1", Object::Ref(font_ref));
        let mut resources = Dict::new();
        resources.set("Font", Object::Dict(fonts));
        let mut p = Dict::new();
        p.set("Type", Object::name("Page"));
        p.set("Parent", Object::Ref(ObjRef::new(2, 0)));
        p.set(
            "MediaBox",
            Object::Array(vec![
                Object::Int(0),
                Object::Int(0),
                real(PAGE_WIDTH),
                real(PAGE_HEIGHT),
            ]),
        );
        p.set("Resources", Object::Dict(resources));
        p.set("Contents", Object::Ref(contents));
        kids.push(Object::Ref(add(Object::Dict(p))));
    }
    let mut catalog = Dict::new();
    catalog.set("Type", Object::name("Catalog"));
    catalog.set("Pages", Object::Ref(ObjRef::new(2, 0)));
    if !document.language.is_empty() {
        catalog.set("Lang", Object::text(&document.language));
    }
    let mut viewer = Dict::new();
    viewer.set("DisplayDocTitle", Object::Bool(true));
    catalog.set("ViewerPreferences", Object::Dict(viewer));
    objects[0] = Object::Dict(catalog);
    let mut tree = Dict::new();
    tree.set("Type", Object::name("Pages"));
    tree.set("Kids", Object::Array(kids));
    tree.set("Count", Object::Int(count as i64));
    objects[1] = Object::Dict(tree);
    let mut info = Dict::new();
    info.set("Title", Object::text(&title));
    info.set(
        "Producer",
        Object::text(&format!("Signet {}", env!("CARGO_PKG_VERSION"))),
    );
    objects[2] = Object::Dict(info);
    Ok(assemble(&objects))
}

/// The file: header, the objects, the cross-reference table and the trailer.
fn assemble(objects: &[Object]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    let mut raws = signet_pdf::RawPositions::default();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        signet_pdf::serialize(object, &mut out, &mut raws);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in &offsets {
        let _ = writeln!(table, "{offset:010} 00000 n ");
    }
    out.extend_from_slice(table.as_bytes());
    // The file identifier: a digest of what precedes it.
    let id: [u8; 16] = {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(&out);
        let mut id = [0u8; 16];
        id.copy_from_slice(&digest[..16]);
        id
    };
    let mut trailer = Dict::new();
    trailer.set("Size", Object::Int(objects.len() as i64 + 1));
    trailer.set("Root", Object::Ref(ObjRef::new(1, 0)));
    trailer.set("Info", Object::Ref(ObjRef::new(3, 0)));
    trailer.set(
        "ID",
        Object::Array(vec![Object::string(id), Object::string(id)]),
    );
    out.extend_from_slice(b"trailer\n");
    signet_pdf::serialize(&Object::Dict(trailer), &mut out, &mut raws);
    out.extend_from_slice(format!("\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(rows: usize) -> ReportDocument {
        let mut blocks = vec![
            Block::Heading("Lepingu allkirjad — Мари Тамм".to_owned()),
            Block::paragraph("Mari-Liis Männik õäöü ŠšŽž signed\u{7} this."),
            Block::toned_row("Verdict", "Not valid", Tone::Alert),
        ];
        for i in 0..rows {
            blocks.push(Block::row(
                format!("Fact {i}"),
                "CN=TAMM\\,MARI\\,38001085718,SN=TAMM,GN=MARI,serialNumber=PNOEE-38001085718,C=EE,O=ESTEID,OU=digital signature",
            ));
        }
        ReportDocument {
            title: "Signature verification report".to_owned(),
            language: "en".to_owned(),
            footer: "Signet".to_owned(),
            blocks,
        }
    }

    #[test]
    fn a_report_is_a_pdf_the_parser_reads_page_by_page() {
        let bytes = render(&sample(3)).unwrap();
        let doc = signet_pdf::Document::open(&bytes).unwrap();
        assert_eq!(doc.pages().unwrap().len(), 1);
        // A long report flows onto more pages.
        let long = render(&sample(120)).unwrap();
        let doc = signet_pdf::Document::open(&long).unwrap();
        assert!(doc.pages().unwrap().len() >= 3);
    }

    #[test]
    fn long_words_are_broken_and_lines_fit() {
        let font = Font::parse(DEJAVU_SANS).unwrap();
        let metrics = Metrics {
            subset: font.subset("abcdefghij ").unwrap(),
        };
        let lines = metrics.wrap("abcdefghijabcdefghij abc", 10.0, 40.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert!(lines.iter().all(|l| metrics.width(l, 10.0) <= 40.0));
        assert_eq!(lines.concat().replace(' ', ""), "abcdefghijabcdefghijabc");
    }

    #[test]
    fn characters_outside_the_font_are_question_marks_and_controls_spaces() {
        let font = Font::parse(DEJAVU_SANS).unwrap();
        assert_eq!(printable("Мари\u{7}Tamm 漢", &font), "Мари Tamm ?");
    }

    /// With poppler's pdftotext installed, the text comes back as written, Cyrillic included.
    #[test]
    fn pdftotext_reads_estonian_and_cyrillic() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("report.pdf");
        std::fs::write(&file, render(&sample(2)).unwrap()).unwrap();
        let Ok(out) = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(&file)
            .arg("-")
            .output()
        else {
            panic!("pdftotext (poppler-utils) cannot run; `cargo xtask setup` installs it");
        };
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        for expected in [
            "Signature verification report",
            "Мари Тамм",
            "Mari-Liis Männik õäöü ŠšŽž signed this.",
            "Not valid",
            "Signet · 1 / 1",
        ] {
            assert!(
                text.contains(expected),
                "{expected} is missing from:\n{text}"
            );
        }
    }
}
