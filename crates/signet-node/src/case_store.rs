//! The database of the person's corrections and misuse reports ("cases"), on both back ends:
//! the cases themselves (`cases`, with a flag for a decision the node has not logged yet), the
//! requests by idempotency key (`case_requests`), and one row per logged change of a case with
//! its receipt once signed (`case_events`).
//!
//! The operator's `signet-node correction accept|reject` writes a decision into `cases` from
//! another process (`decision_pending`); the running node logs it (`crate::cases`). Nothing but
//! the node's usage log ever appends log entries.

use rusqlite::{OptionalExtension as _, params};
use signet_data::correction::Case;

use crate::NodeError;
use crate::pg_store::PgStore;
use crate::store::{SqliteStore, db, from_json, i64_of, to_json, u64_of};

/// A person's request (a correction or a misuse report) under its idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRequestRow {
    /// SHA-256 of the request body, base64.
    pub request_hash: String,
    /// The case it filed.
    pub case_id: String,
    /// The log entry recording it.
    pub log_index: u64,
}

/// One logged change of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEventRow {
    /// The log entry recording it.
    pub log_index: u64,
    /// The person.
    pub subject: String,
    /// The case.
    pub case_id: String,
    /// The signed receipt (JSON), once made.
    pub receipt: Option<String>,
}

/// What the node needs of its database for cases.
pub trait CaseBackend {
    /// Adds or replaces a case; `decision_pending`: an operator's decision the node has yet to
    /// log.
    fn put_case(&self, case: &Case, decision_pending: bool) -> Result<(), NodeError>;
    /// The case `id` and whether a decision of it waits to be logged.
    fn case(&self, id: &str) -> Result<Option<(Case, bool)>, NodeError>;
    /// The cases of `subject`, by id.
    fn cases_of(&self, subject: &str) -> Result<Vec<Case>, NodeError>;
    /// Every case, by id, and whether a decision of it waits to be logged.
    fn all_cases(&self) -> Result<Vec<(Case, bool)>, NodeError>;
    /// The cases whose decision waits to be logged, by id.
    fn decisions_pending(&self) -> Result<Vec<Case>, NodeError>;
    /// The request of `subject` made under `key`.
    fn case_request(&self, subject: &str, key: &str) -> Result<Option<CaseRequestRow>, NodeError>;
    /// Records a request under `key` (the key must be new for the subject).
    fn put_case_request(
        &self,
        subject: &str,
        key: &str,
        row: &CaseRequestRow,
    ) -> Result<(), NodeError>;
    /// Records a logged change of a case (its receipt comes later).
    fn put_case_event(&self, log_index: u64, subject: &str, case_id: &str)
    -> Result<(), NodeError>;
    /// The logged change at `log_index`.
    fn case_event(&self, log_index: u64) -> Result<Option<CaseEventRow>, NodeError>;
    /// Stores the receipt of the change at `log_index` unless one is stored already.
    fn set_case_receipt(&self, log_index: u64, receipt: &str) -> Result<(), NodeError>;
    /// The logged changes without a receipt, in log order.
    fn case_events_without_receipt(&self) -> Result<Vec<CaseEventRow>, NodeError>;
    /// The receipts given to `subject` for changes of their cases, in log order.
    fn case_receipts_of(&self, subject: &str) -> Result<Vec<String>, NodeError>;
}

fn event_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaseEventRow> {
    Ok(CaseEventRow {
        log_index: u64_of(r.get(0)?),
        subject: r.get(1)?,
        case_id: r.get(2)?,
        receipt: r.get(3)?,
    })
}

impl SqliteStore {
    fn cases_where(
        &self,
        cond: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<(Case, bool)>, NodeError> {
        let sql = format!("SELECT record, decision_pending FROM cases WHERE {cond} ORDER BY id");
        let mut stmt = self.conn.prepare_cached(&sql).map_err(db)?;
        let rows = stmt
            .query_map(args, |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(db)?;
        rows.map(|r| {
            let (text, pending) = r.map_err(db)?;
            Ok((from_json(&text)?, pending != 0))
        })
        .collect()
    }

    fn events_where(
        &self,
        cond: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<CaseEventRow>, NodeError> {
        let sql = format!(
            "SELECT log_index, subject, case_id, receipt FROM case_events WHERE {cond} ORDER BY log_index"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(db)?;
        let rows = stmt.query_map(args, event_row).map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }
}

impl CaseBackend for SqliteStore {
    fn put_case(&self, case: &Case, decision_pending: bool) -> Result<(), NodeError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO cases (id, subject, record, decision_pending) VALUES (?1, ?2, ?3, ?4)",
                params![
                    case.id(),
                    case.subject().as_str(),
                    to_json(case)?,
                    i64::from(decision_pending)
                ],
            )
            .map_err(db)?;
        Ok(())
    }

    fn case(&self, id: &str) -> Result<Option<(Case, bool)>, NodeError> {
        Ok(self.cases_where("id = ?1", params![id])?.pop())
    }

    fn cases_of(&self, subject: &str) -> Result<Vec<Case>, NodeError> {
        Ok(self
            .cases_where("subject = ?1", params![subject])?
            .into_iter()
            .map(|(c, _)| c)
            .collect())
    }

    fn all_cases(&self) -> Result<Vec<(Case, bool)>, NodeError> {
        self.cases_where("1 = 1", params![])
    }

    fn decisions_pending(&self) -> Result<Vec<Case>, NodeError> {
        Ok(self
            .cases_where("decision_pending <> 0", params![])?
            .into_iter()
            .map(|(c, _)| c)
            .collect())
    }

    fn case_request(&self, subject: &str, key: &str) -> Result<Option<CaseRequestRow>, NodeError> {
        self.conn
            .query_row(
                "SELECT request_hash, case_id, log_index FROM case_requests WHERE subject = ?1 AND idempotency_key = ?2",
                params![subject, key],
                |r| {
                    Ok(CaseRequestRow {
                        request_hash: r.get(0)?,
                        case_id: r.get(1)?,
                        log_index: u64_of(r.get(2)?),
                    })
                },
            )
            .optional()
            .map_err(db)
    }

    fn put_case_request(
        &self,
        subject: &str,
        key: &str,
        row: &CaseRequestRow,
    ) -> Result<(), NodeError> {
        self.conn
            .execute(
                "INSERT INTO case_requests (subject, idempotency_key, request_hash, case_id, log_index) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![subject, key, row.request_hash, row.case_id, i64_of(row.log_index)],
            )
            .map_err(db)?;
        Ok(())
    }

    fn put_case_event(
        &self,
        log_index: u64,
        subject: &str,
        case_id: &str,
    ) -> Result<(), NodeError> {
        self.conn
            .execute(
                "INSERT INTO case_events (log_index, subject, case_id) VALUES (?1, ?2, ?3)",
                params![i64_of(log_index), subject, case_id],
            )
            .map_err(db)?;
        Ok(())
    }

    fn case_event(&self, log_index: u64) -> Result<Option<CaseEventRow>, NodeError> {
        Ok(self
            .events_where("log_index = ?1", params![i64_of(log_index)])?
            .pop())
    }

    fn set_case_receipt(&self, log_index: u64, receipt: &str) -> Result<(), NodeError> {
        self.conn
            .execute(
                "UPDATE case_events SET receipt = ?2 WHERE log_index = ?1 AND receipt IS NULL",
                params![i64_of(log_index), receipt],
            )
            .map_err(db)?;
        Ok(())
    }

    fn case_events_without_receipt(&self) -> Result<Vec<CaseEventRow>, NodeError> {
        self.events_where("receipt IS NULL", params![])
    }

    fn case_receipts_of(&self, subject: &str) -> Result<Vec<String>, NodeError> {
        Ok(self
            .events_where("subject = ?1 AND receipt IS NOT NULL", params![subject])?
            .into_iter()
            .filter_map(|e| e.receipt)
            .collect())
    }
}

impl PgStore {
    fn pg_cases(
        &self,
        cond: &str,
        args: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<(Case, bool)>, NodeError> {
        let sql = format!(
            "SELECT record, decision_pending FROM cases WHERE {cond} ORDER BY id COLLATE \"C\""
        );
        let rows = self.with(|c| c.query(&sql, args))?;
        rows.iter()
            .map(|r| Ok((from_json(r.get::<_, &str>(0))?, r.get(1))))
            .collect()
    }

    fn pg_events(
        &self,
        cond: &str,
        args: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<CaseEventRow>, NodeError> {
        let sql = format!(
            "SELECT log_index, subject, case_id, receipt FROM case_events WHERE {cond} ORDER BY log_index"
        );
        let rows = self.with(|c| c.query(&sql, args))?;
        Ok(rows
            .iter()
            .map(|r| CaseEventRow {
                log_index: crate::pg_store::u64_of(r.get(0)),
                subject: r.get(1),
                case_id: r.get(2),
                receipt: r.get(3),
            })
            .collect())
    }
}

impl CaseBackend for PgStore {
    fn put_case(&self, case: &Case, decision_pending: bool) -> Result<(), NodeError> {
        let text = to_json(case)?;
        self.with(|c| {
            c.execute(
                "INSERT INTO cases (id, subject, record, decision_pending) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET subject = EXCLUDED.subject, record = EXCLUDED.record, decision_pending = EXCLUDED.decision_pending",
                &[&case.id(), &case.subject().as_str(), &text, &decision_pending],
            )
        })?;
        Ok(())
    }

    fn case(&self, id: &str) -> Result<Option<(Case, bool)>, NodeError> {
        Ok(self.pg_cases("id = $1", &[&id])?.pop())
    }

    fn cases_of(&self, subject: &str) -> Result<Vec<Case>, NodeError> {
        Ok(self
            .pg_cases("subject = $1", &[&subject])?
            .into_iter()
            .map(|(c, _)| c)
            .collect())
    }

    fn all_cases(&self) -> Result<Vec<(Case, bool)>, NodeError> {
        self.pg_cases("TRUE", &[])
    }

    fn decisions_pending(&self) -> Result<Vec<Case>, NodeError> {
        Ok(self
            .pg_cases("decision_pending", &[])?
            .into_iter()
            .map(|(c, _)| c)
            .collect())
    }

    fn case_request(&self, subject: &str, key: &str) -> Result<Option<CaseRequestRow>, NodeError> {
        let row = self.with(|c| {
            c.query_opt(
                "SELECT request_hash, case_id, log_index FROM case_requests WHERE subject = $1 AND idempotency_key = $2",
                &[&subject, &key],
            )
        })?;
        Ok(row.map(|r| CaseRequestRow {
            request_hash: r.get(0),
            case_id: r.get(1),
            log_index: crate::pg_store::u64_of(r.get(2)),
        }))
    }

    fn put_case_request(
        &self,
        subject: &str,
        key: &str,
        row: &CaseRequestRow,
    ) -> Result<(), NodeError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO case_requests (subject, idempotency_key, request_hash, case_id, log_index) VALUES ($1, $2, $3, $4, $5)",
                &[
                    &subject,
                    &key,
                    &row.request_hash,
                    &row.case_id,
                    &crate::pg_store::i64_of(row.log_index),
                ],
            )
        })?;
        Ok(())
    }

    fn put_case_event(
        &self,
        log_index: u64,
        subject: &str,
        case_id: &str,
    ) -> Result<(), NodeError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO case_events (log_index, subject, case_id) VALUES ($1, $2, $3)",
                &[&crate::pg_store::i64_of(log_index), &subject, &case_id],
            )
        })?;
        Ok(())
    }

    fn case_event(&self, log_index: u64) -> Result<Option<CaseEventRow>, NodeError> {
        Ok(self
            .pg_events("log_index = $1", &[&crate::pg_store::i64_of(log_index)])?
            .pop())
    }

    fn set_case_receipt(&self, log_index: u64, receipt: &str) -> Result<(), NodeError> {
        self.with(|c| {
            c.execute(
                "UPDATE case_events SET receipt = $2 WHERE log_index = $1 AND receipt IS NULL",
                &[&crate::pg_store::i64_of(log_index), &receipt],
            )
        })?;
        Ok(())
    }

    fn case_events_without_receipt(&self) -> Result<Vec<CaseEventRow>, NodeError> {
        self.pg_events("receipt IS NULL", &[])
    }

    fn case_receipts_of(&self, subject: &str) -> Result<Vec<String>, NodeError> {
        Ok(self
            .pg_events("subject = $1 AND receipt IS NOT NULL", &[&subject])?
            .into_iter()
            .filter_map(|e| e.receipt)
            .collect())
    }
}
