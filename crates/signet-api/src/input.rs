//! What an input file is, by its content: its name is only a hint, and a name that claims a
//! format the content does not have is refused rather than followed.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use signet_core::Code;

use crate::ApiError;

/// What a file is, by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `%PDF-` within the first kilobyte (where PDF readers look for it).
    Pdf,
    /// A ZIP archive (`PK\x03\x04` first): an ASiC container when it is one.
    Zip,
    /// Anything else.
    Other,
}

/// The extensions of ASiC containers, which are ZIP archives.
const CONTAINER_EXTENSIONS: &[&str] = &["asice", "sce", "bdoc", "asics", "scs", "edoc", "adoc"];

impl FileKind {
    /// What a file starting with `head` is (the first kilobyte is enough).
    pub fn of_bytes(head: &[u8]) -> Self {
        let head = &head[..head.len().min(1024)];
        // A ZIP's first local header is at offset 0; a container may store a PDF (whose header
        // then appears within the first kilobyte), and must still be read as a container.
        if head.starts_with(b"PK\x03\x04") {
            Self::Zip
        } else if head.windows(5).any(|w| w == b"%PDF-") {
            Self::Pdf
        } else {
            Self::Other
        }
    }

    /// What the file's name claims it is: `.pdf` a PDF, `.asice`, `.bdoc` and the other ASiC
    /// extensions a container (ZIP); nothing for other names.
    pub fn claimed_by(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        if ext == "pdf" {
            Some(Self::Pdf)
        } else if CONTAINER_EXTENSIONS.contains(&ext.as_str()) {
            Some(Self::Zip)
        } else {
            None
        }
    }
}

/// Reads the first kilobyte of `path` and says what it is. A file that cannot be read gives the
/// same error whatever its name claims: `FILE_NOT_FOUND` when it does not exist, `IO` otherwise
/// (a folder, no permission). A file named `.pdf` that is not a PDF is refused (`INVALID_INPUT`,
/// "not a PDF"), never taken for something else.
pub fn file_kind(path: &Path) -> Result<FileKind, ApiError> {
    let mut head = Vec::with_capacity(1024);
    std::fs::File::open(path)
        .and_then(|file| file.take(1024).read_to_end(&mut head))
        .map_err(|err| unreadable(path, &err))?;
    let kind = FileKind::of_bytes(&head);
    if FileKind::claimed_by(path) == Some(FileKind::Pdf) && kind != FileKind::Pdf {
        return Err(not_a_pdf(path));
    }
    Ok(kind)
}

/// The refusal of a file named `.pdf` whose content is not a PDF.
pub fn not_a_pdf(path: &Path) -> ApiError {
    ApiError::new(
        Code::InvalidInput,
        format!(
            "{} is not a PDF: its name ends in .pdf, but it does not start as a PDF does (no %PDF- header in its first kilobyte)",
            path.display()
        ),
    )
    .recommend("Check that it is the file you meant. Signet does not sign it, or put it into a container, under a PDF's name.")
    .keyed(crate::MessageKey::NotAPdf)
    .param("file", path.display())
}

/// The error for an input that cannot be read, the same whatever its name claims:
/// `FILE_NOT_FOUND` ("X does not exist") or `IO` ("X cannot be read: …").
pub fn unreadable(path: &Path, err: &std::io::Error) -> ApiError {
    match err.kind() {
        std::io::ErrorKind::NotFound => ApiError::new(
            Code::FileNotFound,
            format!("{} does not exist", path.display()),
        )
        .recommend("Check that the file exists and the name is spelled right.")
        .keyed(crate::MessageKey::FileNotFound)
        .param("file", path.display()),
        _ => ApiError::new(
            Code::Io,
            format!("{} cannot be read: {err}", path.display()),
        )
        .recommend(
            "Check that it is a file, not a folder, and that you may read it. Nothing was changed.",
        )
        .keyed(crate::MessageKey::FileUnreadable)
        .param("file", path.display()),
    }
}

/// The screen a file goes to when it is dropped on the window (or opened with Signet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Destination {
    /// A file to sign: a PDF without a signature, any other file.
    Sign,
    /// A signed file: a PDF carrying a signature, an ASiC container.
    Verify,
    /// A folder: its files are signed as a batch.
    Batch,
}

/// A file and where it goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Routed {
    /// The path, as given.
    pub path: String,
    /// Where it goes.
    pub destination: Destination,
}

/// Where the file at `path` goes, by its content ([`file_kind`]): a folder to Batch; a PDF
/// that carries a signature (a signature dictionary or `/ByteRange`), or a ZIP that is an ASiC
/// container (or is named like one: verifying it then says what is wrong), to Verify;
/// anything else, a ZIP that is no container (an office document) included, to Sign.
pub fn destination(path: &Path) -> Result<Destination, ApiError> {
    if path.is_dir() {
        return Ok(Destination::Batch);
    }
    Ok(match file_kind(path)? {
        FileKind::Pdf => {
            let bytes = std::fs::read(path).map_err(|e| unreadable(path, &e))?;
            if signet_pdf::normalise::looks_signed(&bytes) {
                Destination::Verify
            } else {
                Destination::Sign
            }
        }
        FileKind::Zip
            if FileKind::claimed_by(path) == Some(FileKind::Zip)
                || signet_asic::asics::is_asics(path)
                || signet_asic::Container::open(path).is_ok() =>
        {
            Destination::Verify
        }
        FileKind::Zip | FileKind::Other => Destination::Sign,
    })
}

/// [`destination`] of every path, in order; the first that cannot be read is the error.
pub fn route(paths: &[PathBuf]) -> Result<Vec<Routed>, ApiError> {
    paths
        .iter()
        .map(|p| {
            Ok(Routed {
                path: p.display().to_string(),
                destination: destination(p)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_container_storing_a_pdf_is_a_container() {
        let mut zip = b"PK\x03\x04\x14\x00\x00\x00\x00\x00mimetypeapplication/vnd.etsi.asic-s+zipPK\x03\x04contract.pdf%PDF-1.7\n".to_vec();
        zip.resize(900, 0);
        assert_eq!(super::FileKind::of_bytes(&zip), super::FileKind::Zip);
        assert_eq!(
            super::FileKind::of_bytes(b"\n%PDF-1.7\n"),
            super::FileKind::Pdf
        );
    }

    use super::*;

    #[test]
    fn the_content_decides_and_the_name_is_only_a_hint() {
        assert_eq!(FileKind::of_bytes(b"%PDF-1.7\n"), FileKind::Pdf);
        assert_eq!(FileKind::of_bytes(b"junk\n%PDF-1.4"), FileKind::Pdf);
        assert_eq!(FileKind::of_bytes(b"PK\x03\x04mimetype"), FileKind::Zip);
        assert_eq!(FileKind::of_bytes(b"hello"), FileKind::Other);
        let mut late = vec![b' '; 1024];
        late.extend_from_slice(b"%PDF-1.7");
        assert_eq!(FileKind::of_bytes(&late), FileKind::Other);
        assert_eq!(
            FileKind::claimed_by(Path::new("a.PDF")),
            Some(FileKind::Pdf)
        );
        assert_eq!(
            FileKind::claimed_by(Path::new("a.bdoc")),
            Some(FileKind::Zip)
        );
        assert_eq!(FileKind::claimed_by(Path::new("a.txt")), None);
    }

    #[test]
    fn a_file_named_pdf_that_is_not_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("contract.pdf");
        std::fs::write(&fake, b"hello").unwrap();
        let err = file_kind(&fake).unwrap_err();
        assert_eq!(err.code, Code::InvalidInput);
        assert!(err.message.contains("is not a PDF"), "{err}");
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, b"hello").unwrap();
        assert_eq!(file_kind(&text).unwrap(), FileKind::Other);
    }

    #[test]
    fn an_unreadable_file_is_the_same_error_whatever_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let errors: Vec<ApiError> = ["a.pdf", "a.asice", "a.txt"]
            .iter()
            .map(|name| {
                let folder = dir.path().join(name);
                std::fs::create_dir(&folder).unwrap();
                file_kind(&folder).unwrap_err()
            })
            .collect();
        for err in &errors {
            assert_eq!(err.code, Code::Io, "{err}");
            assert!(err.message.contains("cannot be read"), "{err}");
        }
        let missing = file_kind(&dir.path().join("missing.pdf")).unwrap_err();
        assert_eq!(missing.code, Code::FileNotFound);
        assert!(missing.message.ends_with("does not exist"), "{missing}");
    }

    #[test]
    fn files_are_routed_by_their_content() {
        let dir = tempfile::tempdir().unwrap();
        let unsigned = dir.path().join("contract.pdf");
        std::fs::write(&unsigned, signet_testkit::pdf::one_page_pdf("a")).unwrap();
        let signed = dir.path().join("signed.pdf");
        let mut bytes = signet_testkit::pdf::one_page_pdf("b");
        bytes.extend_from_slice(b"1 0 obj << /Type /Sig /ByteRange [0 1 2 3] >> endobj\n");
        std::fs::write(&signed, bytes).unwrap();
        let container = dir.path().join("deed.asice");
        std::fs::write(&container, b"PK\x03\x04 not much of a container").unwrap();
        // A ZIP that is not a container (an office document) is a file to sign.
        let office = dir.path().join("letter.docx");
        std::fs::write(&office, b"PK\x03\x04 word/document.xml").unwrap();
        // The name is only a hint: a container under another name is still a file to sign
        // unless its content is a container.
        let text = dir.path().join("notes.asice.txt");
        std::fs::write(&text, b"hello").unwrap();
        let folder = dir.path().join("deeds");
        std::fs::create_dir(&folder).unwrap();
        let routed = route(&[unsigned.clone(), signed, container, office, text, folder]).unwrap();
        let got: Vec<Destination> = routed.iter().map(|r| r.destination).collect();
        assert_eq!(
            got,
            [
                Destination::Sign,
                Destination::Verify,
                Destination::Verify,
                Destination::Sign,
                Destination::Sign,
                Destination::Batch
            ]
        );
        assert_eq!(routed[0].path, unsigned.display().to_string());
        let missing = route(&[dir.path().join("gone.pdf")]).unwrap_err();
        assert_eq!(missing.code, Code::FileNotFound);
    }
}
