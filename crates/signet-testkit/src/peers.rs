//! The independent judges the tests compare Signet with: the Python peers (pyHanko, pydigidoc)
//! that `cargo xtask setup`/`test` installs into `target/peers/venv`, and the Debian tools.

use std::path::PathBuf;

/// The peers' virtual environment: `$SIGNET_PEERS_VENV`, or `target/peers/venv` in the
/// workspace.
pub fn venv() -> PathBuf {
    std::env::var_os("SIGNET_PEERS_VENV").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../target/peers/venv"
            ))
        },
        PathBuf::from,
    )
}

/// A program of the peers' environment (`python`, `pyhanko`), or an error that says how to
/// install it.
pub fn venv_program(name: &str) -> Result<PathBuf, crate::TestkitError> {
    let path = venv().join("bin").join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(crate::TestkitError::Key(format!(
            "{} is missing: run `cargo xtask setup` (it installs tests/peers/requirements.txt)",
            path.display()
        )))
    }
}
