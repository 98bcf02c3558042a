//! How the person wants to be told of uses of their data, per agency: at every query, in a daily
//! digest, or not at all — so that routine automated queries do not drown the rare police query.
//! Kept in `listening.json` in the data folder, beside the other settings; read by the desktop
//! for every entry that arrives. An alarm about an agency's log is always told.
//!
//! The daily digest ([`Digest`]) holds the uses told that way and gives them, counted per agency,
//! at the first check on a later day (UTC).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use signet_core::Code;

use crate::{ApiError, Context};

/// The file, in the data folder.
pub const LISTENING_FILE: &str = "listening.json";

/// How the person is told of one agency's uses of their data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum NotifyMode {
    /// A notification for every use.
    #[default]
    EveryQuery,
    /// One notification a day, counting the uses.
    DailyDigest,
    /// No notification (the access log still shows every use).
    Off,
}

/// The person's listening settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ListeningSettings {
    /// By agency node (its address, as in the node list); an agency not named is told at every
    /// query.
    #[serde(default)]
    pub agencies: BTreeMap<String, NotifyMode>,
}

impl ListeningSettings {
    /// How uses by the agency at `node` are told.
    pub fn mode(&self, node: &str) -> NotifyMode {
        self.agencies.get(node).copied().unwrap_or_default()
    }
}

/// An agency the person may choose for, from the node list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ListeningAgency {
    /// Its node's address.
    pub node: String,
    /// Its name.
    pub name: String,
    /// How its uses are told.
    pub mode: NotifyMode,
}

fn path(context: &Context) -> PathBuf {
    context.data_dir().join(LISTENING_FILE)
}

/// The settings; the defaults when there is no file. A file that cannot be read is reported in
/// the log and the defaults apply (every use told), never fewer notifications than asked.
pub fn load(context: &Context) -> ListeningSettings {
    crate::settings::read_json(&path(context), "the listening settings")
}

/// Every agency of the node list, with how its uses are told.
pub fn agencies(context: &Context) -> Result<Vec<ListeningAgency>, ApiError> {
    let settings = load(context);
    Ok(crate::data::node_list(context)?
        .iter()
        .map(|n| ListeningAgency {
            node: n.url.clone(),
            name: crate::dashboard::agency_name(n),
            mode: settings.mode(&n.url),
        })
        .collect())
}

/// Sets how uses by the agency at `node` (one of the node list) are told; stores the settings
/// atomically and returns every agency's choice.
pub fn set_mode(
    context: &Context,
    node: &str,
    mode: NotifyMode,
) -> Result<Vec<ListeningAgency>, ApiError> {
    if !crate::data::node_list(context)?
        .iter()
        .any(|n| n.url == node)
    {
        return Err(ApiError::new(
            Code::InvalidInput,
            format!("{node} is not an agency in Signet's list"),
        )
        .recommend("Choose one of the agencies listed."));
    }
    let mut settings = load(context);
    if mode == NotifyMode::EveryQuery {
        settings.agencies.remove(node);
    } else {
        settings.agencies.insert(node.to_owned(), mode);
    }
    crate::settings::write_json(&path(context), &settings, "the listening settings")?;
    tracing::info!(?mode, "listening settings saved");
    agencies(context)
}

/// The uses held for the daily digest.
#[derive(Debug, Default)]
pub struct Digest {
    /// The day (days since 1970, UTC) the first held use arrived.
    day: Option<u64>,
    /// Uses per agency.
    counts: BTreeMap<String, u32>,
}

impl Digest {
    /// The day of `now` (days since 1970, UTC).
    pub fn day_of(now: std::time::SystemTime) -> u64 {
        now.duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() / 86_400)
    }

    /// Holds one use by `agency`, arrived on `day`.
    pub fn hold(&mut self, agency: &str, day: u64) {
        self.day.get_or_insert(day);
        *self.counts.entry(agency.to_owned()).or_default() += 1;
    }

    /// The uses held, per agency, once `today` is a later day than the first of them; then
    /// nothing is held any more.
    pub fn due(&mut self, today: u64) -> Option<Vec<(String, u32)>> {
        if self.day.is_some_and(|d| today > d) {
            self.day = None;
            Some(std::mem::take(&mut self.counts).into_iter().collect())
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agency_is_told_at_every_query_unless_the_person_chose_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let context = Context::new(dir.path());
        std::fs::write(
            dir.path().join("nodes.json"),
            r#"{"nodes":[{"url":"https://rr.example","logKey":"rr.example/usage+01234567+AAAA","name":"Rahvastikuregister"},{"url":"https://tis.example","logKey":"tis.example/usage+01234567+AAAA"}]}"#,
        )
        .unwrap();
        assert_eq!(
            load(&context).mode("https://rr.example"),
            NotifyMode::EveryQuery
        );
        let all = set_mode(&context, "https://rr.example", NotifyMode::DailyDigest).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].name, "Rahvastikuregister");
        assert_eq!(all[0].mode, NotifyMode::DailyDigest);
        assert_eq!(all[1].mode, NotifyMode::EveryQuery);
        set_mode(&context, "https://tis.example", NotifyMode::Off).unwrap();
        let settings = load(&context);
        assert_eq!(settings.mode("https://rr.example"), NotifyMode::DailyDigest);
        assert_eq!(settings.mode("https://tis.example"), NotifyMode::Off);
        // Back to every query: nothing kept for it.
        set_mode(&context, "https://rr.example", NotifyMode::EveryQuery).unwrap();
        assert_eq!(load(&context).agencies.len(), 1);
        // Only agencies of the list.
        let err = set_mode(&context, "https://evil.example", NotifyMode::Off).unwrap_err();
        assert_eq!(err.code, Code::InvalidInput);
        // A damaged file: every use is told.
        std::fs::write(dir.path().join(LISTENING_FILE), b"{not json").unwrap();
        assert_eq!(
            load(&context).mode("https://tis.example"),
            NotifyMode::EveryQuery
        );
    }

    #[test]
    fn the_digest_counts_a_day_and_gives_it_on_a_later_day() {
        let mut digest = Digest::default();
        assert_eq!(digest.due(10), None);
        digest.hold("Rahvastikuregister", 10);
        digest.hold("Rahvastikuregister", 10);
        digest.hold("Maksu- ja Tolliamet", 10);
        assert_eq!(digest.due(10), None, "not the same day");
        assert_eq!(
            digest.due(11),
            Some(vec![
                ("Maksu- ja Tolliamet".to_owned(), 1),
                ("Rahvastikuregister".to_owned(), 2)
            ])
        );
        assert_eq!(digest.due(12), None, "given once");
        assert_eq!(
            Digest::day_of(std::time::UNIX_EPOCH + std::time::Duration::from_secs(86_400 * 3 + 5)),
            3
        );
    }
}
