//! Moving the vault to another computer: an export file encrypted under a passphrase the person
//! chooses, and its import.
//!
//! The export is one file: a short text head (the format, the Argon2id cost and salt), a blank
//! line, then a SQLCipher database keyed with the key Argon2id derives from the passphrase. It
//! holds everything the vault keeps except the sessions with agency nodes (bearer tokens of this
//! computer). Nothing in it is readable without the passphrase.
//!
//! An import replaces what the vault keeps (its sessions and its write generation excepted) with
//! the export's, in one durable transaction: a wrong passphrase or a damaged file changes
//! nothing. An export made by an older Signet imports column by column (the columns both know).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use rusqlite::OptionalExtension as _;

use crate::key::SALT_LEN;
use crate::key::VaultKey;
use crate::passphrase::{derive_key, hex, unhex};
use crate::schema::SCHEMA_VERSION;
use crate::vault::{Durability, Vault, key_pragma};
use crate::{Argon2Cost, Passphrase, VaultError};

const HEAD: &str = "signet-vault-export 1";

/// Tables that stay with this computer.
const KEPT_HERE: &[&str] = &["meta", "sessions"];
/// The evidence against agencies' logs: an import adds the export's to this computer's and
/// replaces none. Replacing checkpoints with an older export's would move each log's
/// anti-rollback point back (a rewrite between the two sizes would go unseen), and replacing
/// alarms would drop evidence kept until dismissed.
const MERGED: &[&str] = &["checkpoints", "alarms"];

/// What an import brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// Records imported, all tables together.
    pub records: u64,
    /// The export's checkpoints whose root differs from this computer's for the same log and
    /// size: evidence that the log showed the two computers different histories. This
    /// computer's are kept; the caller judges the two signed notes.
    pub conflicts: Vec<CheckpointConflict>,
}

/// Two checkpoints of one log for the same size with different roots, one from each computer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointConflict {
    /// The log.
    pub log: String,
    /// The tree size both claim.
    pub tree_size: u64,
    /// This computer's signed note, as received.
    pub ours: Vec<u8>,
    /// The export's signed note, as received.
    pub theirs: Vec<u8>,
}

fn bad_file(path: &Path, reason: impl Into<String>) -> VaultError {
    VaultError::InvalidInput {
        what: "the export file",
        reason: format!("{}: {}", path.display(), reason.into()),
    }
}

/// A private temporary file beside `path`, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn beside(path: &Path) -> Result<Self, VaultError> {
        let mut name = [0u8; 8];
        getrandom::fill(&mut name).map_err(|e| VaultError::InvalidInput {
            what: "randomness",
            reason: e.to_string(),
        })?;
        let dir = path.parent().unwrap_or_else(|| Path::new("."));
        Ok(Self(
            dir.join(format!(".signet-transfer-{}.tmp", hex(&name))),
        ))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let mut name = self.0.as_os_str().to_owned();
            name.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(name));
        }
    }
}

/// Opens the export database at `db` with `key` on a connection of its own and checks every
/// page; its schema version.
fn check_export(db: &Path, key: &VaultKey, file: &Path) -> Result<u32, VaultError> {
    let wrong = || VaultError::InvalidInput {
        what: "the passphrase",
        reason: "it does not open this export (or the file is damaged)".into(),
    };
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(&key_pragma("key", key))?;
    let readable = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    });
    match readable {
        Ok(_) => {}
        Err(err) if err.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {
            return Err(wrong());
        }
        Err(err) => return Err(err.into()),
    }
    let rows: Vec<String> = conn
        .prepare("PRAGMA integrity_check")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()
        .map_err(|_| wrong())?;
    if rows != ["ok"] {
        return Err(bad_file(file, "it is damaged"));
    }
    let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version == 0 {
        return Err(bad_file(file, "it holds no vault"));
    }
    Ok(version)
}

impl Vault {
    /// Writes an export of the vault to `out`, which must not exist (it is never replaced),
    /// encrypted under `passphrase` (Argon2id at `cost`, a fresh salt).
    pub fn export(
        &self,
        out: &Path,
        passphrase: &Passphrase,
        cost: Argon2Cost,
    ) -> Result<(), VaultError> {
        if out.exists() {
            return Err(bad_file(out, "it exists already: choose another name"));
        }
        let mut salt = [0u8; SALT_LEN];
        getrandom::fill(&mut salt).map_err(|e| VaultError::InvalidInput {
            what: "randomness",
            reason: e.to_string(),
        })?;
        let key = derive_key(passphrase, cost, salt).map_err(|e| bad_file(out, e))?;
        let db = Scratch::beside(out)?;
        // Made here: the vault's connection, opened without the right to create files, cannot
        // make it (an empty file is a new database to SQLCipher).
        std::fs::File::create_new(&db.0).map_err(|e| VaultError::io("create", &db.0, e))?;
        self.conn.execute(
            "ATTACH DATABASE ?1 AS export KEY ?2",
            rusqlite::params![db.0.to_string_lossy(), key.sqlcipher_literal().as_str()],
        )?;
        let copied = (|| -> Result<(), VaultError> {
            self.conn
                .query_row("SELECT sqlcipher_export('export')", [], |_| Ok(()))?;
            self.conn.execute_batch(&format!(
                "PRAGMA export.user_version = {};",
                crate::schema::version(&self.conn)?
            ))?;
            // This computer's sessions stay here; zeroed as they go, so that no bearer token
            // is left in the export's free pages.
            self.conn
                .execute_batch("PRAGMA export.secure_delete = ON;")?;
            self.conn.execute("DELETE FROM export.sessions", [])?;
            Ok(())
        })();
        self.conn.execute_batch("DETACH DATABASE export;")?;
        copied?;
        let body = std::fs::read(&db.0).map_err(|e| VaultError::io("read", &db.0, e))?;
        let mut file = format!(
            "{HEAD}\nargon2id {} {} {}\nsalt {}\n\n",
            cost.memory_kib,
            cost.iterations,
            cost.parallelism,
            hex(&salt)
        )
        .into_bytes();
        file.extend_from_slice(&body);
        // Written beside, synced, then linked into place: `out` appears whole or not at all,
        // and a file created there meanwhile is never replaced.
        let written = Scratch::beside(out)?;
        let mut f = std::fs::File::create_new(&written.0)
            .map_err(|e| VaultError::io("create", &written.0, e))?;
        f.write_all(&file)
            .and_then(|()| f.sync_all())
            .map_err(|e| VaultError::io("write", &written.0, e))?;
        std::fs::hard_link(&written.0, out).map_err(|e| VaultError::io("create", out, e))?;
        if let Some(dir) = out.parent()
            && let Ok(dir) = std::fs::File::open(dir)
        {
            let _ = dir.sync_all();
        }
        tracing::info!("vault exported");
        Ok(())
    }

    /// Replaces what the vault keeps (sessions excepted) with the export `file`'s, opened with
    /// `passphrase`. A wrong passphrase, a damaged file or one from a newer Signet changes
    /// nothing.
    pub fn import(&mut self, file: &Path, passphrase: &Passphrase) -> Result<Imported, VaultError> {
        let bytes = std::fs::read(file).map_err(|e| VaultError::io("read", file, e))?;
        let split = bytes
            .windows(2)
            .position(|w| w == b"\n\n")
            .ok_or_else(|| bad_file(file, "it is not a Signet vault export"))?;
        let head = std::str::from_utf8(&bytes[..split])
            .map_err(|_| bad_file(file, "it is not a Signet vault export"))?;
        let mut lines = head.lines();
        if lines.next() != Some(HEAD) {
            return Err(bad_file(file, "it is not a Signet vault export"));
        }
        let (mut cost, mut salt) = (None, None);
        for line in lines {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["argon2id", m, t, p] => {
                    cost = Some(Argon2Cost {
                        memory_kib: m.parse().map_err(|_| bad_file(file, "bad cost"))?,
                        iterations: t.parse().map_err(|_| bad_file(file, "bad cost"))?,
                        parallelism: p.parse().map_err(|_| bad_file(file, "bad cost"))?,
                    });
                }
                ["salt", s] => salt = unhex(Some(s)),
                _ => return Err(bad_file(file, format!("unknown line {line:?}"))),
            }
        }
        let (Some(cost), Some(salt)) = (cost, salt) else {
            return Err(bad_file(file, "its head lacks the cost or the salt"));
        };
        // A cost no export of Signet uses: refused before Argon2 is asked for gigabytes.
        if cost.memory_kib > 4 * 1024 * 1024 || cost.iterations > 64 || cost.parallelism > 64 {
            return Err(bad_file(
                file,
                "its Argon2id cost is beyond any Signet export",
            ));
        }
        let key = derive_key(passphrase, cost, salt).map_err(|e| bad_file(file, e))?;
        let db = Scratch::beside(self.path())?;
        std::fs::File::create_new(&db.0)
            .and_then(|mut f| f.write_all(&bytes[split + 2..]))
            .map_err(|e| VaultError::io("write", &db.0, e))?;
        // Opened on a connection of its own first: a wrong key or a damaged file must not touch
        // the vault's connection.
        let version = check_export(&db.0, &key, file)?;
        if version > SCHEMA_VERSION {
            return Err(VaultError::TooNew {
                path: file.to_owned(),
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        self.conn.execute(
            "ATTACH DATABASE ?1 AS import KEY ?2",
            rusqlite::params![db.0.to_string_lossy(), key.sqlcipher_literal().as_str()],
        )?;
        let result = self.import_attached();
        self.conn.execute_batch("DETACH DATABASE import;")?;
        result
    }

    fn import_attached(&mut self) -> Result<Imported, VaultError> {
        let tables: Vec<String> = self
            .conn
            .prepare("SELECT name FROM main.sqlite_master WHERE type = 'table' ORDER BY name")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let columns = |conn: &rusqlite::Connection, db: &str, table: &str| {
            conn.prepare(&format!("PRAGMA {db}.table_info(\"{table}\")"))
                .and_then(|mut s| {
                    s.query_map([], |r| r.get::<_, String>(1))?
                        .collect::<Result<Vec<_>, _>>()
                })
        };
        let mut plan = Vec::new();
        for table in tables.iter().filter(|t| !KEPT_HERE.contains(&t.as_str())) {
            let ours = columns(&self.conn, "main", table)?;
            let theirs = columns(&self.conn, "import", table)?;
            let shared: Vec<String> = ours
                .into_iter()
                .filter(|c| theirs.contains(c))
                .map(|c| format!("\"{c}\""))
                .collect();
            let present: Option<String> = self
                .conn
                .query_row(
                    "SELECT name FROM import.sqlite_master WHERE type = 'table' AND name = ?1",
                    [table],
                    |r| r.get(0),
                )
                .optional()?;
            plan.push((table.clone(), present.map(|_| shared.join(", "))));
        }
        let checkpoints_shared = plan.iter().any(|(table, shared)| {
            table == "checkpoints"
                && shared.as_deref().is_some_and(|s| {
                    ["\"root_hash\"", "\"signed_note\"", "\"tree_size\""]
                        .iter()
                        .all(|c| s.contains(c))
                })
        });
        let (records, conflicts) = self.write(Durability::Full, |tx| {
            let mut conflicts = Vec::new();
            if checkpoints_shared {
                let mut find = tx.prepare(
                    "SELECT m.log, m.tree_size, m.signed_note, i.signed_note
                     FROM main.checkpoints m JOIN import.checkpoints i
                       ON i.log = m.log AND i.tree_size = m.tree_size
                     WHERE i.root_hash != m.root_hash",
                )?;
                let mut rows = find.query([])?;
                while let Some(r) = rows.next()? {
                    conflicts.push(CheckpointConflict {
                        log: r.get(0)?,
                        tree_size: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                        ours: r.get(2)?,
                        theirs: r.get(3)?,
                    });
                }
            }
            let mut records = 0u64;
            for (table, shared) in &plan {
                // A table the export does not have (made by an older Signet) keeps this
                // computer's rows.
                let Some(shared) = shared else { continue };
                let merged = MERGED.contains(&table.as_str());
                if !merged {
                    tx.execute(&format!("DELETE FROM main.\"{table}\""), [])?;
                }
                if !shared.is_empty() {
                    let or_ignore = if merged { " OR IGNORE" } else { "" };
                    let n = tx.execute(
                        &format!(
                            "INSERT{or_ignore} INTO main.\"{table}\" ({shared}) SELECT {shared} FROM import.\"{table}\""
                        ),
                        [],
                    )?;
                    records += n as u64;
                }
            }
            Ok((records, conflicts))
        })?;
        tracing::info!(records, conflicts = conflicts.len(), "vault imported");
        Ok(Imported { records, conflicts })
    }
}
