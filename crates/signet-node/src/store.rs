//! The node's database: the usage log (entries, salts, every signed checkpoint), data sets,
//! records, consent records and their changes (with the receipts given for them), and the
//! person's corrections and misuse reports ([`crate::case_store::CaseBackend`]), behind
//! [`Backend`]: SQLite ([`SqliteStore`], a file, the default) or PostgreSQL
//! ([`crate::pg_store::PgStore`], a `postgres://` URL). Both pass the same tests.
//!
//! The workspace links SQLite through rusqlite's `bundled-sqlcipher` build (signet-vault needs
//! SQLCipher, and two link configurations of libsqlite3-sys cannot live in one workspace); the
//! node opens its file without a key, which makes it an ordinary SQLite database.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension as _, params};
use signet_data::consent::ConsentRecord;
use signet_data::entry::{PersonCode, SALT_LEN, Salt, UsageEntry};
use signet_data::holdings::{DataSet, Record};

use crate::NodeError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS entries (
    idx INTEGER PRIMARY KEY,
    subject TEXT NOT NULL,
    entry BLOB NOT NULL,
    salt BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_subject ON entries (subject, idx);
CREATE TABLE IF NOT EXISTS checkpoints (
    size INTEGER PRIMARY KEY,
    note TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS data_sets (
    id TEXT PRIMARY KEY,
    description TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    subject TEXT NOT NULL,
    data_set TEXT NOT NULL,
    id TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (subject, data_set, id)
);
DROP TABLE IF EXISTS consent_rules;
CREATE TABLE IF NOT EXISTS consents (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS consents_subject ON consents (subject, id);
CREATE TABLE IF NOT EXISTS consent_changes (
    subject TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    consent_id TEXT NOT NULL,
    log_index INTEGER NOT NULL,
    receipt TEXT,
    PRIMARY KEY (subject, idempotency_key)
);
CREATE TABLE IF NOT EXISTS cases (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    record TEXT NOT NULL,
    decision_pending INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS cases_subject ON cases (subject, id);
CREATE TABLE IF NOT EXISTS case_requests (
    subject TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    case_id TEXT NOT NULL,
    log_index INTEGER NOT NULL,
    PRIMARY KEY (subject, idempotency_key)
);
CREATE TABLE IF NOT EXISTS case_events (
    log_index INTEGER PRIMARY KEY,
    subject TEXT NOT NULL,
    case_id TEXT NOT NULL,
    receipt TEXT
);
CREATE INDEX IF NOT EXISTS case_events_subject ON case_events (subject, log_index);
PRAGMA user_version = 3;
";

/// One stored entry, as read back.
#[derive(Debug, Clone)]
pub struct StoredEntry {
    /// Its index in the log.
    pub index: u64,
    /// The person it concerns.
    pub subject: String,
    /// The canonical JSON the commitment covers.
    pub entry: Vec<u8>,
    /// The salt.
    pub salt: Salt,
}

/// One change of a person's consents, under its idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentChangeRow {
    /// SHA-256 of the request body, base64.
    pub request_hash: String,
    /// The record it changed.
    pub consent_id: String,
    /// The log entry recording it.
    pub log_index: u64,
    /// The signed receipt (JSON), once made.
    pub receipt: Option<String>,
}

/// Where the node keeps its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL, `postgres://user:password@host:port/database`.
    Postgres(String),
}

impl Database {
    /// `postgres://…` or `postgresql://…` is PostgreSQL; anything else an SQLite file's path.
    pub fn parse(text: &str) -> Self {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Self::Postgres(text.to_owned())
        } else {
            Self::Sqlite(PathBuf::from(text))
        }
    }
}

impl From<PathBuf> for Database {
    fn from(path: PathBuf) -> Self {
        Self::Sqlite(path)
    }
}

impl From<&Path> for Database {
    fn from(path: &Path) -> Self {
        Self::Sqlite(path.to_owned())
    }
}

/// What the node needs of its database. Every method blocks; the PostgreSQL back end steps out
/// of the async runtime while it waits (it needs tokio's multi-thread runtime).
pub trait Backend: crate::case_store::CaseBackend + Send + std::fmt::Debug {
    /// Every entry, in index order.
    fn all_entries(&self) -> Result<Vec<StoredEntry>, NodeError>;
    /// The first `limit` entries of `subject` with `after < index < before`.
    fn entries_of(
        &self,
        subject: &str,
        after: Option<u64>,
        before: u64,
        limit: usize,
    ) -> Result<Vec<StoredEntry>, NodeError>;
    /// The entries with `from <= index < to`.
    fn entries_between(&self, from: u64, to: u64) -> Result<Vec<StoredEntry>, NodeError>;
    /// Stores entry `index`.
    fn insert_entry(
        &self,
        index: u64,
        subject: &str,
        entry: &[u8],
        salt: &Salt,
    ) -> Result<(), NodeError>;
    /// Gives entry `from` the index `to` (used only when a compromised node is simulated).
    fn renumber_entry(&self, from: u64, to: u64) -> Result<(), NodeError>;
    /// Stores a signed checkpoint note of `size`.
    fn insert_checkpoint(&self, size: u64, note: &str) -> Result<(), NodeError>;
    /// Opens a transaction: the entries inserted until [`Self::commit`] are one batch.
    fn begin(&self) -> Result<(), NodeError>;
    /// Commits the open transaction durably (SQLite: `synchronous = FULL`, the WAL synced;
    /// PostgreSQL: `COMMIT`). A batch whose commit fails is lost as a whole.
    fn commit(&self) -> Result<(), NodeError>;
    /// The largest signed checkpoint.
    fn latest_checkpoint(&self) -> Result<Option<(u64, String)>, NodeError>;
    /// The smallest signed checkpoint that covers entry `index` (its size is above `index`):
    /// the one the entry was logged under.
    fn checkpoint_covering(&self, index: u64) -> Result<Option<(u64, String)>, NodeError>;
    /// Adds or replaces a data set description.
    fn put_data_set(&self, set: &DataSet) -> Result<(), NodeError>;
    /// Every data set, by id.
    fn data_sets(&self) -> Result<Vec<DataSet>, NodeError>;
    /// Adds or replaces a record about `subject`.
    fn put_record(&self, subject: &PersonCode, record: &Record) -> Result<(), NodeError>;
    /// The records about `subject`, of one data set or all, by data set and id.
    fn records(&self, subject: &str, data_set: Option<&str>) -> Result<Vec<Record>, NodeError>;
    /// Adds or replaces a consent record.
    fn put_consent(&self, record: &ConsentRecord) -> Result<(), NodeError>;
    /// The consent record `id`.
    fn consent(&self, id: &str) -> Result<Option<ConsentRecord>, NodeError>;
    /// The consent records of `subject`, by id.
    fn consents_of(&self, subject: &str) -> Result<Vec<ConsentRecord>, NodeError>;
    /// The change of `subject`'s consents made under `key`.
    fn consent_change(
        &self,
        subject: &str,
        key: &str,
    ) -> Result<Option<ConsentChangeRow>, NodeError>;
    /// Records a change under `key` (the key must be new for the subject).
    fn put_consent_change(
        &self,
        subject: &str,
        key: &str,
        change: &ConsentChangeRow,
    ) -> Result<(), NodeError>;
    /// Stores the receipt of a change unless one is stored already.
    fn set_receipt(&self, subject: &str, key: &str, receipt: &str) -> Result<(), NodeError>;
    /// The receipts given to `subject`, in log order.
    fn receipts_of(&self, subject: &str) -> Result<Vec<String>, NodeError>;
}

/// The node's database, whichever back end.
pub type Store = Box<dyn Backend>;

/// Opens (creating and migrating) the database.
pub fn open(database: &Database) -> Result<Store, NodeError> {
    match database {
        Database::Sqlite(path) => Ok(Box::new(SqliteStore::open(path)?)),
        Database::Postgres(url) => Ok(Box::new(crate::pg_store::PgStore::connect(url)?)),
    }
}

/// The SQLite back end.
#[derive(Debug)]
pub struct SqliteStore {
    pub(crate) conn: Connection,
}

pub(crate) fn db(e: rusqlite::Error) -> NodeError {
    NodeError::Database(e.to_string())
}

pub(crate) fn u64_of(i: i64) -> u64 {
    u64::try_from(i).unwrap_or(0)
}

pub(crate) fn i64_of(u: u64) -> i64 {
    i64::try_from(u).unwrap_or(i64::MAX)
}

impl SqliteStore {
    /// Opens (creating) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, NodeError> {
        let conn = Connection::open(path).map_err(db)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db)?;
        // Every commit syncs the WAL: an entry is on disk before the answer it is logged for
        // leaves (commits are grouped: see `crate::durable`).
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(db)?;
        conn.execute_batch(SCHEMA).map_err(db)?;
        Ok(Self { conn })
    }

    fn entries_where(
        &self,
        cond: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<StoredEntry>, NodeError> {
        let sql = format!("SELECT idx, subject, entry, salt FROM entries WHERE {cond}");
        let mut stmt = self.conn.prepare_cached(&sql).map_err(db)?;
        let rows = stmt
            .query_map(args, |row| {
                let salt: Vec<u8> = row.get(3)?;
                Ok((u64_of(row.get(0)?), row.get(1)?, row.get(2)?, salt))
            })
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            let (index, subject, entry, salt) = row.map_err(db)?;
            let salt: [u8; SALT_LEN] = salt.try_into().map_err(|_| {
                NodeError::Database(format!("entry {index}: the salt is not {SALT_LEN} bytes"))
            })?;
            out.push(StoredEntry {
                index,
                subject,
                entry,
                salt: Salt(salt),
            });
        }
        Ok(out)
    }
}

impl Backend for SqliteStore {
    /// Every entry, in index order.
    fn all_entries(&self) -> Result<Vec<StoredEntry>, NodeError> {
        self.entries_where("1 = 1 ORDER BY idx", params![])
    }

    /// The first `limit` entries of `subject` with `after < index < before`.
    fn entries_of(
        &self,
        subject: &str,
        after: Option<u64>,
        before: u64,
        limit: usize,
    ) -> Result<Vec<StoredEntry>, NodeError> {
        let after = after.map_or(-1, i64_of);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.entries_where(
            "subject = ?1 AND idx > ?2 AND idx < ?3 ORDER BY idx LIMIT ?4",
            params![subject, after, i64_of(before), limit],
        )
    }

    /// The entries with `from <= index < to`.
    fn entries_between(&self, from: u64, to: u64) -> Result<Vec<StoredEntry>, NodeError> {
        self.entries_where(
            "idx >= ?1 AND idx < ?2 ORDER BY idx",
            params![i64_of(from), i64_of(to)],
        )
    }

    /// Stores entry `index`.
    fn insert_entry(
        &self,
        index: u64,
        subject: &str,
        entry: &[u8],
        salt: &Salt,
    ) -> Result<(), NodeError> {
        self.conn
            .execute(
                "INSERT INTO entries (idx, subject, entry, salt) VALUES (?1, ?2, ?3, ?4)",
                params![i64_of(index), subject, entry, salt.0.as_slice()],
            )
            .map_err(db)?;
        Ok(())
    }

    /// Gives entry `from` the index `to` (used only when a compromised node is simulated).
    fn renumber_entry(&self, from: u64, to: u64) -> Result<(), NodeError> {
        self.conn
            .execute(
                "UPDATE entries SET idx = ?2 WHERE idx = ?1",
                params![i64_of(from), i64_of(to)],
            )
            .map_err(db)?;
        Ok(())
    }

    /// Stores a signed checkpoint note of `size`.
    fn insert_checkpoint(&self, size: u64, note: &str) -> Result<(), NodeError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO checkpoints (size, note) VALUES (?1, ?2)",
                params![i64_of(size), note],
            )
            .map_err(db)?;
        Ok(())
    }

    fn begin(&self) -> Result<(), NodeError> {
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(db)
    }

    fn commit(&self) -> Result<(), NodeError> {
        self.conn.execute_batch("COMMIT").map_err(db)
    }

    /// The largest signed checkpoint.
    fn latest_checkpoint(&self) -> Result<Option<(u64, String)>, NodeError> {
        self.conn
            .query_row(
                "SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1",
                [],
                |row| Ok((u64_of(row.get(0)?), row.get(1)?)),
            )
            .optional()
            .map_err(db)
    }

    fn checkpoint_covering(&self, index: u64) -> Result<Option<(u64, String)>, NodeError> {
        self.conn
            .query_row(
                "SELECT size, note FROM checkpoints WHERE size > ?1 ORDER BY size LIMIT 1",
                params![i64_of(index)],
                |row| Ok((u64_of(row.get(0)?), row.get(1)?)),
            )
            .optional()
            .map_err(db)
    }

    /// Adds or replaces a data set description.
    fn put_data_set(&self, set: &DataSet) -> Result<(), NodeError> {
        let json = serde_json::to_string(set).map_err(|e| NodeError::Database(e.to_string()))?;
        self.conn
            .execute(
                "INSERT OR REPLACE INTO data_sets (id, description) VALUES (?1, ?2)",
                params![set.id, json],
            )
            .map_err(db)?;
        Ok(())
    }

    /// Every data set.
    fn data_sets(&self) -> Result<Vec<DataSet>, NodeError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT description FROM data_sets ORDER BY id")
            .map_err(db)?;
        let rows = stmt
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            let text = row.map_err(db)?;
            out.push(serde_json::from_str(&text).map_err(|e| NodeError::Database(e.to_string()))?);
        }
        Ok(out)
    }

    /// Adds or replaces a record about `subject`.
    fn put_record(&self, subject: &PersonCode, record: &Record) -> Result<(), NodeError> {
        let json = serde_json::to_string(record).map_err(|e| NodeError::Database(e.to_string()))?;
        self.conn
            .execute(
                "INSERT OR REPLACE INTO records (subject, data_set, id, record) VALUES (?1, ?2, ?3, ?4)",
                params![subject.as_str(), record.data_set, record.id, json],
            )
            .map_err(db)?;
        Ok(())
    }

    /// The records about `subject`, of one data set or all.
    fn records(&self, subject: &str, data_set: Option<&str>) -> Result<Vec<Record>, NodeError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT record FROM records WHERE subject = ?1 AND (?2 IS NULL OR data_set = ?2) ORDER BY data_set, id",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map(params![subject, data_set], |row| row.get::<_, String>(0))
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            let text = row.map_err(db)?;
            out.push(serde_json::from_str(&text).map_err(|e| NodeError::Database(e.to_string()))?);
        }
        Ok(out)
    }

    fn put_consent(&self, record: &ConsentRecord) -> Result<(), NodeError> {
        let json = to_json(record)?;
        self.conn
            .execute(
                "INSERT OR REPLACE INTO consents (id, subject, record) VALUES (?1, ?2, ?3)",
                params![record.id, record.subject.as_str(), json],
            )
            .map_err(db)?;
        Ok(())
    }

    fn consent(&self, id: &str) -> Result<Option<ConsentRecord>, NodeError> {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT record FROM consents WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        text.map(|t| from_json(&t)).transpose()
    }

    fn consents_of(&self, subject: &str) -> Result<Vec<ConsentRecord>, NodeError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT record FROM consents WHERE subject = ?1 ORDER BY id")
            .map_err(db)?;
        let rows = stmt
            .query_map(params![subject], |row| row.get::<_, String>(0))
            .map_err(db)?;
        rows.map(|r| from_json(&r.map_err(db)?)).collect()
    }

    fn consent_change(
        &self,
        subject: &str,
        key: &str,
    ) -> Result<Option<ConsentChangeRow>, NodeError> {
        self.conn
            .query_row(
                "SELECT request_hash, consent_id, log_index, receipt FROM consent_changes WHERE subject = ?1 AND idempotency_key = ?2",
                params![subject, key],
                |r| {
                    Ok(ConsentChangeRow {
                        request_hash: r.get(0)?,
                        consent_id: r.get(1)?,
                        log_index: u64_of(r.get(2)?),
                        receipt: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(db)
    }

    fn put_consent_change(
        &self,
        subject: &str,
        key: &str,
        change: &ConsentChangeRow,
    ) -> Result<(), NodeError> {
        self.conn
            .execute(
                "INSERT INTO consent_changes (subject, idempotency_key, request_hash, consent_id, log_index, receipt) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    subject,
                    key,
                    change.request_hash,
                    change.consent_id,
                    i64_of(change.log_index),
                    change.receipt
                ],
            )
            .map_err(db)?;
        Ok(())
    }

    fn set_receipt(&self, subject: &str, key: &str, receipt: &str) -> Result<(), NodeError> {
        self.conn
            .execute(
                "UPDATE consent_changes SET receipt = ?3 WHERE subject = ?1 AND idempotency_key = ?2 AND receipt IS NULL",
                params![subject, key, receipt],
            )
            .map_err(db)?;
        Ok(())
    }

    fn receipts_of(&self, subject: &str) -> Result<Vec<String>, NodeError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT receipt FROM consent_changes WHERE subject = ?1 AND receipt IS NOT NULL ORDER BY log_index",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map(params![subject], |row| row.get::<_, String>(0))
            .map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, NodeError> {
    serde_json::to_string(value).map_err(|e| NodeError::Database(e.to_string()))
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, NodeError> {
    serde_json::from_str(text).map_err(|e| NodeError::Database(e.to_string()))
}

/// Parses stored canonical entry bytes.
pub fn parse_entry(bytes: &[u8]) -> Result<UsageEntry, NodeError> {
    serde_json::from_slice(bytes)
        .map_err(|e| NodeError::Database(format!("a stored entry does not parse: {e}")))
}
