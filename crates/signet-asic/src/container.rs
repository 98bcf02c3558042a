//! The ASiC-E container (ETSI EN 319 162-1, BDOC 2.1): `mimetype` first and STORED, the
//! OpenDocument manifest, data files, and `META-INF/signatures*.xml`.
//!
//! [`Container::open`] runs the ZIP scanner ([`crate::zip::scan`]) and the container rules before
//! anything is read. Rules of the ZIP layer and of the mimetype refuse the file
//! ([`AsicError`]); disagreements between the manifest and the entries are kept as
//! [`Container::problems`], so the file can still be listed, and every signature of it is then
//! TOTAL-FAILED. Writing is streamed into a temporary file next to the target, synced and
//! renamed over it.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use signet_pki::xmldsig::XmlDocument;

use crate::place::temp_next_to;
pub use crate::place::{Durability, Pending, Placement, commit, write_atomically, write_placed};
use crate::xml::escape;
use crate::zip::{self, Entry, EntryReader, Limits, ZipError, ZipWriter};

/// The ASiC-E media type, the `mimetype` entry's content.
pub const MIMETYPE: &str = "application/vnd.etsi.asic-e+zip";
/// The OpenDocument manifest namespace.
pub const MANIFEST_NS: &str = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0";
/// Where the manifest is.
pub const MANIFEST: &str = "META-INF/manifest.xml";
/// The largest XML entry (manifest, signature) read into memory.
pub const MAX_XML_ENTRY: u64 = 16 * 1024 * 1024;

/// Why a container is refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AsicError {
    /// The file cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: io::Error,
    },
    /// The ZIP layer is refused.
    #[error(transparent)]
    Zip(#[from] ZipError),
    /// The `mimetype` entry is missing, misplaced, compressed, or says something else.
    #[error("{0}")]
    Mimetype(String),
    /// The manifest is missing, repeated or unreadable.
    #[error("{0}")]
    Manifest(String),
    /// An operation the container's state forbids (adding files to a signed container).
    #[error("{0}")]
    NotAllowed(String),
    /// A name that is not in the container.
    #[error("the container has no file named “{0}”")]
    NoSuchFile(String),
    /// A file being signed (an input, or the container a signature is added to) changed on
    /// disk between the moment it was read and the moment the result would have been put in
    /// place: the result was discarded.
    #[error("{} changed on disk while it was being signed; nothing was written", .0.display())]
    InputChanged(PathBuf),
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(io::Error) -> AsicError + '_ {
    move |source| AsicError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// A data file: a non-META-INF entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DataFile {
    /// Its name (path) in the container.
    pub name: String,
    /// Its media type as the manifest gives it (empty when the manifest does not list it).
    pub media_type: String,
    /// Its size in bytes.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: u64,
}

/// The manifest's entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// `(full-path, media-type)` in document order, `/` included.
    pub entries: Vec<(String, String)>,
}

impl Manifest {
    /// Reads a manifest: a `manifest:manifest` root with `manifest:file-entry` children.
    pub fn parse(bytes: &[u8]) -> Result<Self, AsicError> {
        let bad = |why: String| AsicError::Manifest(format!("META-INF/manifest.xml: {why}"));
        let text = std::str::from_utf8(bytes).map_err(|_| bad("not UTF-8".to_owned()))?;
        let doc = XmlDocument::parse(text).map_err(|e| bad(e.to_string()))?;
        let root = doc.root().map_err(|e| bad(e.to_string()))?;
        let dom = doc.dom();
        let is = |node, local: &str| {
            dom.element(node)
                .is_some_and(|e| e.name.matches(Some(MANIFEST_NS), local))
        };
        if !is(root, "manifest") {
            return Err(bad("the root is not manifest:manifest".to_owned()));
        }
        let mut entries = Vec::new();
        for child in dom.children(root) {
            let Some(element) = dom.element(child) else {
                continue;
            };
            if !is(child, "file-entry") {
                return Err(bad(format!(
                    "unexpected element {}",
                    element.name.local_name
                )));
            }
            let path = element
                .get_attribute_ns(MANIFEST_NS, "full-path")
                .ok_or_else(|| bad("a file-entry has no full-path".to_owned()))?;
            let media = element
                .get_attribute_ns(MANIFEST_NS, "media-type")
                .unwrap_or("");
            entries.push((path.to_owned(), media.to_owned()));
        }
        Ok(Self { entries })
    }

    /// The manifest's XML, as libdigidocpp writes it.
    pub fn to_xml(&self) -> String {
        let mut out = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\" ?>\n<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">\n",
        );
        for (path, media) in &self.entries {
            out.push_str(&format!(
                "<manifest:file-entry manifest:full-path=\"{}\" manifest:media-type=\"{}\"/>\n",
                escape(path),
                escape(media)
            ));
        }
        out.push_str("</manifest:manifest>\n");
        out
    }

    /// A manifest for `files` (name, media type).
    pub fn for_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut entries = vec![("/".to_owned(), MIMETYPE.to_owned())];
        entries.extend(files.into_iter().map(|(n, m)| (n.to_owned(), m.to_owned())));
        Self { entries }
    }
}

/// An opened container: its structure checked, nothing else read yet.
#[derive(Debug)]
pub struct Container {
    path: PathBuf,
    entries: Vec<Entry>,
    data_files: Vec<DataFile>,
    signatures: Vec<String>,
    manifest: Manifest,
    problems: Vec<String>,
}

/// Whether an entry name is a signature file (`META-INF/*signatures*.xml`).
pub fn is_signature_name(name: &str) -> bool {
    name.strip_prefix("META-INF/").is_some_and(|rest| {
        !rest.contains('/') && rest.contains("signatures") && rest.ends_with(".xml")
    })
}

impl Container {
    /// Opens and checks the container at `path`.
    pub fn open(path: &Path) -> Result<Self, AsicError> {
        let _span = tracing::trace_span!("verify.parse").entered();
        Self::open_with(path, &Limits::default())
    }

    /// Opens with other ZIP limits.
    pub fn open_with(path: &Path, limits: &Limits) -> Result<Self, AsicError> {
        let mut file = File::open(path).map_err(io_err(path))?;
        let len = file.metadata().map_err(io_err(path))?.len();
        let entries = zip::scan(&mut file, len, limits)?;
        let mut container = Self {
            path: path.to_owned(),
            entries,
            data_files: Vec::new(),
            signatures: Vec::new(),
            manifest: Manifest::default(),
            problems: Vec::new(),
        };
        container.check_mimetype()?;
        container.read_structure()?;
        tracing::debug!(
            entries = container.entries.len(),
            data_files = container.data_files.len(),
            signatures = container.signatures.len(),
            problems = container.problems.len(),
            "container opened"
        );
        Ok(container)
    }

    fn check_mimetype(&self) -> Result<(), AsicError> {
        let first = self.entries.iter().min_by_key(|e| e.header_offset);
        let Some(first) = first.filter(|e| e.name == "mimetype") else {
            return Err(AsicError::Mimetype(
                if self.entries.iter().any(|e| e.name == "mimetype") {
                    "the mimetype entry is not the first in the container".to_owned()
                } else {
                    "the container has no mimetype entry: it is not an ASiC-E container".to_owned()
                },
            ));
        };
        if first.method != zip::METHOD_STORED {
            return Err(AsicError::Mimetype(
                "the mimetype entry is compressed; ASiC requires it STORED".to_owned(),
            ));
        }
        if first.has_extra {
            return Err(AsicError::Mimetype(
                "the mimetype entry carries an extra field; ASiC forbids it".to_owned(),
            ));
        }
        let content = self.read_small("mimetype", 256)?;
        // A trailing line break (written by some tools) is tolerated, as libdigidocpp does.
        let trimmed = content
            .strip_suffix(b"\n")
            .map(|c| c.strip_suffix(b"\r").unwrap_or(c))
            .unwrap_or(&content);
        if trimmed != MIMETYPE.as_bytes() {
            return Err(AsicError::Mimetype(format!(
                "the mimetype is “{}”, not {MIMETYPE}: not an ASiC-E container",
                String::from_utf8_lossy(&content).escape_default()
            )));
        }
        Ok(())
    }

    fn read_structure(&mut self) -> Result<(), AsicError> {
        let manifests = self
            .entries
            .iter()
            .filter(|e| e.name.eq_ignore_ascii_case(MANIFEST))
            .count();
        if manifests == 0 {
            return Err(AsicError::Manifest(
                "the container has no META-INF/manifest.xml".to_owned(),
            ));
        }
        self.manifest = Manifest::parse(&self.read_small(MANIFEST, MAX_XML_ENTRY)?)?;
        let mut seen = BTreeSet::new();
        let mut roots = 0;
        for (path, media) in &self.manifest.entries {
            if !seen.insert(path.clone()) {
                return Err(AsicError::Manifest(format!(
                    "the manifest lists “{}” twice",
                    path.escape_default()
                )));
            }
            if path == "/" {
                roots += 1;
                if media != MIMETYPE {
                    return Err(AsicError::Manifest(format!(
                        "the manifest gives the container the media type “{}”, not {MIMETYPE}",
                        media.escape_default()
                    )));
                }
                continue;
            }
            if !path.ends_with('/') {
                zip::check_name(path).map_err(|e| {
                    AsicError::Manifest(format!("the manifest names a bad path: {e}"))
                })?;
            }
        }
        if roots != 1 {
            return Err(AsicError::Manifest(
                "the manifest has no entry for the container itself (full-path “/”)".to_owned(),
            ));
        }
        for entry in &self.entries {
            if entry.name == "mimetype" || entry.is_dir() {
                continue;
            }
            if let Some(rest) = entry.name.strip_prefix("META-INF/") {
                if is_signature_name(&entry.name) {
                    self.signatures.push(entry.name.clone());
                }
                let _ = rest;
                continue;
            }
            let media = self
                .manifest
                .entries
                .iter()
                .find(|(p, _)| *p == entry.name)
                .map(|(_, m)| m.clone());
            if media.is_none() {
                self.problems.push(format!(
                    "File '{}' found in container is not described in manifest.",
                    entry.name
                ));
            }
            self.data_files.push(DataFile {
                name: entry.name.clone(),
                media_type: media.unwrap_or_default(),
                size: entry.size,
            });
        }
        for (path, _) in &self.manifest.entries {
            if path == "/" || path.ends_with('/') {
                continue;
            }
            if !self.entries.iter().any(|e| e.name == *path) {
                self.problems.push(format!(
                    "Manifest file '{path}' is not in the container (signed data not found)."
                ));
            }
        }
        self.signatures.sort();
        Ok(())
    }

    /// The container's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The data files, in the container's order.
    pub fn data_files(&self) -> &[DataFile] {
        &self.data_files
    }

    /// The signature entries' names, sorted.
    pub fn signature_names(&self) -> &[String] {
        &self.signatures
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The ZIP entries.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Disagreements between the manifest and the entries: each makes every signature fail.
    pub fn problems(&self) -> &[String] {
        &self.problems
    }

    fn entry(&self, name: &str) -> Result<&Entry, AsicError> {
        self.entries
            .iter()
            .find(|e| e.name == name)
            .ok_or_else(|| AsicError::NoSuchFile(name.to_owned()))
    }

    /// A streamed reader of an entry's content (CRC and size checked at the end).
    pub fn open_entry(&self, name: &str) -> Result<EntryReader<BufReader<File>>, AsicError> {
        let entry = self.entry(name)?;
        let mut file = File::open(&self.path).map_err(io_err(&self.path))?;
        file.seek(SeekFrom::Start(entry.data_offset))
            .map_err(io_err(&self.path))?;
        Ok(EntryReader::new(
            BufReader::with_capacity(256 * 1024, file),
            entry,
        ))
    }

    /// An entry's content in memory, refused when larger than `max`.
    pub fn read_small(&self, name: &str, max: u64) -> Result<Vec<u8>, AsicError> {
        let entry = self.entry(name)?;
        if entry.size > max {
            return Err(AsicError::NotAllowed(format!(
                "“{name}” has {} bytes, more than the {max} Signet reads into memory",
                entry.size
            )));
        }
        let mut out = Vec::with_capacity(usize::try_from(entry.size).unwrap_or(0));
        self.open_entry(name)?
            .read_to_end(&mut out)
            .map_err(io_err(&self.path))?;
        Ok(out)
    }

    /// Extracts the data file `name` into `dir` under its base name, atomically; returns the
    /// path written. The entry name never becomes a path as it is: only its last segment.
    pub fn extract(&self, name: &str, dir: &Path) -> Result<PathBuf, AsicError> {
        if !self.data_files.iter().any(|d| d.name == name) {
            return Err(AsicError::NoSuchFile(name.to_owned()));
        }
        let base = name.rsplit('/').next().unwrap_or(name);
        zip::check_name(base)?;
        let target = dir.join(base);
        if target.exists() {
            return Err(AsicError::NotAllowed(format!(
                "{} exists already: Signet does not overwrite files when extracting",
                target.display()
            )));
        }
        let mut reader = self.open_entry(name)?;
        // Placed as new: a file created at `target` meanwhile is not overwritten either.
        write_placed(
            &target,
            Durability::Synced,
            Placement::New,
            &mut || Ok(()),
            |out| {
                io::copy(&mut reader, out)?;
                Ok(())
            },
        )?;
        Ok(target)
    }

    /// Writes a copy of this container to `out`, with the signature entries for which
    /// `keep_signature` says yes, then `extra` entries (name, content, deflate) appended.
    /// `place` says whether it may replace a file at `out` and what to check before it does.
    pub(crate) fn rewrite(
        &self,
        out: &Path,
        keep_signature: &dyn Fn(&str) -> bool,
        extra: &mut dyn FnMut(&mut ZipWriter<&mut File>) -> io::Result<()>,
        replace_manifest: Option<&Manifest>,
        now: SystemTime,
        place: (Placement, &mut dyn FnMut() -> Result<(), AsicError>),
    ) -> Result<(), AsicError> {
        let mut source = File::open(&self.path).map_err(io_err(&self.path))?;
        let (placement, before_place) = place;
        write_placed(out, Durability::Synced, placement, before_place, |file| {
            let mut writer = ZipWriter::new(file, now);
            let mut ordered: Vec<&Entry> = self.entries.iter().collect();
            ordered.sort_by_key(|e| e.header_offset);
            for entry in ordered {
                if is_signature_name(&entry.name) && !keep_signature(&entry.name) {
                    continue;
                }
                if entry.name == MANIFEST
                    && let Some(manifest) = replace_manifest
                {
                    let xml = manifest.to_xml();
                    writer.add(MANIFEST, &mut xml.as_bytes(), true, &mut |_| {})?;
                    continue;
                }
                source.seek(SeekFrom::Start(entry.data_offset))?;
                writer.copy_raw(entry, &mut BufReader::new(&mut source))?;
            }
            extra(&mut writer)?;
            writer.finish()?;
            Ok(())
        })
    }

    /// Writes this container with one more signature entry (`META-INF/signaturesN.xml`, the
    /// lowest free N) to `out` (which may be this container's path, and is replaced).
    /// Returns the entry's name.
    pub fn add_signature(
        &self,
        out: &Path,
        signature_xml: &[u8],
        now: SystemTime,
    ) -> Result<String, AsicError> {
        self.add_signature_placed(out, signature_xml, now, Placement::Replace, &mut || Ok(()))
    }

    /// [`Self::add_signature`] placed as `placement` says; `before_place` runs once the new
    /// container is written and synced, right before it is put in place (its error discards it).
    pub fn add_signature_placed(
        &self,
        out: &Path,
        signature_xml: &[u8],
        now: SystemTime,
        placement: Placement,
        before_place: &mut dyn FnMut() -> Result<(), AsicError>,
    ) -> Result<String, AsicError> {
        let name = self.next_signature_name();
        self.rewrite(
            out,
            &|_| true,
            &mut |w| {
                w.add(&name, &mut &signature_xml[..], true, &mut |_| {})
                    .map(|_| ())
            },
            None,
            now,
            (placement, before_place),
        )?;
        Ok(name)
    }

    /// The name the next signature gets.
    pub fn next_signature_name(&self) -> String {
        (0..)
            .map(|i| format!("META-INF/signatures{i}.xml"))
            .find(|n| !self.entries.iter().any(|e| e.name.eq_ignore_ascii_case(n)))
            .unwrap_or_default()
    }

    /// Writes this container without the signature entry `name` to `out`.
    pub fn remove_signature(
        &self,
        out: &Path,
        name: &str,
        now: SystemTime,
    ) -> Result<(), AsicError> {
        if !self.signatures.iter().any(|s| s == name) {
            return Err(AsicError::NoSuchFile(name.to_owned()));
        }
        self.rewrite(
            out,
            &|n| n != name,
            &mut |_| Ok(()),
            None,
            now,
            (Placement::Replace, &mut || Ok(())),
        )
    }

    /// Writes this container with more data files to `out`. Refused while it has signatures:
    /// they would no longer cover every file.
    pub fn add_files(
        &self,
        out: &Path,
        files: &[InputFile],
        now: SystemTime,
    ) -> Result<(), AsicError> {
        if !self.signatures.is_empty() {
            return Err(AsicError::NotAllowed(format!(
                "{} is signed: files cannot be added to a signed container (its signatures would not cover them). Create a new container instead.",
                self.path.display()
            )));
        }
        check_inputs(files, self.data_files.iter().map(|d| d.name.as_str()))?;
        let mut manifest = self.manifest.clone();
        for file in files {
            manifest
                .entries
                .push((file.name.clone(), file.media_type.clone()));
        }
        let mut opened = Vec::new();
        for file in files {
            opened.push(File::open(&file.path).map_err(io_err(&file.path))?);
        }
        self.rewrite(
            out,
            &|_| true,
            &mut |w| {
                for (file, handle) in files.iter().zip(opened.iter_mut()) {
                    add_data_file(w, file, handle, &mut |_| {})?;
                }
                Ok(())
            },
            Some(&manifest),
            now,
            (Placement::Replace, &mut || Ok(())),
        )
    }
}

/// A file to put into a container.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its name in the container.
    pub name: String,
    /// Its media type.
    pub media_type: String,
}

impl InputFile {
    /// A file under its base name, with the media type its extension suggests.
    pub fn from_path(path: &Path) -> Result<Self, AsicError> {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| {
                AsicError::NotAllowed(format!("{}: the file name is not UTF-8", path.display()))
            })?
            .to_owned();
        Ok(Self {
            path: path.to_owned(),
            media_type: media_type_for(&name).to_owned(),
            name,
        })
    }
}

/// The media type for a file name's extension, `application/octet-stream` when unknown.
pub fn media_type_for(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "txt" => "text/plain",
        "pdf" => "application/pdf",
        "xml" => "application/xml",
        "html" | "htm" => "text/html",
        "csv" => "text/csv",
        "json" => "application/json",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "zip" => "application/zip",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "mp4" => "video/mp4",
        "rtf" => "application/rtf",
        _ => "application/octet-stream",
    }
}

fn check_inputs<'a>(
    files: &[InputFile],
    existing: impl Iterator<Item = &'a str>,
) -> Result<(), AsicError> {
    let mut names: BTreeSet<String> = existing.map(str::to_lowercase).collect();
    if files.is_empty() {
        return Err(AsicError::NotAllowed(
            "no files to put in the container".to_owned(),
        ));
    }
    for file in files {
        zip::check_name(&file.name)?;
        if file.name == "mimetype" || file.name.starts_with("META-INF/") {
            return Err(AsicError::NotAllowed(format!(
                "“{}” is a name the container reserves for itself",
                file.name
            )));
        }
        if !names.insert(file.name.to_lowercase()) {
            return Err(AsicError::NotAllowed(format!(
                "two files are named “{}”: rename one",
                file.name
            )));
        }
    }
    Ok(())
}

fn add_data_file(
    w: &mut ZipWriter<&mut File>,
    file: &InputFile,
    handle: &mut File,
    tap: &mut dyn FnMut(&[u8]),
) -> io::Result<u64> {
    let mut reader = BufReader::with_capacity(256 * 1024, handle);
    let mut first = vec![0u8; 64 * 1024];
    let mut filled = 0;
    while filled < first.len() {
        let n = reader.read(&mut first[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    first.truncate(filled);
    let deflate = zip::worth_deflating(&file.name, &first);
    let mut chained = (&first[..]).chain(reader);
    w.add(&file.name, &mut chained, deflate, tap)
}

/// A data file's digest, computed while it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigest {
    /// Its name in the container.
    pub name: String,
    /// Its media type.
    pub media_type: String,
    /// SHA-256 of its content.
    pub sha256: Vec<u8>,
}

/// Makes the signature XML from the data files' digests (`None`: leave the container unsigned).
pub type SignFn<'a> = dyn FnMut(&[FileDigest]) -> Result<Option<Vec<u8>>, String> + 'a;

/// Creates a new container at `out` with `files`: mimetype, the files (each hashed as it is
/// written), the manifest, then the signature `sign` makes from the digests (none when it
/// returns `None`). Nothing appears at `out` unless everything succeeded; a file at `out` is
/// replaced ([`create_placed`] to refuse that).
pub fn create(
    out: &Path,
    files: &[InputFile],
    now: SystemTime,
    sign: &mut SignFn<'_>,
) -> Result<(), AsicError> {
    create_with(out, files, now, sign, Durability::Synced)
}

/// [`create`] with a choice of [`Durability`].
pub fn create_with(
    out: &Path,
    files: &[InputFile],
    now: SystemTime,
    sign: &mut SignFn<'_>,
    durability: Durability,
) -> Result<(), AsicError> {
    let handles = open_inputs(files)?;
    write_placed(
        out,
        durability,
        Placement::Replace,
        &mut || Ok(()),
        |target| write_new(target, files, handles, now, sign),
    )
}

/// [`create`], placed as `placement` says: with [`Placement::New`] a file at `out` (even one
/// created while the container was written) is never replaced.
pub fn create_placed(
    out: &Path,
    files: &[InputFile],
    now: SystemTime,
    sign: &mut SignFn<'_>,
    placement: Placement,
) -> Result<(), AsicError> {
    let handles = open_inputs(files)?;
    write_placed(
        out,
        Durability::Synced,
        placement,
        &mut || Ok(()),
        |target| write_new(target, files, handles, now, sign),
    )
}

fn open_inputs(files: &[InputFile]) -> Result<Vec<File>, AsicError> {
    check_inputs(files, std::iter::empty())?;
    files
        .iter()
        .map(|file| File::open(&file.path).map_err(io_err(&file.path)))
        .collect()
}

fn write_new(
    target: &mut File,
    files: &[InputFile],
    mut handles: Vec<File>,
    now: SystemTime,
    sign: &mut SignFn<'_>,
) -> io::Result<()> {
    use sha2::Digest as _;
    let mut w = ZipWriter::new(target, now);
    w.add("mimetype", &mut MIMETYPE.as_bytes(), false, &mut |_| {})?;
    let mut digests = Vec::new();
    for (file, handle) in files.iter().zip(handles.iter_mut()) {
        let mut hasher = sha2::Sha256::new();
        add_data_file(&mut w, file, handle, &mut |b| hasher.update(b))?;
        digests.push(FileDigest {
            name: file.name.clone(),
            media_type: file.media_type.clone(),
            sha256: hasher.finalize().to_vec(),
        });
    }
    let manifest = Manifest::for_files(
        files
            .iter()
            .map(|f| (f.name.as_str(), f.media_type.as_str())),
    );
    w.add(
        MANIFEST,
        &mut manifest.to_xml().as_bytes(),
        true,
        &mut |_| {},
    )?;
    if let Some(xml) = sign(&digests).map_err(io::Error::other)? {
        w.add("META-INF/signatures0.xml", &mut &xml[..], true, &mut |_| {})?;
    }
    w.finish()?;
    Ok(())
}

/// [`create`] for a batch: the same container, written to a temporary file in `out`'s folder
/// and left pending; [`commit`] the batch to make it durable and put it in place (never over
/// an existing file).
pub fn create_pending(
    out: &Path,
    files: &[InputFile],
    now: SystemTime,
    sign: &mut SignFn<'_>,
) -> Result<Pending, AsicError> {
    let handles = open_inputs(files)?;
    let mut temp = temp_next_to(out)?;
    write_new(temp.as_file_mut(), files, handles, now, sign).map_err(io_err(out))?;
    temp.as_file_mut().flush().map_err(io_err(out))?;
    Ok(Pending {
        temp,
        out: out.to_owned(),
        placement: Placement::New,
    })
}
