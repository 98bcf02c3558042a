//! The PostgreSQL back end: the same tables as SQLite (`BYTEA` for entries and salts), ordered
//! with the `C` collation so both back ends answer in the same order.
//!
//! The blocking `postgres` client runs a small runtime of its own; every call steps out of the
//! caller's tokio runtime with `block_in_place` (tokio's multi-thread runtime is required).

use std::sync::Mutex;

use postgres::{Client, NoTls};
use signet_data::consent::ConsentRecord;
use signet_data::entry::{PersonCode, SALT_LEN, Salt};
use signet_data::holdings::{DataSet, Record};

use crate::store::{Backend, ConsentChangeRow, StoredEntry};
use crate::{NodeError, lock};

/// Migrations, in order; `schema_version` holds how many ran.
const MIGRATIONS: [&str; 3] = [
    "
CREATE TABLE entries (
    idx BIGINT PRIMARY KEY,
    subject TEXT NOT NULL,
    entry BYTEA NOT NULL,
    salt BYTEA NOT NULL
);
CREATE INDEX entries_subject ON entries (subject, idx);
CREATE TABLE checkpoints (
    size BIGINT PRIMARY KEY,
    note TEXT NOT NULL
);
CREATE TABLE data_sets (
    id TEXT PRIMARY KEY,
    description TEXT NOT NULL
);
CREATE TABLE records (
    subject TEXT NOT NULL,
    data_set TEXT NOT NULL,
    id TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (subject, data_set, id)
);
CREATE TABLE consent_rules (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    client TEXT NOT NULL,
    data_set TEXT
);
",
    // 2: consent records and their changes replace the consent rules.
    "
DROP TABLE consent_rules;
CREATE TABLE consents (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX consents_subject ON consents (subject, id);
CREATE TABLE consent_changes (
    subject TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    consent_id TEXT NOT NULL,
    log_index BIGINT NOT NULL,
    receipt TEXT,
    PRIMARY KEY (subject, idempotency_key)
);
",
    // 3: the person's corrections and misuse reports, their requests and receipts.
    "
CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    record TEXT NOT NULL,
    decision_pending BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX cases_subject ON cases (subject, id);
CREATE TABLE case_requests (
    subject TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    case_id TEXT NOT NULL,
    log_index BIGINT NOT NULL,
    PRIMARY KEY (subject, idempotency_key)
);
CREATE TABLE case_events (
    log_index BIGINT PRIMARY KEY,
    subject TEXT NOT NULL,
    case_id TEXT NOT NULL,
    receipt TEXT
);
CREATE INDEX case_events_subject ON case_events (subject, log_index);
",
];

/// The PostgreSQL back end.
pub struct PgStore {
    /// Always `Some` until dropped.
    client: Mutex<Option<Client>>,
}

impl Drop for PgStore {
    /// The client owns a runtime, which must not be dropped inside an async context.
    fn drop(&mut self) {
        if let Some(client) = lock(&self.client).take() {
            blocking(move || drop(client));
        }
    }
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

fn db(e: postgres::Error) -> NodeError {
    NodeError::Database(e.to_string())
}

pub(crate) fn i64_of(u: u64) -> i64 {
    i64::try_from(u).unwrap_or(i64::MAX)
}

pub(crate) fn u64_of(i: i64) -> u64 {
    u64::try_from(i).unwrap_or(0)
}

/// Runs blocking database work, stepping out of a multi-thread tokio runtime when inside one.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    if tokio::runtime::Handle::try_current().is_ok() {
        tokio::task::block_in_place(f)
    } else {
        f()
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, NodeError> {
    serde_json::to_string(value).map_err(|e| NodeError::Database(e.to_string()))
}

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, NodeError> {
    serde_json::from_str(text).map_err(|e| NodeError::Database(e.to_string()))
}

impl PgStore {
    /// Connects to `url` and runs the migrations not run yet.
    pub fn connect(url: &str) -> Result<Self, NodeError> {
        blocking(|| {
            let mut client = Client::connect(url, NoTls)
                .map_err(|e| NodeError::Database(format!("cannot connect to PostgreSQL: {e}")))?;
            let mut tx = client.transaction().map_err(db)?;
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
                 LOCK TABLE schema_version IN EXCLUSIVE MODE;",
            )
            .map_err(db)?;
            let done: i32 = tx
                .query_opt("SELECT version FROM schema_version", &[])
                .map_err(db)?
                .map_or(0, |row| row.get(0));
            let done = usize::try_from(done).unwrap_or(0);
            for (i, migration) in MIGRATIONS.iter().enumerate().skip(done) {
                tx.batch_execute(migration).map_err(db)?;
                let version = i32::try_from(i + 1).unwrap_or(i32::MAX);
                tx.execute("DELETE FROM schema_version", &[]).map_err(db)?;
                tx.execute(
                    "INSERT INTO schema_version (version) VALUES ($1)",
                    &[&version],
                )
                .map_err(db)?;
            }
            tx.commit().map_err(db)?;
            Ok(Self {
                client: Mutex::new(Some(client)),
            })
        })
    }

    pub(crate) fn with<T>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<T, postgres::Error>,
    ) -> Result<T, NodeError> {
        blocking(|| {
            let mut guard = lock(&self.client);
            let client = guard
                .as_mut()
                .ok_or_else(|| NodeError::Internal("the database connection is closed".into()))?;
            f(client).map_err(db)
        })
    }

    fn entries(
        &self,
        sql: &str,
        args: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<StoredEntry>, NodeError> {
        let rows = self.with(|c| c.query(sql, args))?;
        rows.into_iter()
            .map(|row| {
                let index = u64_of(row.get(0));
                let salt: Vec<u8> = row.get(3);
                let salt: [u8; SALT_LEN] = salt.try_into().map_err(|_| {
                    NodeError::Database(format!("entry {index}: the salt is not {SALT_LEN} bytes"))
                })?;
                Ok(StoredEntry {
                    index,
                    subject: row.get(1),
                    entry: row.get(2),
                    salt: Salt(salt),
                })
            })
            .collect()
    }
}

impl Backend for PgStore {
    fn all_entries(&self) -> Result<Vec<StoredEntry>, NodeError> {
        self.entries(
            "SELECT idx, subject, entry, salt FROM entries ORDER BY idx",
            &[],
        )
    }

    fn entries_of(
        &self,
        subject: &str,
        after: Option<u64>,
        before: u64,
        limit: usize,
    ) -> Result<Vec<StoredEntry>, NodeError> {
        let after = after.map_or(-1, i64_of);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.entries(
            "SELECT idx, subject, entry, salt FROM entries WHERE subject = $1 AND idx > $2 AND idx < $3 ORDER BY idx LIMIT $4",
            &[&subject, &after, &i64_of(before), &limit],
        )
    }

    fn entries_between(&self, from: u64, to: u64) -> Result<Vec<StoredEntry>, NodeError> {
        self.entries(
            "SELECT idx, subject, entry, salt FROM entries WHERE idx >= $1 AND idx < $2 ORDER BY idx",
            &[&i64_of(from), &i64_of(to)],
        )
    }

    fn begin(&self) -> Result<(), NodeError> {
        self.with(|c| c.batch_execute("BEGIN"))
    }

    /// `COMMIT` of a transaction a failed statement aborted is a rollback without an error in
    /// PostgreSQL: the usage log checks its batch is there afterwards.
    fn commit(&self) -> Result<(), NodeError> {
        self.with(|c| c.batch_execute("COMMIT"))
    }

    fn insert_entry(
        &self,
        index: u64,
        subject: &str,
        entry: &[u8],
        salt: &Salt,
    ) -> Result<(), NodeError> {
        let salt = salt.0.as_slice();
        self.with(|c| {
            c.execute(
                "INSERT INTO entries (idx, subject, entry, salt) VALUES ($1, $2, $3, $4)",
                &[&i64_of(index), &subject, &entry, &salt],
            )
        })?;
        Ok(())
    }

    fn renumber_entry(&self, from: u64, to: u64) -> Result<(), NodeError> {
        self.with(|c| {
            c.execute(
                "UPDATE entries SET idx = $2 WHERE idx = $1",
                &[&i64_of(from), &i64_of(to)],
            )
        })?;
        Ok(())
    }

    fn insert_checkpoint(&self, size: u64, note: &str) -> Result<(), NodeError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO checkpoints (size, note) VALUES ($1, $2) ON CONFLICT (size) DO UPDATE SET note = EXCLUDED.note",
                &[&i64_of(size), &note],
            )
        })?;
        Ok(())
    }

    fn latest_checkpoint(&self) -> Result<Option<(u64, String)>, NodeError> {
        let row = self.with(|c| {
            c.query_opt(
                "SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1",
                &[],
            )
        })?;
        Ok(row.map(|r| (u64_of(r.get(0)), r.get(1))))
    }

    fn checkpoint_covering(&self, index: u64) -> Result<Option<(u64, String)>, NodeError> {
        let row = self.with(|c| {
            c.query_opt(
                "SELECT size, note FROM checkpoints WHERE size > $1 ORDER BY size LIMIT 1",
                &[&i64_of(index)],
            )
        })?;
        Ok(row.map(|r| (u64_of(r.get(0)), r.get(1))))
    }

    fn put_data_set(&self, set: &DataSet) -> Result<(), NodeError> {
        let text = json(set)?;
        self.with(|c| {
            c.execute(
                "INSERT INTO data_sets (id, description) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET description = EXCLUDED.description",
                &[&set.id, &text],
            )
        })?;
        Ok(())
    }

    fn data_sets(&self) -> Result<Vec<DataSet>, NodeError> {
        let rows = self.with(|c| {
            c.query(
                "SELECT description FROM data_sets ORDER BY id COLLATE \"C\"",
                &[],
            )
        })?;
        rows.iter().map(|r| parse(r.get(0))).collect()
    }

    fn put_record(&self, subject: &PersonCode, record: &Record) -> Result<(), NodeError> {
        let text = json(record)?;
        self.with(|c| {
            c.execute(
                "INSERT INTO records (subject, data_set, id, record) VALUES ($1, $2, $3, $4) ON CONFLICT (subject, data_set, id) DO UPDATE SET record = EXCLUDED.record",
                &[&subject.as_str(), &record.data_set, &record.id, &text],
            )
        })?;
        Ok(())
    }

    fn records(&self, subject: &str, data_set: Option<&str>) -> Result<Vec<Record>, NodeError> {
        let rows = self.with(|c| {
            c.query(
                "SELECT record FROM records WHERE subject = $1 AND ($2::TEXT IS NULL OR data_set = $2) ORDER BY data_set COLLATE \"C\", id COLLATE \"C\"",
                &[&subject, &data_set],
            )
        })?;
        rows.iter().map(|r| parse(r.get(0))).collect()
    }

    fn put_consent(&self, record: &ConsentRecord) -> Result<(), NodeError> {
        let text = json(record)?;
        self.with(|c| {
            c.execute(
                "INSERT INTO consents (id, subject, record) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET subject = EXCLUDED.subject, record = EXCLUDED.record",
                &[&record.id, &record.subject.as_str(), &text],
            )
        })?;
        Ok(())
    }

    fn consent(&self, id: &str) -> Result<Option<ConsentRecord>, NodeError> {
        let row =
            self.with(|c| c.query_opt("SELECT record FROM consents WHERE id = $1", &[&id]))?;
        row.map(|r| parse(r.get(0))).transpose()
    }

    fn consents_of(&self, subject: &str) -> Result<Vec<ConsentRecord>, NodeError> {
        let rows = self.with(|c| {
            c.query(
                "SELECT record FROM consents WHERE subject = $1 ORDER BY id COLLATE \"C\"",
                &[&subject],
            )
        })?;
        rows.iter().map(|r| parse(r.get(0))).collect()
    }

    fn consent_change(
        &self,
        subject: &str,
        key: &str,
    ) -> Result<Option<ConsentChangeRow>, NodeError> {
        let row = self.with(|c| {
            c.query_opt(
                "SELECT request_hash, consent_id, log_index, receipt FROM consent_changes WHERE subject = $1 AND idempotency_key = $2",
                &[&subject, &key],
            )
        })?;
        Ok(row.map(|r| ConsentChangeRow {
            request_hash: r.get(0),
            consent_id: r.get(1),
            log_index: u64_of(r.get(2)),
            receipt: r.get(3),
        }))
    }

    fn put_consent_change(
        &self,
        subject: &str,
        key: &str,
        change: &ConsentChangeRow,
    ) -> Result<(), NodeError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO consent_changes (subject, idempotency_key, request_hash, consent_id, log_index, receipt) VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &subject,
                    &key,
                    &change.request_hash,
                    &change.consent_id,
                    &i64_of(change.log_index),
                    &change.receipt,
                ],
            )
        })?;
        Ok(())
    }

    fn set_receipt(&self, subject: &str, key: &str, receipt: &str) -> Result<(), NodeError> {
        self.with(|c| {
            c.execute(
                "UPDATE consent_changes SET receipt = $3 WHERE subject = $1 AND idempotency_key = $2 AND receipt IS NULL",
                &[&subject, &key, &receipt],
            )
        })?;
        Ok(())
    }

    fn receipts_of(&self, subject: &str) -> Result<Vec<String>, NodeError> {
        let rows = self.with(|c| {
            c.query(
                "SELECT receipt FROM consent_changes WHERE subject = $1 AND receipt IS NOT NULL ORDER BY log_index",
                &[&subject],
            )
        })?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }
}
