//! Writing a signed PDF atomically and durably without a second copy in memory: the bytes that
//! were read and hashed (never the input file read again) are written into a temporary file
//! next to the output and flushed to disk on a thread of their own while the document is hashed
//! and signed; the new revision is then appended, the file synced once more, and put in place
//! without replacing an existing file (`link()`, which fails when the name exists, then the
//! temporary name removed).

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

/// A copy of the original under way.
#[derive(Debug)]
pub struct DurableCopy {
    handle: Option<JoinHandle<std::io::Result<File>>>,
    tmp: PathBuf,
    output: PathBuf,
}

impl DurableCopy {
    /// Starts writing `original` (the bytes read, which are hashed and signed) to a temporary
    /// file in `output`'s folder, and flushing it.
    pub fn start(original: Arc<Vec<u8>>, output: &Path) -> Self {
        let dir = output
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.signet-tmp-{}", std::process::id()));
        let to = tmp.clone();
        let handle = std::thread::spawn(move || -> std::io::Result<File> {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&to)?;
            file.write_all(&original)?;
            file.sync_data()?;
            Ok(file)
        });
        Self {
            handle: Some(handle),
            tmp,
            output: output.to_owned(),
        }
    }

    /// Appends `appended` (the new revisions), syncs, and puts the file in place. An existing
    /// output (even one created meanwhile) is never replaced: the error is
    /// [`std::io::ErrorKind::AlreadyExists`] and the temporary file is removed.
    pub fn finish(mut self, appended: &[u8]) -> std::io::Result<()> {
        let result = self.complete(appended);
        let _ = std::fs::remove_file(&self.tmp);
        result
    }

    fn complete(&mut self, appended: &[u8]) -> std::io::Result<()> {
        let handle = self
            .handle
            .take()
            .ok_or_else(|| std::io::Error::other("the copy was already finished"))?;
        let mut file = handle
            .join()
            .map_err(|_| std::io::Error::other("the copying thread panicked"))??;
        file.write_all(appended)?;
        file.sync_all()?;
        drop(file);
        std::fs::hard_link(&self.tmp, &self.output)?;
        if let Some(dir) = self.output.parent().filter(|p| !p.as_os_str().is_empty())
            && let Ok(d) = File::open(dir)
        {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

impl Drop for DurableCopy {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn the_bytes_given_are_written_and_an_existing_output_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.pdf");
        std::fs::write(&input, b"%PDF- as read").unwrap();
        let read = Arc::new(std::fs::read(&input).unwrap());
        // The input changes after it was read: the output still holds what was read.
        std::fs::write(&input, b"%PDF- swapped").unwrap();
        let out = dir.path().join("out.pdf");
        DurableCopy::start(read.clone(), &out)
            .finish(b" + revision")
            .unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"%PDF- as read + revision");
        let err = DurableCopy::start(read, &out)
            .finish(b" + again")
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&out).unwrap(), b"%PDF- as read + revision");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
