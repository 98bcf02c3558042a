//! What you see is what you sign (issue 13): an input is compared, right before its signed
//! result is put in place, with what was read of it, and a signed result never replaces an
//! existing file unless the caller says so.
//!
//! - [`InputSeen`]: an input's file as it was when it was chosen (device, inode, size,
//!   modification and change times), taken before its bytes are read and before any PIN. A
//!   PDF is then compared byte for byte with the bytes that were signed; a file streamed into
//!   an ASiC-E container (too large to keep in memory) by these facts, while what went into
//!   the container is hashed as it is written.
//! - [`write_atomically`]: a temporary file next to the target, synced, renamed; with
//!   [`Placement::New`] through `renameat2(RENAME_NOREPLACE)` (or `link()`+`unlink()`), so a
//!   file created by someone else after the check is not overwritten either.

use std::fs::File;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use signet_core::Code;

pub use signet_asic::place::Placement;

use crate::ApiError;

/// An input file as it was when it was chosen: what tells a later change of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSeen {
    path: PathBuf,
    facts: Option<Facts>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Facts {
    len: u64,
    #[cfg(unix)]
    identity: (u64, u64, i64, i64, i64, i64),
    #[cfg(not(unix))]
    modified: Option<std::time::SystemTime>,
}

fn facts(path: &Path) -> Option<Facts> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        Some(Facts {
            len: meta.len(),
            identity: (
                meta.dev(),
                meta.ino(),
                meta.mtime(),
                meta.mtime_nsec(),
                meta.ctime(),
                meta.ctime_nsec(),
            ),
        })
    }
    #[cfg(not(unix))]
    {
        Some(Facts {
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

impl InputSeen {
    /// The file at `path` as it is now (take it before reading the file and before any PIN).
    pub fn of(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            facts: facts(path),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file is still the same file with the same size and times: a write, a
    /// truncation or a replacement since changes them (the times to the file system's clock
    /// granularity).
    pub fn unchanged(&self) -> bool {
        self.facts.is_some() && facts(&self.path) == self.facts
    }

    /// `Ok` when the file on disk holds exactly `bytes` (what was read and signed); otherwise
    /// the [`ApiError::input_changed`] error.
    pub fn holds(&self, bytes: &[u8]) -> Result<(), ApiError> {
        if same_content(&self.path, bytes) {
            Ok(())
        } else {
            Err(ApiError::input_changed(&self.path))
        }
    }
}

/// Whether the file at `path` holds exactly `bytes`, compared while streaming.
fn same_content(path: &Path, bytes: &[u8]) -> bool {
    let Ok(mut file) = File::open(path) else {
        return false;
    };
    if file.metadata().map(|m| m.len()).ok() != Some(bytes.len() as u64) {
        return false;
    }
    let mut buf = vec![0u8; 1 << 20];
    let mut at = 0;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => return at == bytes.len(),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        };
        if bytes.get(at..at + n) != Some(&buf[..n]) {
            return false;
        }
        at += n;
    }
}

impl ApiError {
    /// An input changed on disk between the moment Signet read it and the moment the signed
    /// result would have been written; nothing was written.
    pub fn input_changed(path: &Path) -> Self {
        Self::new(
            Code::InputChanged,
            format!(
                "{} changed on disk while it was being signed; nothing was written",
                path.display()
            ),
        )
        .recommend(
            "Check that it is the file you mean to sign (and that no other program is changing it), then sign it again.",
        )
        .keyed(crate::MessageKey::InputChanged)
        .param("file", path.display())
    }

    /// The container (or file) at `path` is no longer the one the person verified: its digest
    /// differs from the verified one. Nothing is asked, nothing is signed.
    pub fn changed_since_verified(path: &Path) -> Self {
        Self::new(
            Code::InputChanged,
            format!(
                "{} is no longer the file you verified; nothing was signed",
                path.display()
            ),
        )
        .recommend(
            "Verify it again and check that it holds what you mean to sign before adding your signature.",
        )
        .keyed(crate::MessageKey::ChangedSinceVerified)
        .param("file", path.display())
    }

    /// The file at `path` changed on disk while it was verified: no verdict is given on it.
    pub fn changed_while_verified(path: &Path) -> Self {
        Self::new(
            Code::InputChanged,
            format!(
                "{} changed on disk while it was being verified",
                path.display()
            ),
        )
        .recommend("Verify it again once no other program is changing it.")
        .keyed(crate::MessageKey::ChangedWhileVerified)
        .param("file", path.display())
    }

    /// A new output would replace an existing file.
    pub fn output_exists(path: &Path) -> Self {
        Self::new(
            Code::InvalidInput,
            format!(
                "{} exists already: Signet does not replace it",
                path.display()
            ),
        )
        .recommend("Choose another output name, or give --force to replace it.")
        .keyed(crate::MessageKey::OutputExists)
        .param("file", path.display())
    }
}

/// Writes `path` atomically: a temporary file in the same folder, synced, renamed. With
/// [`Placement::New`] an existing file (even one created meanwhile) is never replaced: the
/// error is [`ApiError::output_exists`] and nothing is left behind.
pub fn write_atomically(
    path: &Path,
    placement: Placement,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<(), ApiError> {
    signet_asic::place::write_placed(
        path,
        signet_asic::place::Durability::Synced,
        placement,
        &mut || Ok(()),
        |f| {
            write(f)?;
            f.flush()
        },
    )
    .map_err(|e| write_error(path, e))
}

/// The name `name` with `-N` before its extension (`deed.pdf` → `deed-2.pdf`; `notes` →
/// `notes-2`; a leading dot is part of the stem: `.profile` → `.profile-2`).
fn numbered(name: &str, n: u32) -> String {
    match name.rfind('.').filter(|&i| i > 0) {
        Some(i) => format!("{}-{n}{}", &name[..i], &name[i..]),
        None => format!("{name}-{n}"),
    }
}

/// Writes a new file called `name` in `dir` atomically, or — when that name is taken — the
/// first free of `STEM-2.EXT`, `STEM-3.EXT` …; a file is never replaced, not even one created
/// meanwhile by someone else (the next number is tried then). `write` may be called again for
/// another name. Returns the file written.
pub fn write_numbered(
    dir: &Path,
    name: &str,
    write: &mut dyn FnMut(&mut File) -> std::io::Result<()>,
) -> Result<PathBuf, ApiError> {
    for n in 1..1000 {
        let out = if n == 1 {
            dir.join(name)
        } else {
            dir.join(numbered(name, n))
        };
        if out.exists() {
            continue;
        }
        match write_atomically(&out, Placement::New, &mut *write) {
            Ok(()) => return Ok(out),
            // Taken between the look and the rename: the next number.
            Err(err) if err.code == Code::InvalidInput && out.exists() => continue,
            Err(err) => return Err(err),
        }
    }
    Err(ApiError::new(
        Code::Io,
        format!("no free name for {name} in {}", dir.display()),
    )
    .recommend("Choose another folder, or move the earlier copies away."))
}

/// The error for a container or file that could not be put at `path`.
pub(crate) fn write_error(path: &Path, e: signet_asic::AsicError) -> ApiError {
    match e {
        signet_asic::AsicError::Io { source, .. }
            if source.kind() == std::io::ErrorKind::AlreadyExists =>
        {
            ApiError::output_exists(path)
        }
        signet_asic::AsicError::InputChanged(input) => ApiError::input_changed(&input),
        e => ApiError::new(Code::Io, format!("cannot write {}: {e}", path.display()))
            .recommend("Check that the folder exists and is writable, and that the disk has room."),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn a_file_rewritten_with_the_same_length_is_seen_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, b"pay 100").unwrap();
        let seen = InputSeen::of(&path);
        assert!(seen.unchanged());
        assert!(seen.holds(b"pay 100").is_ok());
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&path, b"pay 900").unwrap();
        assert!(!seen.unchanged());
        let err = seen.holds(b"pay 100").unwrap_err();
        assert_eq!(err.code, Code::InputChanged);
        assert!(
            err.message
                .ends_with("a.txt changed on disk while it was being signed; nothing was written")
        );
        std::fs::remove_file(&path).unwrap();
        assert!(!InputSeen::of(&path).unchanged());
    }

    #[test]
    fn a_new_output_never_replaces_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.pdf");
        std::fs::write(&path, b"theirs").unwrap();
        let err = write_atomically(&path, Placement::New, |f| f.write_all(b"mine")).unwrap_err();
        assert_eq!(err, ApiError::output_exists(&path));
        assert_eq!(std::fs::read(&path).unwrap(), b"theirs");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        write_atomically(&path, Placement::Replace, |f| f.write_all(b"mine")).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"mine");
    }

    #[test]
    fn a_taken_name_is_numbered_and_nothing_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("deed.verification.pdf"), b"theirs").unwrap();
        std::fs::write(dir.path().join("deed.verification-2.pdf"), b"theirs too").unwrap();
        let mut write = |f: &mut File| f.write_all(b"mine");
        let out = write_numbered(dir.path(), "deed.verification.pdf", &mut write).unwrap();
        assert_eq!(out, dir.path().join("deed.verification-3.pdf"));
        assert_eq!(std::fs::read(&out).unwrap(), b"mine");
        assert_eq!(
            std::fs::read(dir.path().join("deed.verification.pdf")).unwrap(),
            b"theirs"
        );
        let again = write_numbered(dir.path(), "notes", &mut write).unwrap();
        assert_eq!(again, dir.path().join("notes"));
        let third = write_numbered(dir.path(), "notes", &mut write).unwrap();
        assert_eq!(third, dir.path().join("notes-2"));
        assert_eq!(numbered(".profile", 2), ".profile-2");
    }
}
