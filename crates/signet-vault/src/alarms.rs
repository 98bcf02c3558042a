//! Alarms about agencies' logs — a proof that failed, a log rewritten or shrunk, two signed
//! checkpoints for one size, an entry the agency served before and no longer serves — each with
//! its evidence (signet-api writes the document), kept durably until the person dismisses it.
//! An alarm is raised once: raising the same id again (the same problem with the same evidence)
//! changes nothing, also after it was dismissed.

use std::time::SystemTime;

use rusqlite::{OptionalExtension as _, params};

use crate::VaultError;
use crate::vault::{Durability, Vault, from_millis};

/// An alarm kept in the vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptAlarm {
    /// Its id (signet-api derives it from the problem and its evidence).
    pub id: String,
    /// The node whose log raised it.
    pub node: String,
    /// The alarm with its evidence, as signet-api wrote it.
    pub document: Vec<u8>,
    /// When it was raised.
    pub raised_at: SystemTime,
    /// When the person dismissed it.
    pub dismissed_at: Option<SystemTime>,
}

fn check_id(id: &str) -> Result<(), VaultError> {
    if id.is_empty() || id.len() > 128 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(VaultError::InvalidInput {
            what: "the alarm id",
            reason: "it must be 1 to 128 letters, digits or dashes".to_owned(),
        });
    }
    Ok(())
}

impl Vault {
    /// Keeps an alarm, durably; `false` when an alarm with this id was kept before (dismissed or
    /// not), which is then left as it is.
    pub fn raise_alarm(
        &mut self,
        id: &str,
        node: &str,
        document: &[u8],
    ) -> Result<bool, VaultError> {
        check_id(id)?;
        let now = self.now_millis();
        self.write(Durability::Full, |tx| {
            let added = tx.execute(
                "INSERT OR IGNORE INTO alarms (id, node, document, raised_at) VALUES (?1, ?2, ?3, ?4)",
                params![id, node, document, now],
            )?;
            Ok(added == 1)
        })
    }

    /// Marks an alarm dismissed (now); `false` when there is no such alarm.
    pub fn dismiss_alarm(&mut self, id: &str) -> Result<bool, VaultError> {
        let now = self.now_millis();
        self.write(Durability::Full, |tx| {
            let changed = tx.execute(
                "UPDATE alarms SET dismissed_at = coalesce(dismissed_at, ?2) WHERE id = ?1",
                params![id, now],
            )?;
            Ok(changed == 1)
        })
    }

    /// One alarm, dismissed or not.
    pub fn alarm(&self, id: &str) -> Result<Option<KeptAlarm>, VaultError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, node, document, raised_at, dismissed_at FROM alarms WHERE id = ?1",
                [id],
                row_to_alarm,
            )
            .optional()?)
    }

    /// The alarms not dismissed, oldest first.
    pub fn open_alarms(&self) -> Result<Vec<KeptAlarm>, VaultError> {
        let mut statement = self.conn.prepare(
            "SELECT id, node, document, raised_at, dismissed_at FROM alarms
             WHERE dismissed_at IS NULL ORDER BY raised_at, id",
        )?;
        let rows = statement.query_map([], row_to_alarm)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn row_to_alarm(row: &rusqlite::Row<'_>) -> rusqlite::Result<KeptAlarm> {
    Ok(KeptAlarm {
        id: row.get(0)?,
        node: row.get(1)?,
        document: row.get(2)?,
        raised_at: from_millis(row.get(3)?),
        dismissed_at: row.get::<_, Option<i64>>(4)?.map(from_millis),
    })
}
