//! Receipts of every kind beside the consent receipts: an agency node's signed receipts for the
//! person's corrections and misuse reports and for its decisions on them. Kept as the exact
//! bytes received (signet-data parses and verifies them), with the agency, the kind
//! (`correction`, `misuseReport`) and what they are about (the case's id), durably.

use std::time::SystemTime;

use rusqlite::params;

use crate::VaultError;
use crate::records::AgencyId;
use crate::vault::{Durability, Vault, from_millis};

/// A receipt kept in the vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptReceipt {
    /// The agency that gave it (as the data protocol names its log).
    pub agency: AgencyId,
    /// What kind of receipt: `correction`, `misuseReport`.
    pub kind: String,
    /// What it is about (the case's id).
    pub reference: String,
    /// The receipt, as received.
    pub receipt: Vec<u8>,
    /// When it was stored.
    pub received_at: SystemTime,
}

fn check(what: &'static str, text: &str) -> Result<(), VaultError> {
    let reason = if text.is_empty() {
        Some("it is empty")
    } else if text.chars().count() > 256 {
        Some("it is longer than 256 characters")
    } else if text.chars().any(char::is_control) {
        Some("it contains control characters")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(VaultError::InvalidInput {
            what,
            reason: reason.to_owned(),
        }),
        None => Ok(()),
    }
}

impl Vault {
    /// Stores an agency's receipt of `kind` about `reference`, durably.
    pub fn put_receipt(
        &mut self,
        agency: &AgencyId,
        kind: &str,
        reference: &str,
        receipt: &[u8],
    ) -> Result<(), VaultError> {
        check("the receipt kind", kind)?;
        check("the receipt reference", reference)?;
        let now = self.now_millis();
        self.write(Durability::Full, |tx| {
            tx.execute(
                "INSERT INTO receipts (agency, kind, reference, receipt, received_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![agency.as_str(), kind, reference, receipt, now],
            )?;
            Ok(())
        })
    }

    /// The receipts kept (of one agency, or of all), oldest first.
    pub fn receipts(&self, agency: Option<&AgencyId>) -> Result<Vec<KeptReceipt>, VaultError> {
        let mut statement = self.conn.prepare(
            "SELECT agency, kind, reference, receipt, received_at FROM receipts
             WHERE ?1 IS NULL OR agency = ?1 ORDER BY seq",
        )?;
        let rows = statement.query_map([agency.map(AgencyId::as_str)], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (agency, kind, reference, receipt, received_at) = row?;
            out.push(KeptReceipt {
                agency: AgencyId::new(agency).map_err(|e| VaultError::RecordUnreadable {
                    table: "receipts",
                    detail: e.to_string(),
                })?,
                kind,
                reference,
                receipt,
                received_at: from_millis(received_at),
            });
        }
        Ok(out)
    }
}
