//! Holdings: the data sets an agency holds about a person, and the records themselves.
//!
//! A data set is described once per agency ([`DataSet`]: id, title, legal basis and retention
//! in Estonian, English and Russian, categories, fields, last change); a person's [`Record`]s
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

impl Localized {
    /// One text for every language: what a node offers that has it in one language only.
    pub fn same(text: impl Into<String>) -> Self {
        let text = text.into();
        Self {
            et: text.clone(),
            en: text.clone(),
            ru: text,
        }
    }

    /// A localized text, or a plain string (from a node, or a store, that wrote one text) read
    /// as that text in every language.
    pub fn or_plain<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Plain(String),
            Localized(Localized),
        }
        Ok(match Either::deserialize(d)? {
            Either::Plain(text) => Self::same(text),
            Either::Localized(l) => l,
        })
    }
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
    /// The statute that allows the agency to hold it, in each language (a plain string, from
    /// a node that has it in one language, is read as that text in each).
    #[serde(deserialize_with = "Localized::or_plain")]
    pub legal_basis: Localized,
    /// How long it is kept, in words ("10 years after the last visit"), in each language.
    #[serde(deserialize_with = "Localized::or_plain")]
    pub retention: Localized,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_basis_and_retention_are_read_per_language_or_as_one_plain_text() {
        let set = |legal: &str, kept: &str| {
            format!(
                r#"{{"id":"p","title":{{"et":"A","en":"B","ru":"C"}},"categories":[],"fields":[],"legalBasis":{legal},"retention":{kept}}}"#
            )
        };
        let localized: DataSet = serde_json::from_str(&set(
            r#"{"et":"RRS § 21","en":"Population Register Act § 21","ru":"Закон о регистре § 21"}"#,
            r#"{"et":"30 aastat","en":"30 years","ru":"30 лет"}"#,
        ))
        .unwrap();
        assert_eq!(localized.legal_basis.en, "Population Register Act § 21");
        assert_eq!(localized.retention.ru, "30 лет");
        // Written back per language.
        let again: DataSet =
            serde_json::from_str(&serde_json::to_string(&localized).unwrap()).unwrap();
        assert_eq!(again, localized);
        // A node that has one text: that text in each language.
        let plain: DataSet = serde_json::from_str(&set(r#""RRS § 21""#, r#""30 aastat""#)).unwrap();
        assert_eq!(plain.legal_basis, Localized::same("RRS § 21"));
        assert_eq!(plain.retention.en, "30 aastat");
    }
}
