//! The records the vault keeps, and their put/get/list operations.
//!
//! Payloads that belong to other crates' formats (a holdings document, a usage entry, a signed
//! checkpoint note, a consent record, a receipt container) are kept as the exact bytes received:
//! the vault stores and returns them, signet-data parses and verifies them. The signing history
//! keeps what was signed, how and when — never the document itself.

use std::fmt;
use std::time::SystemTime;

use rusqlite::{OptionalExtension as _, params};
use signet_core::{BaselineLevel, Code};

use crate::VaultError;
use crate::vault::{Durability, Vault, from_millis};

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Parses an identifier: 1 to 256 characters, no control characters.
            pub fn new(id: impl Into<String>) -> Result<Self, VaultError> {
                let id = id.into();
                let reason = if id.is_empty() {
                    Some("it is empty".to_owned())
                } else if id.chars().count() > 256 {
                    Some("it is longer than 256 characters".to_owned())
                } else if id.chars().any(char::is_control) {
                    Some("it contains control characters".to_owned())
                } else {
                    None
                };
                match reason {
                    Some(reason) => Err(VaultError::InvalidInput { what: $what, reason }),
                    None => Ok(Self(id)),
                }
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_id!(
    /// An agency, as the data protocol names it (its X-Road member code).
    AgencyId,
    "the agency identifier"
);
text_id!(
    /// A transparency log (an agency node's usage log).
    LogId,
    "the log identifier"
);
text_id!(
    /// A consent record.
    ConsentId,
    "the consent identifier"
);

/// What one agency holds about the person, as last fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldingsSnapshot {
    /// The agency.
    pub agency: AgencyId,
    /// When it was stored.
    pub taken_at: SystemTime,
    /// The holdings document, as received.
    pub document: Vec<u8>,
}

/// One entry of an agency's usage (access) log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageEntry {
    /// The log it belongs to.
    pub log: LogId,
    /// Its index in the log.
    pub index: u64,
    /// The entry, as received.
    pub entry: Vec<u8>,
    /// When it was stored.
    pub received_at: SystemTime,
}

/// A verified checkpoint of a log: the tree size and root the person's Signet has accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log.
    pub log: LogId,
    /// The number of entries the checkpoint covers.
    pub tree_size: u64,
    /// The Merkle tree root hash.
    pub root_hash: Vec<u8>,
    /// The signed checkpoint note, as received.
    pub signed_note: Vec<u8>,
    /// When it was stored.
    pub stored_at: SystemTime,
}

/// A consent the person gave, in its latest state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    /// The consent.
    pub id: ConsentId,
    /// The agency it was given to.
    pub agency: AgencyId,
    /// The consent record, as signed.
    pub record: Vec<u8>,
    /// When this state was stored.
    pub updated_at: SystemTime,
}

/// An agency's receipt for a consent (given or withdrawn).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentReceipt {
    /// The consent.
    pub consent: ConsentId,
    /// The receipt, as received.
    pub receipt: Vec<u8>,
    /// When it was stored.
    pub received_at: SystemTime,
}

/// A notification shown to the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Its number in the vault.
    pub id: NotificationId,
    /// What it is about (`usage`, `consent`, `alarm`, …).
    pub kind: String,
    /// The title.
    pub title: String,
    /// The text.
    pub body: String,
    /// When it was stored.
    pub created_at: SystemTime,
    /// When the person read it.
    pub read_at: Option<SystemTime>,
}

/// The number of a notification in the vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NotificationId(pub i64);

/// The signature formats Signet writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureFormat {
    /// A PDF with an embedded PAdES signature.
    Pades,
    /// An ASiC-E container with XAdES signatures.
    AsicE,
}

impl SignatureFormat {
    /// The name as stored and shown: `PAdES`, `ASiC-E`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pades => "PAdES",
            Self::AsicE => "ASiC-E",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::Pades, Self::AsicE]
            .into_iter()
            .find(|f| f.as_str() == text)
    }
}

/// How a signing ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SigningOutcome {
    /// The signed file was written.
    Signed,
    /// It failed, with the error code the person saw.
    Failed(Code),
}

impl SigningOutcome {
    fn to_text(self) -> String {
        match self {
            Self::Signed => "SIGNED".to_owned(),
            Self::Failed(code) => format!("FAILED {code}"),
        }
    }

    fn parse(text: &str) -> Option<Self> {
        if text == "SIGNED" {
            return Some(Self::Signed);
        }
        let code = text.strip_prefix("FAILED ")?;
        Code::ALL
            .into_iter()
            .find(|c| c.as_str() == code)
            .map(Self::Failed)
    }
}

/// One signing, as the history shows it: never the document, only its name and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningRecord {
    /// The document's file name.
    pub document_name: String,
    /// The SHA-256 hash of the document as signed.
    pub document_hash: [u8; 32],
    /// The format.
    pub format: SignatureFormat,
    /// The level.
    pub level: BaselineLevel,
    /// When it was signed.
    pub signed_at: SystemTime,
    /// How it ended.
    pub outcome: SigningOutcome,
}

fn unreadable(table: &'static str, detail: impl Into<String>) -> VaultError {
    VaultError::RecordUnreadable {
        table,
        detail: detail.into(),
    }
}

fn to_u64(table: &'static str, value: i64) -> Result<u64, VaultError> {
    u64::try_from(value).map_err(|_| unreadable(table, format!("negative number {value}")))
}

fn to_i64(what: &'static str, value: u64) -> Result<i64, VaultError> {
    i64::try_from(value).map_err(|_| VaultError::InvalidInput {
        what,
        reason: format!("{value} is too large"),
    })
}

impl Vault {
    /// Stores what `agency` holds, replacing the previous snapshot.
    pub fn put_holdings(&mut self, agency: &AgencyId, document: &[u8]) -> Result<(), VaultError> {
        let now = self.now_millis();
        self.write(Durability::Normal, |tx| {
            tx.execute(
                "INSERT INTO holdings (agency, taken_at, document) VALUES (?1, ?2, ?3)
                 ON CONFLICT (agency) DO UPDATE SET taken_at = ?2, document = ?3",
                params![agency.as_str(), now, document],
            )?;
            Ok(())
        })
    }

    /// The latest snapshot of what `agency` holds.
    pub fn holdings(&self, agency: &AgencyId) -> Result<Option<HoldingsSnapshot>, VaultError> {
        self.conn
            .query_row(
                "SELECT taken_at, document FROM holdings WHERE agency = ?1",
                [agency.as_str()],
                |row| {
                    Ok(HoldingsSnapshot {
                        agency: agency.clone(),
                        taken_at: from_millis(row.get(0)?),
                        document: row.get(1)?,
                    })
                },
            )
            .optional()
            .map_err(VaultError::from)
    }

    /// The latest snapshot of every agency, by agency.
    pub fn all_holdings(&self) -> Result<Vec<HoldingsSnapshot>, VaultError> {
        let mut statement = self
            .conn
            .prepare("SELECT agency, taken_at, document FROM holdings ORDER BY agency")?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get(1)?, row.get(2)?))
        })?;
        rows.map(|row| {
            let (agency, taken_at, document) = row?;
            Ok(HoldingsSnapshot {
                agency: AgencyId::new(agency).map_err(|e| unreadable("holdings", e.to_string()))?,
                taken_at: from_millis(taken_at),
                document,
            })
        })
        .collect()
    }

    /// Stores a usage entry; storing the same index again keeps the first one.
    pub fn put_usage_entry(
        &mut self,
        log: &LogId,
        index: u64,
        entry: &[u8],
    ) -> Result<(), VaultError> {
        let now = self.now_millis();
        let index = to_i64("the usage entry index", index)?;
        self.write(Durability::Normal, |tx| {
            tx.execute(
                "INSERT OR IGNORE INTO usage_entries (log, idx, entry, received_at) VALUES (?1, ?2, ?3, ?4)",
                params![log.as_str(), index, entry, now],
            )?;
            Ok(())
        })
    }

    /// The usage entries of `log` from index `from` on, in log order.
    pub fn usage_entries(&self, log: &LogId, from: u64) -> Result<Vec<UsageEntry>, VaultError> {
        let from = to_i64("the usage entry index", from)?;
        let mut statement = self.conn.prepare(
            "SELECT idx, entry, received_at FROM usage_entries WHERE log = ?1 AND idx >= ?2 ORDER BY idx",
        )?;
        let rows = statement.query_map(params![log.as_str(), from], |row| {
            Ok((row.get::<_, i64>(0)?, row.get(1)?, row.get(2)?))
        })?;
        rows.map(|row| {
            let (index, entry, received_at) = row?;
            Ok(UsageEntry {
                log: log.clone(),
                index: to_u64("usage_entries", index)?,
                entry,
                received_at: from_millis(received_at),
            })
        })
        .collect()
    }

    /// Stores a verified checkpoint, durably (it is what a shrunken or rewritten log is detected
    /// against). Storing the same checkpoint again changes nothing; a different root for a tree
    /// size already stored is refused with [`VaultError::CheckpointConflict`], and the stored one
    /// is kept as evidence.
    pub fn put_checkpoint(
        &mut self,
        log: &LogId,
        tree_size: u64,
        root_hash: &[u8],
        signed_note: &[u8],
    ) -> Result<(), VaultError> {
        let now = self.now_millis();
        let size = to_i64("the tree size", tree_size)?;
        self.write(Durability::Full, |tx| {
            let stored: Option<Vec<u8>> = tx
                .query_row(
                    "SELECT root_hash FROM checkpoints WHERE log = ?1 AND tree_size = ?2",
                    params![log.as_str(), size],
                    |row| row.get(0),
                )
                .optional()?;
            match stored {
                Some(stored) if stored == root_hash => Ok(()),
                Some(_) => Err(VaultError::CheckpointConflict {
                    log: log.to_string(),
                    tree_size,
                }),
                None => {
                    tx.execute(
                        "INSERT INTO checkpoints (log, tree_size, root_hash, signed_note, stored_at)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![log.as_str(), size, root_hash, signed_note, now],
                    )?;
                    Ok(())
                }
            }
        })
    }

    /// The checkpoint of `log` with the largest tree size.
    pub fn latest_checkpoint(&self, log: &LogId) -> Result<Option<Checkpoint>, VaultError> {
        Ok(self
            .checkpoints_where(log, "ORDER BY tree_size DESC LIMIT 1")?
            .pop())
    }

    /// Every checkpoint of `log`, smallest tree first.
    pub fn checkpoints(&self, log: &LogId) -> Result<Vec<Checkpoint>, VaultError> {
        self.checkpoints_where(log, "ORDER BY tree_size")
    }

    fn checkpoints_where(&self, log: &LogId, tail: &str) -> Result<Vec<Checkpoint>, VaultError> {
        let mut statement = self.conn.prepare(&format!(
            "SELECT tree_size, root_hash, signed_note, stored_at FROM checkpoints WHERE log = ?1 {tail}"
        ))?;
        let rows = statement.query_map([log.as_str()], |row| {
            Ok((row.get::<_, i64>(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?;
        rows.map(|row| {
            let (size, root_hash, signed_note, stored_at) = row?;
            Ok(Checkpoint {
                log: log.clone(),
                tree_size: to_u64("checkpoints", size)?,
                root_hash,
                signed_note,
                stored_at: from_millis(stored_at),
            })
        })
        .collect()
    }

    /// Stores a consent record in its latest state, replacing the previous one.
    pub fn put_consent(
        &mut self,
        id: &ConsentId,
        agency: &AgencyId,
        record: &[u8],
    ) -> Result<(), VaultError> {
        let now = self.now_millis();
        self.write(Durability::Full, |tx| {
            tx.execute(
                "INSERT INTO consents (id, agency, record, updated_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET agency = ?2, record = ?3, updated_at = ?4",
                params![id.as_str(), agency.as_str(), record, now],
            )?;
            Ok(())
        })
    }

    /// A consent record.
    pub fn consent(&self, id: &ConsentId) -> Result<Option<ConsentRecord>, VaultError> {
        Ok(self.consents_where("WHERE id = ?1", Some(id))?.pop())
    }

    /// Every consent record, by identifier.
    pub fn consents(&self) -> Result<Vec<ConsentRecord>, VaultError> {
        self.consents_where("", None)
    }

    fn consents_where(
        &self,
        filter: &str,
        id: Option<&ConsentId>,
    ) -> Result<Vec<ConsentRecord>, VaultError> {
        let mut statement = self.conn.prepare(&format!(
            "SELECT id, agency, record, updated_at FROM consents {filter} ORDER BY id"
        ))?;
        let map = |row: &rusqlite::Row<'_>| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get(2)?,
                row.get(3)?,
            ))
        };
        let rows = match id {
            Some(id) => statement
                .query_map([id.as_str()], map)?
                .collect::<Result<Vec<_>, _>>()?,
            None => statement
                .query_map([], map)?
                .collect::<Result<Vec<_>, _>>()?,
        };
        rows.into_iter()
            .map(|(id, agency, record, updated_at)| {
                Ok(ConsentRecord {
                    id: ConsentId::new(id).map_err(|e| unreadable("consents", e.to_string()))?,
                    agency: AgencyId::new(agency)
                        .map_err(|e| unreadable("consents", e.to_string()))?,
                    record,
                    updated_at: from_millis(updated_at),
                })
            })
            .collect()
    }

    /// Stores an agency's receipt for a consent, durably.
    pub fn put_consent_receipt(
        &mut self,
        consent: &ConsentId,
        receipt: &[u8],
    ) -> Result<(), VaultError> {
        let now = self.now_millis();
        self.write(Durability::Full, |tx| {
            tx.execute(
                "INSERT INTO consent_receipts (consent, receipt, received_at) VALUES (?1, ?2, ?3)",
                params![consent.as_str(), receipt, now],
            )?;
            Ok(())
        })
    }

    /// The receipts for a consent, oldest first.
    pub fn consent_receipts(&self, consent: &ConsentId) -> Result<Vec<ConsentReceipt>, VaultError> {
        let mut statement = self.conn.prepare(
            "SELECT receipt, received_at FROM consent_receipts WHERE consent = ?1 ORDER BY seq",
        )?;
        let rows = statement.query_map([consent.as_str()], |row| {
            Ok(ConsentReceipt {
                consent: consent.clone(),
                receipt: row.get(0)?,
                received_at: from_millis(row.get(1)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stores a new, unread notification.
    pub fn add_notification(
        &mut self,
        kind: &str,
        title: &str,
        body: &str,
    ) -> Result<NotificationId, VaultError> {
        let now = self.now_millis();
        self.write(Durability::Normal, |tx| {
            tx.execute(
                "INSERT INTO notifications (kind, title, body, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![kind, title, body, now],
            )?;
            Ok(NotificationId(tx.last_insert_rowid()))
        })
    }

    /// Marks a notification read (now); `false` when there is no such notification.
    pub fn mark_notification_read(&mut self, id: NotificationId) -> Result<bool, VaultError> {
        let now = self.now_millis();
        self.write(Durability::Normal, |tx| {
            let changed = tx.execute(
                "UPDATE notifications SET read_at = coalesce(read_at, ?2) WHERE seq = ?1",
                params![id.0, now],
            )?;
            Ok(changed == 1)
        })
    }

    /// Every notification, newest first.
    pub fn notifications(&self) -> Result<Vec<Notification>, VaultError> {
        let mut statement = self.conn.prepare(
            "SELECT seq, kind, title, body, created_at, read_at FROM notifications ORDER BY seq DESC",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(Notification {
                id: NotificationId(row.get(0)?),
                kind: row.get(1)?,
                title: row.get(2)?,
                body: row.get(3)?,
                created_at: from_millis(row.get(4)?),
                read_at: row.get::<_, Option<i64>>(5)?.map(from_millis),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many notifications are unread.
    pub fn unread_notifications(&self) -> Result<u64, VaultError> {
        let count: i64 = self.conn.query_row(
            "SELECT count(*) FROM notifications WHERE read_at IS NULL",
            [],
            |row| row.get(0),
        )?;
        to_u64("notifications", count)
    }

    /// Adds a signing to the history, durably; the time is the vault clock's.
    pub fn record_signing(
        &mut self,
        document_name: &str,
        document_hash: &[u8; 32],
        format: SignatureFormat,
        level: BaselineLevel,
        outcome: SigningOutcome,
    ) -> Result<(), VaultError> {
        let now = self.now_millis();
        self.write(Durability::Full, |tx| {
            tx.execute(
                "INSERT INTO signing_history (document_name, document_hash, format, level, signed_at, outcome)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    document_name,
                    &document_hash[..],
                    format.as_str(),
                    level.as_str(),
                    now,
                    outcome.to_text()
                ],
            )?;
            Ok(())
        })
    }

    /// The signing history, oldest first.
    pub fn signing_history(&self) -> Result<Vec<SigningRecord>, VaultError> {
        let mut statement = self.conn.prepare(
            "SELECT document_name, document_hash, format, level, signed_at, outcome
             FROM signing_history ORDER BY seq",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Vec<u8>>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, i64>(4)?,
                row.get::<_, String>(5)?,
            ))
        })?;
        rows.map(|row| {
            let (document_name, hash, format, level, signed_at, outcome) = row?;
            Ok(SigningRecord {
                document_name,
                document_hash: hash.try_into().map_err(|_| {
                    unreadable("signing_history", "a document hash is not 32 bytes")
                })?,
                format: SignatureFormat::parse(&format).ok_or_else(|| {
                    unreadable("signing_history", format!("unknown format {format:?}"))
                })?,
                level: level.parse().map_err(|_| {
                    unreadable("signing_history", format!("unknown level {level:?}"))
                })?,
                signed_at: from_millis(signed_at),
                outcome: SigningOutcome::parse(&outcome).ok_or_else(|| {
                    unreadable("signing_history", format!("unknown outcome {outcome:?}"))
                })?,
            })
        })
        .collect()
    }

    /// Stores a setting.
    pub fn put_setting(&mut self, name: &str, value: &str) -> Result<(), VaultError> {
        if name.is_empty() {
            return Err(VaultError::InvalidInput {
                what: "the setting name",
                reason: "it is empty".into(),
            });
        }
        self.write(Durability::Normal, |tx| {
            tx.execute(
                "INSERT INTO settings (name, value) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET value = ?2",
                params![name, value],
            )?;
            Ok(())
        })
    }

    /// A setting's value.
    pub fn setting(&self, name: &str) -> Result<Option<String>, VaultError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE name = ?1",
                [name],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Every setting, by name.
    pub fn settings(&self) -> Result<Vec<(String, String)>, VaultError> {
        let mut statement = self
            .conn
            .prepare("SELECT name, value FROM settings ORDER BY name")?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_parsed() {
        assert!(AgencyId::new("ee-70000310").is_ok());
        assert!(AgencyId::new("").is_err());
        assert!(LogId::new("a\nb").is_err());
        assert!(ConsentId::new("x".repeat(257)).is_err());
        assert!(ConsentId::new("x".repeat(256)).is_ok());
    }

    #[test]
    fn outcomes_and_formats_read_back() {
        for outcome in [
            SigningOutcome::Signed,
            SigningOutcome::Failed(Code::Network),
        ] {
            assert_eq!(SigningOutcome::parse(&outcome.to_text()), Some(outcome));
        }
        assert_eq!(SigningOutcome::parse("FAILED WHATEVER"), None);
        for format in [SignatureFormat::Pades, SignatureFormat::AsicE] {
            assert_eq!(SignatureFormat::parse(format.as_str()), Some(format));
        }
    }
}
