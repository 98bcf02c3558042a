//! The lexer and object parser (ISO 32000-2 section 7.2, 7.3). Bounded: nesting depth, string
//! and array sizes are limited by the input, recursion by [`MAX_DEPTH`].

use crate::PdfError;
use crate::object::{Dict, ObjRef, Object, Stream};

/// Deepest nesting of arrays and dictionaries accepted.
pub const MAX_DEPTH: usize = 64;

pub(crate) fn is_white(b: u8) -> bool {
    matches!(b, b'\0' | b'\t' | b'\n' | 0x0c | b'\r' | b' ')
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

/// A cursor over PDF bytes.
#[derive(Debug, Clone)]
pub struct Parser<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) pos: usize,
    /// Byte spans of the values of the outermost dictionary's keys, when asked for.
    pub(crate) spans: Option<Vec<(Vec<u8>, usize, usize)>>,
}

impl<'a> Parser<'a> {
    /// A parser at `pos`.
    pub fn new(data: &'a [u8], pos: usize) -> Self {
        Self {
            data,
            pos,
            spans: None,
        }
    }

    fn err(&self, what: &str) -> PdfError {
        PdfError::Syntax {
            offset: self.pos,
            what: what.to_owned(),
        }
    }

    /// Skips white space and comments.
    pub fn skip_ws(&mut self) {
        while let Some(&b) = self.data.get(self.pos) {
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(&c) = self.data.get(self.pos) {
                    if c == b'\r' || c == b'\n' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    /// A bare token (keyword or number) at the cursor, without consuming white space.
    pub fn token(&mut self) -> &'a [u8] {
        let start = self.pos;
        while let Some(&b) = self.data.get(self.pos) {
            if is_white(b) || is_delim(b) {
                break;
            }
            self.pos += 1;
        }
        &self.data[start..self.pos]
    }

    /// Whether the next token is `kw` (consumed if so).
    pub fn keyword(&mut self, kw: &[u8]) -> bool {
        self.skip_ws();
        let save = self.pos;
        if self.token() == kw {
            true
        } else {
            self.pos = save;
            false
        }
    }

    /// An unsigned integer token.
    pub fn uint(&mut self) -> Option<u64> {
        self.skip_ws();
        let save = self.pos;
        let t = self.token();
        if t.is_empty() || t.len() > 19 || !t.iter().all(u8::is_ascii_digit) {
            self.pos = save;
            return None;
        }
        std::str::from_utf8(t).ok()?.parse().ok()
    }

    /// One object (a reference `N G R` is recognised).
    pub fn object(&mut self) -> Result<Object, PdfError> {
        self.object_at_depth(0)
    }

    fn object_at_depth(&mut self, depth: usize) -> Result<Object, PdfError> {
        if depth > MAX_DEPTH {
            return Err(self.err("objects nested too deeply"));
        }
        self.skip_ws();
        let Some(b) = self.peek() else {
            return Err(self.err("unexpected end of data"));
        };
        match b {
            b'/' => {
                self.pos += 1;
                Ok(Object::Name(self.name_body()))
            }
            b'(' => self.literal_string().map(Object::Str),
            b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                self.dict(depth).map(Object::Dict)
            }
            b'<' => self.hex_string().map(Object::Str),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Object::Array(items));
                        }
                        None => return Err(self.err("unterminated array")),
                        _ => items.push(self.object_at_depth(depth + 1)?),
                    }
                }
            }
            _ => {
                let start = self.pos;
                let t = self.token();
                if t.is_empty() {
                    self.pos += 1;
                    return Err(PdfError::Syntax {
                        offset: start,
                        what: format!("unexpected byte 0x{b:02x}"),
                    });
                }
                match t {
                    b"null" => Ok(Object::Null),
                    b"true" => Ok(Object::Bool(true)),
                    b"false" => Ok(Object::Bool(false)),
                    _ => self.number(t, start),
                }
            }
        }
    }

    fn number(&mut self, t: &[u8], start: usize) -> Result<Object, PdfError> {
        let is_int = !t.is_empty()
            && t.iter()
                .enumerate()
                .all(|(i, c)| c.is_ascii_digit() || (i == 0 && (*c == b'-' || *c == b'+')))
            && t.iter().any(u8::is_ascii_digit);
        if is_int {
            let value: i64 = std::str::from_utf8(t)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| PdfError::Syntax {
                    offset: start,
                    what: "integer out of range".into(),
                })?;
            // N G R ?
            if value >= 0 && t[0].is_ascii_digit() {
                let save = self.pos;
                if let Some(gen_) = self.uint()
                    && self.keyword(b"R")
                    && let (Ok(num), Ok(gen_)) = (u32::try_from(value), u16::try_from(gen_))
                {
                    return Ok(Object::Ref(ObjRef::new(num, gen_)));
                }
                self.pos = save;
            }
            return Ok(Object::Int(value));
        }
        let is_real = t.iter().enumerate().all(|(i, c)| {
            c.is_ascii_digit() || *c == b'.' || (i == 0 && (*c == b'-' || *c == b'+'))
        }) && t.iter().filter(|c| **c == b'.').count() <= 1
            && t.iter().any(u8::is_ascii_digit);
        if is_real {
            return Ok(Object::Real(t.to_vec()));
        }
        Err(PdfError::Syntax {
            offset: start,
            what: format!(
                "unexpected token {:?}",
                String::from_utf8_lossy(&t[..t.len().min(20)])
            ),
        })
    }

    fn name_body(&mut self) -> Vec<u8> {
        let raw = self.token();
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'#'
                && i + 2 < raw.len()
                && let (Some(h), Some(l)) = (hex_val(raw[i + 1]), hex_val(raw[i + 2]))
            {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
            out.push(raw[i]);
            i += 1;
        }
        out
    }

    fn literal_string(&mut self) -> Result<Vec<u8>, PdfError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        let mut depth = 1usize;
        while let Some(&b) = self.data.get(self.pos) {
            self.pos += 1;
            match b {
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(out);
                    }
                    out.push(b);
                }
                b'\\' => {
                    let Some(&e) = self.data.get(self.pos) else {
                        break;
                    };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xff) as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(b),
            }
        }
        Err(PdfError::Syntax {
            offset: start,
            what: "unterminated string".into(),
        })
    }

    fn hex_string(&mut self) -> Result<Vec<u8>, PdfError> {
        let start = self.pos;
        self.pos += 1;
        let rest = &self.data[self.pos..];
        let Some(end) = memchr::memchr(b'>', rest) else {
            return Err(PdfError::Syntax {
                offset: start,
                what: "unterminated hex string".into(),
            });
        };
        let mut out = Vec::with_capacity(end / 2 + 1);
        let mut hi: Option<u8> = None;
        for &c in &rest[..end] {
            if is_white(c) {
                continue;
            }
            let v = hex_val(c).ok_or_else(|| PdfError::Syntax {
                offset: start,
                what: "non-hex digit in a hex string".into(),
            })?;
            match hi.take() {
                None => hi = Some(v),
                Some(h) => out.push(h << 4 | v),
            }
        }
        if let Some(h) = hi {
            out.push(h << 4);
        }
        self.pos += end + 1;
        Ok(out)
    }

    fn dict(&mut self, depth: usize) -> Result<Dict, PdfError> {
        let start = self.pos;
        self.pos += 2;
        let mut spans = if depth == 0 { self.spans.take() } else { None };
        let mut dict = Dict::new();
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'>') if self.data.get(self.pos + 1) == Some(&b'>') => {
                    self.pos += 2;
                    if depth == 0 && spans.is_some() {
                        self.spans = spans;
                    }
                    return Ok(dict);
                }
                Some(b'/') => {
                    self.pos += 1;
                    let key = self.name_body();
                    self.skip_ws();
                    let vstart = self.pos;
                    let value = self.object_at_depth(depth + 1)?;
                    if let Some(s) = spans.as_mut() {
                        s.push((key.clone(), vstart, self.pos));
                    }
                    dict.0.push((key, value));
                }
                None => {
                    return Err(PdfError::Syntax {
                        offset: start,
                        what: "unterminated dictionary".into(),
                    });
                }
                Some(_) => return Err(self.err("dictionary key is not a name")),
            }
        }
    }
}

pub(crate) fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// An indirect object read at an offset.
#[derive(Debug, Clone)]
pub struct IndirectObject {
    /// Its number and generation as the header says.
    pub id: ObjRef,
    /// The value.
    pub object: Object,
    /// Where `N G obj` starts.
    pub start: usize,
    /// Byte spans of the top-level dictionary's values (absolute offsets).
    pub spans: Vec<(Vec<u8>, usize, usize)>,
}

/// Parses `N G obj … endobj` at `offset`. `length` resolves an indirect `/Length`.
pub fn indirect_at(
    data: &[u8],
    offset: usize,
    length: &mut dyn FnMut(ObjRef) -> Option<i64>,
) -> Result<IndirectObject, PdfError> {
    if offset >= data.len() {
        return Err(PdfError::Syntax {
            offset,
            what: "object offset beyond the end of the file".into(),
        });
    }
    let mut p = Parser::new(data, offset);
    let (Some(num), Some(gen_)) = (p.uint(), p.uint()) else {
        return Err(PdfError::Syntax {
            offset,
            what: "no object header (N G obj) at the offset the cross-reference gives".into(),
        });
    };
    if !p.keyword(b"obj") {
        return Err(PdfError::Syntax {
            offset,
            what: "no 'obj' keyword".into(),
        });
    }
    let id = ObjRef::new(
        u32::try_from(num).map_err(|_| p.err("object number too large"))?,
        u16::try_from(gen_).map_err(|_| p.err("generation too large"))?,
    );
    p.skip_ws();
    p.spans = Some(Vec::new());
    let object = p.object()?;
    let spans = p.spans.take().unwrap_or_default();
    let object = match object {
        Object::Dict(dict) if p.keyword(b"stream") => {
            // EOL after `stream`: CRLF or LF (a lone CR is tolerated).
            match p.peek() {
                Some(b'\r') => {
                    p.pos += 1;
                    if p.peek() == Some(b'\n') {
                        p.pos += 1;
                    }
                }
                Some(b'\n') => p.pos += 1,
                _ => {}
            }
            let start = p.pos;
            let declared = match dict.get("Length") {
                Some(Object::Int(n)) => Some(*n),
                Some(Object::Ref(r)) => length(*r),
                _ => None,
            };
            let end = declared
                .and_then(|n| usize::try_from(n).ok())
                .and_then(|n| start.checked_add(n))
                .filter(|&end| end <= data.len() && endstream_follows(data, end));
            let end = match end {
                Some(end) => end,
                None => {
                    // Wrong or missing /Length: the data ends before `endstream`.
                    let rest = &data[start..];
                    let found = memchr::memmem::find(rest, b"endstream").ok_or_else(|| {
                        PdfError::Syntax {
                            offset: start,
                            what: "stream without endstream".into(),
                        }
                    })?;
                    let mut end = start + found;
                    if end > start && data[end - 1] == b'\n' {
                        end -= 1;
                        if end > start && data[end - 1] == b'\r' {
                            end -= 1;
                        }
                    } else if end > start && data[end - 1] == b'\r' {
                        end -= 1;
                    }
                    end
                }
            };
            Object::Stream(Stream {
                dict,
                raw: data[start..end].to_vec(),
            })
        }
        other => other,
    };
    Ok(IndirectObject {
        id,
        object,
        start: offset,
        spans,
    })
}

fn endstream_follows(data: &[u8], end: usize) -> bool {
    let mut p = Parser::new(data, end);
    p.skip_ws();
    data[p.pos..].starts_with(b"endstream")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_parse() {
        let mut p = Parser::new(
            b"<< /A 1 0 R /B [1 -2 3.5 (a\\(b\\)) <414> /N#41me] /C << /D true >> >>",
            0,
        );
        let o = p.object().unwrap();
        let d = o.as_dict().unwrap();
        assert_eq!(d.get("A"), Some(&Object::Ref(ObjRef::new(1, 0))));
        let b = d.get("B").unwrap().as_array().unwrap();
        assert_eq!(b[0], Object::Int(1));
        assert_eq!(b[1], Object::Int(-2));
        assert_eq!(b[2], Object::Real(b"3.5".to_vec()));
        assert_eq!(b[3], Object::Str(b"a(b)".to_vec()));
        assert_eq!(b[4], Object::Str(vec![0x41, 0x40]));
        assert_eq!(b[5], Object::Name(b"NAme".to_vec()));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let data = "[".repeat(1000);
        assert!(Parser::new(data.as_bytes(), 0).object().is_err());
    }

    #[test]
    fn stream_with_wrong_length_is_recovered() {
        let data = b"3 0 obj << /Length 99 >> stream\nabc\nendstream endobj";
        let o = indirect_at(data, 0, &mut |_| None).unwrap();
        assert_eq!(o.object.as_stream().unwrap().raw, b"abc");
    }
}
