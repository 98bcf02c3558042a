//! Holdings: the data sets an agency holds about a person, and the records themselves.
//!
//! A data set is described once per agency ([`DataSet`]: id, title in Estonian, English and
//! Russian, categories, fields, last change, legal basis, retention); a person's [`Record`]s
//! carry typed values for those fields.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// A text in the three languages Signet speaks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Localized {
    /// Estonian.
    pub et: String,
    /// English.
    pub en: String,
    /// Russian.
    pub ru: String,
}

/// The kind of value a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum FieldKind {
    /// Free text.
    Text,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// An instant, RFC 3339.
    DateTime,
    /// An integer.
    Integer,
    /// Yes or no.
    Boolean,
    /// A code from a classifier.
    Code,
}

/// One field of a data set.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Field {
    /// The field's identifier within its data set.
    pub id: String,
    /// What it is called.
    pub title: Localized,
    /// What it holds.
    pub kind: FieldKind,
}

/// A data set an agency holds about people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DataSet {
    /// The identifier, unique within the agency.
    pub id: String,
    /// What it is called.
    pub title: Localized,
    /// Categories of data (e.g. `health`, `address`), for notification settings and EHDS.
    pub categories: Vec<String>,
    /// The fields.
    pub fields: Vec<Field>,
    /// When the person's data in it last changed (set per person in [`Holdings`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub last_change: Option<Timestamp>,
    /// The statute that allows the agency to hold it.
    pub legal_basis: String,
    /// How long it is kept, in words ("10 years after the last visit").
    pub retention: String,
}

/// A typed value of a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", content = "value", rename_all = "camelCase")]
#[non_exhaustive]
pub enum FieldValue {
    /// Free text.
    Text(String),
    /// A calendar date, `YYYY-MM-DD`.
    Date(String),
    /// An instant.
    DateTime(Timestamp),
    /// An integer.
    Integer(#[cfg_attr(feature = "ts", ts(type = "number"))] i64),
    /// Yes or no.
    Boolean(bool),
    /// A classifier code and its label.
    Code {
        /// The code.
        code: String,
        /// Its label.
        label: String,
    },
}

/// One record of a data set about a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "HeldRecord"))]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// The data set.
    pub data_set: String,
    /// The record's identifier within the data set.
    pub id: String,
    /// When it last changed.
    pub updated: Timestamp,
    /// The values by field id.
    pub values: BTreeMap<String, FieldValue>,
}

impl Record {
    /// Only the `fields` listed (what an official query releases).
    pub fn restricted_to(&self, fields: &[String]) -> Self {
        Self {
            values: self
                .values
                .iter()
                .filter(|(k, _)| fields.contains(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            ..self.clone()
        }
    }
}

/// What one agency holds about one person: its data sets (with the person's last change) and
/// the person's records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Holdings {
    /// The agency's name.
    pub agency: String,
    /// The data sets that hold something about the person.
    pub data_sets: Vec<DataSet>,
    /// The records.
    pub records: Vec<Record>,
}
