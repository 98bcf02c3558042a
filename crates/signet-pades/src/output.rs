//! Writing a signed PDF atomically and durably without a second copy in memory: the original
//! bytes are copied by the kernel (`copy_file_range`) into a temporary file next to the output
//! and flushed to disk on a thread of their own while the document is hashed and signed; the
//! new revision is then appended, the file synced once more, and renamed over the output.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

/// A copy of the original under way.
#[derive(Debug)]
pub struct DurableCopy {
    handle: Option<JoinHandle<std::io::Result<File>>>,
    tmp: PathBuf,
    output: PathBuf,
}

impl DurableCopy {
    /// Starts copying `input` to a temporary file in `output`'s folder, and flushing it.
    pub fn start(input: &Path, output: &Path) -> Self {
        let dir = output
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.signet-tmp-{}", std::process::id()));
        let (from, to) = (input.to_owned(), tmp.clone());
        let handle = std::thread::spawn(move || -> std::io::Result<File> {
            std::fs::copy(&from, &to)?;
            let file = std::fs::OpenOptions::new().append(true).open(&to)?;
            file.sync_data()?;
            Ok(file)
        });
        Self {
            handle: Some(handle),
            tmp,
            output: output.to_owned(),
        }
    }

    /// Appends `appended` (the new revisions), syncs, and renames into place. The copied
    /// original must still be `expected_len` bytes long (the input did not change meanwhile).
    pub fn finish(mut self, appended: &[u8], expected_len: u64) -> std::io::Result<()> {
        let result = self.complete(appended, expected_len);
        if result.is_err() {
            let _ = std::fs::remove_file(&self.tmp);
        }
        result
    }

    fn complete(&mut self, appended: &[u8], expected_len: u64) -> std::io::Result<()> {
        let handle = self
            .handle
            .take()
            .ok_or_else(|| std::io::Error::other("the copy was already finished"))?;
        let mut file = handle
            .join()
            .map_err(|_| std::io::Error::other("the copying thread panicked"))??;
        if file.metadata()?.len() != expected_len {
            return Err(std::io::Error::other(
                "the input changed while it was being signed",
            ));
        }
        file.write_all(appended)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&self.tmp, &self.output)?;
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
