//! The vault's schema: numbered migrations, applied in order, each in its own transaction.
//!
//! `PRAGMA user_version` is the number of migrations applied. The `meta` row `readable_by` is the
//! oldest schema version that can still use the file: a migration that only adds (a nullable
//! column, a table) keeps it, so an older Signet keeps working with a vault a newer one touched;
//! a migration that changes the meaning of what is there raises it. An older Signet refuses a
//! vault whose `readable_by` is beyond it, and changes nothing.
//!
//! Migrations are append-only: a released one is never edited, a new one is added at the end.

use rusqlite::Connection;

use crate::VaultError;

/// One step of the schema.
struct Migration {
    sql: &'static str,
    /// The oldest schema version that can still use the file after this step.
    readable_by: u32,
}

const MIGRATIONS: &[Migration] = &[
    // 1: the records of the first release.
    Migration {
        sql: "
        CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
        INSERT INTO meta (name, value) VALUES ('generation', 0), ('readable_by', 1);
        CREATE TABLE holdings (
            agency TEXT PRIMARY KEY, taken_at INTEGER NOT NULL, document BLOB NOT NULL) STRICT;
        CREATE TABLE usage_entries (
            log TEXT NOT NULL, idx INTEGER NOT NULL, entry BLOB NOT NULL,
            received_at INTEGER NOT NULL, PRIMARY KEY (log, idx)) STRICT;
        CREATE TABLE checkpoints (
            log TEXT NOT NULL, tree_size INTEGER NOT NULL, root_hash BLOB NOT NULL,
            signed_note BLOB NOT NULL, stored_at INTEGER NOT NULL,
            PRIMARY KEY (log, tree_size)) STRICT;
        CREATE TABLE consents (
            id TEXT PRIMARY KEY, agency TEXT NOT NULL, record BLOB NOT NULL,
            updated_at INTEGER NOT NULL) STRICT;
        CREATE TABLE consent_receipts (
            seq INTEGER PRIMARY KEY, consent TEXT NOT NULL, receipt BLOB NOT NULL,
            received_at INTEGER NOT NULL) STRICT;
        CREATE INDEX consent_receipts_by_consent ON consent_receipts (consent);
        CREATE TABLE notifications (
            seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL,
            created_at INTEGER NOT NULL) STRICT;
        CREATE TABLE signing_history (
            seq INTEGER PRIMARY KEY, document_name TEXT NOT NULL, document_hash BLOB NOT NULL,
            format TEXT NOT NULL, level TEXT NOT NULL, signed_at INTEGER NOT NULL,
            outcome TEXT NOT NULL) STRICT;
        CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
        ",
        readable_by: 1,
    },
    // 2: notifications remember when they were read. Additive: version 1 still reads the file.
    Migration {
        sql: "ALTER TABLE notifications ADD COLUMN read_at INTEGER;",
        readable_by: 1,
    },
    // 3: sessions with agency nodes (the bearer token until it expires). Additive.
    Migration {
        sql: "CREATE TABLE sessions (
            node TEXT PRIMARY KEY, token BLOB NOT NULL, expires_at INTEGER NOT NULL) STRICT;",
        readable_by: 1,
    },
    // 4: receipts of corrections and misuse reports (and the agency's decisions on them), of
    // any kind beside the consent receipts. Additive.
    Migration {
        sql: "CREATE TABLE receipts (
            seq INTEGER PRIMARY KEY, agency TEXT NOT NULL, kind TEXT NOT NULL,
            reference TEXT NOT NULL, receipt BLOB NOT NULL, received_at INTEGER NOT NULL) STRICT;
        CREATE INDEX receipts_by_agency ON receipts (agency);",
        readable_by: 1,
    },
    // 5: alarms about agencies' logs (a failed proof, a rewritten log, an entry no longer
    // served), kept with their evidence until the person dismisses them. Additive.
    Migration {
        sql: "CREATE TABLE alarms (
            id TEXT PRIMARY KEY, node TEXT NOT NULL, document BLOB NOT NULL,
            raised_at INTEGER NOT NULL, dismissed_at INTEGER) STRICT;",
        readable_by: 1,
    },
];

/// The schema version this build writes: the number of migrations.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The schema version of an open database (0 for an empty one).
pub(crate) fn version(conn: &Connection) -> Result<u32, VaultError> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

/// The oldest schema version that can use this database.
pub(crate) fn readable_by(conn: &Connection) -> Result<u32, VaultError> {
    Ok(conn.query_row(
        "SELECT value FROM meta WHERE name = 'readable_by'",
        [],
        |row| row.get(0),
    )?)
}

/// Applies the migrations after the database's version, up to `target`, each in one transaction
/// with `synchronous = FULL`.
pub(crate) fn migrate_to(conn: &mut Connection, target: u32) -> Result<(), VaultError> {
    let from = version(conn)?;
    if from >= target {
        return Ok(());
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    for (number, migration) in (1u32..)
        .zip(MIGRATIONS)
        .skip(from as usize)
        .take((target - from) as usize)
    {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another opening of the same file (another thread, the command line) may have applied
        // it since the version was read: asked again under the write lock.
        if version(&tx)? >= number {
            continue;
        }
        tx.execute_batch(migration.sql)?;
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE name = 'readable_by'",
            [migration.readable_by],
        )?;
        tx.pragma_update(None, "user_version", number)?;
        tx.commit()?;
        tracing::info!(schema_version = number, "vault schema migrated");
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}
