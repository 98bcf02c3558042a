//! PDF objects (ISO 32000-2 section 7.3) as the reader gives them and the writer takes them.

use std::fmt::Write as _;

/// An indirect reference `N G R`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjRef {
    /// Object number.
    pub num: u32,
    /// Generation number.
    pub gen_: u16,
}

impl ObjRef {
    /// `N G R`.
    pub const fn new(num: u32, gen_: u16) -> Self {
        Self { num, gen_ }
    }
}

/// A dictionary, keys in file order (names without the slash).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dict(pub Vec<(Vec<u8>, Object)>);

impl Dict {
    /// An empty dictionary.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// The value of `key` (the last one when a file repeats a key).
    pub fn get(&self, key: &str) -> Option<&Object> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key.as_bytes())
            .map(|(_, v)| v)
    }

    /// Sets `key` (replacing it in place when present).
    pub fn set(&mut self, key: &str, value: impl Into<Object>) {
        let value = value.into();
        if let Some(slot) = self.0.iter_mut().find(|(k, _)| k == key.as_bytes()) {
            slot.1 = value;
        } else {
            self.0.push((key.as_bytes().to_vec(), value));
        }
    }

    /// Removes `key`.
    pub fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key.as_bytes());
    }

    /// The name value of `key`.
    pub fn name(&self, key: &str) -> Option<&[u8]> {
        self.get(key).and_then(Object::as_name)
    }

    /// The integer value of `key`.
    pub fn int(&self, key: &str) -> Option<i64> {
        self.get(key).and_then(Object::as_int)
    }

    /// Whether `key` names `/value`.
    pub fn is_name(&self, key: &str, value: &str) -> bool {
        self.name(key) == Some(value.as_bytes())
    }

    /// The keys.
    pub fn keys(&self) -> impl Iterator<Item = &[u8]> {
        self.0.iter().map(|(k, _)| k.as_slice())
    }
}

/// A stream: its dictionary and the raw (still encoded) bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Stream {
    /// The stream dictionary.
    pub dict: Dict,
    /// The bytes between `stream` and `endstream`, still filtered.
    pub raw: Vec<u8>,
}

/// A PDF object.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A real number, kept as written.
    Real(Vec<u8>),
    /// A string (literal or hex), decoded.
    Str(Vec<u8>),
    /// A name without the slash, `#xx` decoded.
    Name(Vec<u8>),
    /// An array.
    Array(Vec<Object>),
    /// A dictionary.
    Dict(Dict),
    /// A stream (only as a whole indirect object).
    Stream(Stream),
    /// An indirect reference.
    Ref(ObjRef),
    /// Bytes written verbatim by the writer (a placeholder or a pre-formatted value); the
    /// reader never produces it. The id lets the writer report where it went.
    Raw(u32, Vec<u8>),
}

impl From<i64> for Object {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}
impl From<ObjRef> for Object {
    fn from(v: ObjRef) -> Self {
        Self::Ref(v)
    }
}
impl From<Dict> for Object {
    fn from(v: Dict) -> Self {
        Self::Dict(v)
    }
}
impl From<Vec<Object>> for Object {
    fn from(v: Vec<Object>) -> Self {
        Self::Array(v)
    }
}

impl Object {
    /// A name object.
    pub fn name(name: &str) -> Self {
        Self::Name(name.as_bytes().to_vec())
    }

    /// A string object.
    pub fn string(s: impl AsRef<[u8]>) -> Self {
        Self::Str(s.as_ref().to_vec())
    }

    /// A text string (PDF text string: PDFDocEncoding for ASCII, else UTF-16BE with BOM).
    pub fn text(s: &str) -> Self {
        if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            Self::Str(s.as_bytes().to_vec())
        } else {
            let mut v = vec![0xfe, 0xff];
            for u in s.encode_utf16() {
                v.extend_from_slice(&u.to_be_bytes());
            }
            Self::Str(v)
        }
    }

    /// The integer, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Self::Int(i) => Some(*i),
            _ => None,
        }
    }
    /// The name, if this is one.
    pub fn as_name(&self) -> Option<&[u8]> {
        match self {
            Self::Name(n) => Some(n),
            _ => None,
        }
    }
    /// The dictionary (of a stream too).
    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Self::Dict(d) => Some(d),
            Self::Stream(s) => Some(&s.dict),
            _ => None,
        }
    }
    /// The array.
    pub fn as_array(&self) -> Option<&[Object]> {
        match self {
            Self::Array(a) => Some(a),
            _ => None,
        }
    }
    /// The string bytes.
    pub fn as_str(&self) -> Option<&[u8]> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }
    /// The reference.
    pub fn as_ref(&self) -> Option<ObjRef> {
        match self {
            Self::Ref(r) => Some(*r),
            _ => None,
        }
    }
    /// The stream.
    pub fn as_stream(&self) -> Option<&Stream> {
        match self {
            Self::Stream(s) => Some(s),
            _ => None,
        }
    }
}

/// Decodes a PDF text string (UTF-16BE with BOM, UTF-8 with BOM, else PDFDocEncoding read as
/// Latin-1, which agrees on the printable range).
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Where the writer put each [`Object::Raw`] value inside the serialised bytes.
#[derive(Debug, Clone, Default)]
pub struct RawPositions(pub Vec<(u32, usize, usize)>);

impl RawPositions {
    /// The (start, end) of raw value `id`.
    pub fn get(&self, id: u32) -> Option<(usize, usize)> {
        self.0
            .iter()
            .find(|(i, _, _)| *i == id)
            .map(|(_, s, e)| (*s, *e))
    }
}

fn is_regular(b: u8) -> bool {
    !matches!(
        b,
        b'\0'
            | b'\t'
            | b'\n'
            | 0x0c
            | b'\r'
            | b' '
            | b'('
            | b')'
            | b'<'
            | b'>'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'/'
            | b'%'
    )
}

/// Serialises `obj` onto `out`, recording where [`Object::Raw`] values go.
pub fn serialize(obj: &Object, out: &mut Vec<u8>, raws: &mut RawPositions) {
    match obj {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => out.extend_from_slice(r),
        Object::Str(s) => {
            // Hex keeps every byte safe and the length predictable.
            out.push(b'<');
            let mut hex = String::with_capacity(s.len() * 2);
            for b in s {
                let _ = write!(hex, "{b:02X}");
            }
            out.extend_from_slice(hex.as_bytes());
            out.push(b'>');
        }
        Object::Name(n) => {
            out.push(b'/');
            for &b in n {
                if is_regular(b) && (0x21..0x7f).contains(&b) && b != b'#' {
                    out.push(b);
                } else {
                    out.extend_from_slice(format!("#{b:02X}").as_bytes());
                }
            }
        }
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                serialize(item, out, raws);
            }
            out.push(b']');
        }
        Object::Dict(d) => serialize_dict(d, out, raws),
        Object::Stream(s) => {
            let mut dict = s.dict.clone();
            dict.set("Length", Object::Int(s.raw.len() as i64));
            serialize_dict(&dict, out, raws);
            out.extend_from_slice(b"\nstream\n");
            out.extend_from_slice(&s.raw);
            out.extend_from_slice(b"\nendstream");
        }
        Object::Ref(r) => out.extend_from_slice(format!("{} {} R", r.num, r.gen_).as_bytes()),
        Object::Raw(id, bytes) => {
            let start = out.len();
            out.extend_from_slice(bytes);
            raws.0.push((*id, start, out.len()));
        }
    }
}

fn serialize_dict(d: &Dict, out: &mut Vec<u8>, raws: &mut RawPositions) {
    out.extend_from_slice(b"<<");
    for (k, v) in &d.0 {
        serialize(&Object::Name(k.clone()), out, raws);
        out.push(b' ');
        serialize(v, out, raws);
    }
    out.extend_from_slice(b">>");
}
