//! The node's database: the usage log (entries, salts, signed checkpoints), data sets, records
//! and consent rules, behind [`Backend`]: SQLite ([`SqliteStore`], a file, the default) or
//! PostgreSQL ([`crate::pg_store::PgStore`], a `postgres://` URL). Both pass the same tests.
//!
//! The workspace links SQLite through rusqlite's `bundled-sqlcipher` build (signet-vault needs
//! SQLCipher, and two link configurations of libsqlite3-sys cannot live in one workspace); the
//! node opens its file without a key, which makes it an ordinary SQLite database.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension as _, params};
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
CREATE TABLE IF NOT EXISTS consent_rules (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    client TEXT NOT NULL,
    data_set TEXT
);
PRAGMA user_version = 1;
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

/// A consent rule: the person denies `client` access (to one data set, or to all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRule {
    /// The rule's identifier, named in the usage entries of refused queries.
    pub id: String,
    /// The person.
    pub subject: PersonCode,
    /// The X-Road client (`EE/GOV/70008747/polis`) denied.
    pub client: String,
    /// The data set, or all of them.
    pub data_set: Option<String>,
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
pub trait Backend: Send + std::fmt::Debug {
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
    /// Adds or replaces a data set description.
    fn put_data_set(&self, set: &DataSet) -> Result<(), NodeError>;
    /// Every data set, by id.
    fn data_sets(&self) -> Result<Vec<DataSet>, NodeError>;
    /// Adds or replaces a record about `subject`.
    fn put_record(&self, subject: &PersonCode, record: &Record) -> Result<(), NodeError>;
    /// The records about `subject`, of one data set or all, by data set and id.
    fn records(&self, subject: &str, data_set: Option<&str>) -> Result<Vec<Record>, NodeError>;
    /// Adds or replaces a consent rule.
    fn put_consent_rule(&self, rule: &ConsentRule) -> Result<(), NodeError>;
    /// The rule that denies `client` the data set of `subject`, if any.
    fn denying_rule(
        &self,
        subject: &str,
        client: &str,
        data_set: &str,
    ) -> Result<Option<String>, NodeError>;
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
    conn: Connection,
}

fn db(e: rusqlite::Error) -> NodeError {
    NodeError::Database(e.to_string())
}

fn u64_of(i: i64) -> u64 {
    u64::try_from(i).unwrap_or(0)
}

fn i64_of(u: u64) -> i64 {
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

    /// Adds or replaces a consent rule.
    fn put_consent_rule(&self, rule: &ConsentRule) -> Result<(), NodeError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO consent_rules (id, subject, client, data_set) VALUES (?1, ?2, ?3, ?4)",
                params![rule.id, rule.subject.as_str(), rule.client, rule.data_set],
            )
            .map_err(db)?;
        Ok(())
    }

    /// The rule that denies `client` the data set of `subject`, if any.
    fn denying_rule(
        &self,
        subject: &str,
        client: &str,
        data_set: &str,
    ) -> Result<Option<String>, NodeError> {
        self.conn
            .query_row(
                "SELECT id FROM consent_rules WHERE subject = ?1 AND client = ?2 AND (data_set IS NULL OR data_set = ?3) ORDER BY id LIMIT 1",
                params![subject, client, data_set],
                |row| row.get(0),
            )
            .optional()
            .map_err(db)
    }
}

/// Parses stored canonical entry bytes.
pub fn parse_entry(bytes: &[u8]) -> Result<UsageEntry, NodeError> {
    serde_json::from_slice(bytes)
        .map_err(|e| NodeError::Database(format!("a stored entry does not parse: {e}")))
}
