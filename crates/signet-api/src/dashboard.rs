//! The data screens' operations: log in to every agency of the node list with one PIN1, what
//! each holds about the person, and the access log across agencies — every entry verified
//! against its log — as jobs for the window ([`crate::data`] does the protocol).

use std::sync::Mutex;

use serde::Serialize;
use signet_data::holdings::{FieldValue, Holdings, Localized};
use signet_token::{Pin, PinKind, PinState};

use crate::data::{DataError, LogProblem, NodeListing, VerifiedEntry};
use crate::job::{JobControl, Phase, Position, SigningAsk};
use crate::signing::Settings;
use crate::{ApiError, Context};

/// A text in the three languages of the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct LocalizedText {
    /// Estonian.
    pub et: String,
    /// English.
    pub en: String,
    /// Russian.
    pub ru: String,
}

impl LocalizedText {
    /// A localized text, or a plain string (kept by an older version) as that text in each
    /// language.
    fn or_plain<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Localized::or_plain(d).map(|l| Self {
            et: l.et,
            en: l.en,
            ru: l.ru,
        })
    }
}

impl From<&Localized> for LocalizedText {
    fn from(l: &Localized) -> Self {
        Self {
            et: crate::data::plain_text(&l.et),
            en: crate::data::plain_text(&l.en),
            ru: crate::data::plain_text(&l.ru),
        }
    }
}

/// One field of a record, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldView {
    /// The field's id in its data set (what a correction names); empty in a copy kept by an
    /// older version.
    #[serde(default)]
    pub id: String,
    /// The field's name.
    pub title: LocalizedText,
    /// Its value as text (a date `YYYY-MM-DD`, a time RFC 3339: the window writes them in its
    /// language).
    pub value: String,
    /// What kind of value it is; absent in a copy kept by an older version.
    #[serde(default)]
    pub kind: Option<signet_data::holdings::FieldKind>,
}

/// One record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RecordView {
    /// The record's id within its data set.
    pub id: String,
    /// When it last changed (RFC 3339).
    pub updated: String,
    /// Its fields.
    pub fields: Vec<FieldView>,
}

/// One data set an agency holds about the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DataSetView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub title: LocalizedText,
    /// The law it is kept under, in each language the node offers it in.
    #[serde(deserialize_with = "LocalizedText::or_plain")]
    pub legal_basis: LocalizedText,
    /// How long it is kept, in each language.
    #[serde(deserialize_with = "LocalizedText::or_plain")]
    pub retention: LocalizedText,
    /// When the person's data in it last changed (RFC 3339).
    pub last_change: Option<String>,
    /// The person's records in it.
    pub records: Vec<RecordView>,
}

/// Whether an agency answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum AgencyState {
    /// It answered.
    Answered,
    /// It did not answer now: what it answered last time, from the encrypted vault
    /// (`cached_at` says when).
    Cached,
    /// It did not answer or refused: nothing can be said about it (never "no data").
    NotCovered,
}

/// One agency of the node list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AgencyView {
    /// The node's address.
    pub node: String,
    /// The agency's name.
    pub name: String,
    /// Whether it answered.
    pub state: AgencyState,
    /// Why it did not.
    #[serde(default, skip_deserializing)]
    pub error: Option<ApiError>,
    /// What it holds about the person.
    pub data_sets: Vec<DataSetView>,
    /// When a cached answer was received (RFC 3339).
    pub cached_at: Option<String>,
}

/// What every agency holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DashboardView {
    /// The agencies, in the order of the node list.
    pub agencies: Vec<AgencyView>,
    /// When this was read (RFC 3339).
    pub as_of: String,
}

/// One use of the person's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AccessEntryView {
    /// The node whose log holds it.
    pub node: String,
    /// The agency.
    pub agency: String,
    /// Its index in that log.
    #[ts(type = "number")]
    pub index: u64,
    /// When (RFC 3339).
    pub time: Option<String>,
    /// Who received the data (organisation).
    pub receiver: Option<String>,
    /// The official, when disclosed.
    pub official: Option<String>,
    /// What was done, in the node's own words.
    pub action: Option<String>,
    /// The data sets the query released, by their ids at that agency (its holdings name them).
    #[serde(default)]
    pub data_sets: Vec<String>,
    /// Why.
    pub purpose: Option<String>,
    /// On which legal basis.
    pub legal_basis: Option<String>,
    /// Until when the agency kept it hidden from the person (a query disclosed at that date;
    /// nothing of it is served before).
    pub hidden_until: Option<String>,
    /// Its inclusion proof verified against a checkpoint the log's key signed, consistent with
    /// every earlier one the person saw.
    pub verified: bool,
    /// What came of it.
    pub outcome: EntryOutcome,
    /// The agency served it before, with a valid proof, and no longer does: it is shown from
    /// the vault's copy, with an alarm.
    #[serde(default)]
    pub removed: bool,
}

/// What came of a use of the person's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum EntryOutcome {
    /// The data was released.
    Served,
    /// Refused by the person's consent (or the data set's default).
    RefusedByConsent,
    /// Refused by the agency's rules on who may query what.
    RefusedByAuthorization,
    /// The person changed a consent.
    ConsentChanged,
    /// The person asked the agency to correct their data.
    CorrectionRequested,
    /// The agency accepted a correction the person asked for.
    CorrectionAccepted,
    /// The agency rejected a correction the person asked for, with a reason.
    CorrectionRejected,
    /// The person reported a use of their data as suspected misuse.
    MisuseReported,
    /// An outcome this version of Signet does not know.
    Unknown,
}

/// A log that failed verification, or a node that did not answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AccessProblem {
    /// The node.
    pub node: String,
    /// The agency.
    pub agency: String,
    /// The log was rewritten or a proof failed (an alarm), rather than the node not answering.
    pub tampered: bool,
    /// What happened and what to do.
    pub error: ApiError,
}

/// Every use of the person's data across agencies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AccessLogView {
    /// The entries, newest first.
    pub entries: Vec<AccessEntryView>,
    /// Logs that failed and nodes that did not answer.
    pub problems: Vec<AccessProblem>,
    /// When this was read (RFC 3339).
    pub as_of: String,
}

fn value_text(value: &FieldValue) -> String {
    let text = match value {
        FieldValue::Text(t) | FieldValue::Date(t) => t.clone(),
        FieldValue::DateTime(t) => t.to_string(),
        FieldValue::Integer(i) => i.to_string(),
        FieldValue::Boolean(b) => if *b { "✓" } else { "✗" }.to_owned(),
        FieldValue::Code { code, label } => format!("{label} ({code})"),
        _ => String::new(),
    };
    crate::data::plain_text(&text)
}

fn data_sets(holdings: &Holdings) -> Vec<DataSetView> {
    holdings
        .data_sets
        .iter()
        .map(|set| DataSetView {
            id: crate::data::plain_text(&set.id),
            title: (&set.title).into(),
            legal_basis: (&set.legal_basis).into(),
            retention: (&set.retention).into(),
            last_change: set.last_change.as_ref().map(ToString::to_string),
            records: holdings
                .records
                .iter()
                .filter(|r| r.data_set == set.id)
                .map(|r| RecordView {
                    id: crate::data::plain_text(&r.id),
                    updated: r.updated.to_string(),
                    fields: set
                        .fields
                        .iter()
                        .filter_map(|f| {
                            r.values.get(&f.id).map(|v| FieldView {
                                id: crate::data::plain_text(&f.id),
                                title: (&f.title).into(),
                                value: value_text(v),
                                kind: Some(f.kind),
                            })
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

pub(crate) fn agency_name(node: &NodeListing) -> String {
    node.name
        .as_deref()
        .map_or_else(|| node.url.clone(), crate::data::plain_text)
}

/// The secret asker of one data job: PIN1 (or a password) asked once through the job, then given
/// again from memory (wiped on drop) for every agency.
struct OnePin<'a> {
    job: &'a JobControl,
    kept: Mutex<Option<Pin>>,
}

impl OnePin<'_> {
    fn ask(&self, kind: PinKind, state: Option<PinState>) -> Result<Pin, ApiError> {
        let mut kept = self
            .kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(pin) = kept.as_ref().filter(|p| p.kind() == kind) {
            return crate::pades::copy_pin(pin);
        }
        let pin = self
            .job
            .ask(SigningAsk::default().request(kind, state, 0, false))?;
        *kept = Some(crate::pades::copy_pin(&pin)?);
        Ok(pin)
    }
}

pub(crate) fn for_each_node<T>(
    context: &Context,
    job: &JobControl,
    mut each: impl FnMut(
        &NodeListing,
        &mut dyn FnMut(PinKind, Option<PinState>) -> Result<Pin, ApiError>,
    ) -> T,
) -> Result<Vec<(NodeListing, T)>, ApiError> {
    let nodes = crate::data::node_list(context)?;
    let asker = OnePin {
        job,
        kept: Mutex::new(None),
    };
    let total = u32::try_from(nodes.len()).unwrap_or(u32::MAX);
    let mut out = Vec::new();
    for (i, node) in nodes.into_iter().enumerate() {
        job.check()?;
        job.phase(
            Phase::Reading,
            Some(&agency_name(&node)),
            Some(Position {
                n: u32::try_from(i + 1).unwrap_or(u32::MAX),
                of: total,
            }),
        );
        let mut ask = |kind: PinKind, state: Option<PinState>| asker.ask(kind, state);
        let result = each(&node, &mut ask);
        out.push((node, result));
    }
    Ok(out)
}

pub(crate) fn is_pin_trouble(err: &ApiError) -> bool {
    matches!(
        err.code,
        signet_core::Code::PinIncorrect
            | signet_core::Code::PinBlocked
            | signet_core::Code::Cancelled
    )
}

/// What every agency of the node list holds about the person: one PIN1 for all the logins
/// needed (sessions kept in the vault are used first). An agency that does not answer is "not
/// covered", never "no data".
pub fn dashboard(context: &Context, job: &JobControl) -> Result<DashboardView, ApiError> {
    let token = Settings::resolve(context, None, None)?.token;
    let mut stop: Option<ApiError> = None;
    let results = for_each_node(context, job, |node, ask| {
        if stop.is_some() {
            return None;
        }
        let result = crate::data::holdings(context, &node.url, &token, ask);
        if let Err(err) = &result
            && is_pin_trouble(err)
        {
            stop = Some(err.clone());
        }
        Some(result)
    })?;
    if let Some(err) = stop {
        return Err(err);
    }
    let mut cache = Cache::open(context);
    let agencies = results
        .into_iter()
        .map(|(node, result)| match result {
            Some(Ok(holdings)) => {
                let view = AgencyView {
                    node: node.url.clone(),
                    name: crate::data::plain_text(&holdings.agency),
                    state: AgencyState::Answered,
                    error: None,
                    data_sets: data_sets(&holdings),
                    cached_at: None,
                };
                cache.put_agency(&view);
                view
            }
            Some(Err(err)) => cache.agency(&node.url).map_or_else(
                || AgencyView {
                    node: node.url.clone(),
                    name: agency_name(&node),
                    state: AgencyState::NotCovered,
                    error: Some(err.clone()),
                    data_sets: Vec::new(),
                    cached_at: None,
                },
                |cached| AgencyView {
                    error: Some(err.clone()),
                    ..cached
                },
            ),
            None => AgencyView {
                node: node.url.clone(),
                name: agency_name(&node),
                state: AgencyState::NotCovered,
                error: None,
                data_sets: Vec::new(),
                cached_at: None,
            },
        })
        .collect();
    Ok(DashboardView {
        agencies,
        as_of: signet_pki::time::Utc(context.clock().now()).to_string(),
    })
}

/// One usage entry as the access log shows it.
pub fn entry_view(node: &NodeListing, entry: &VerifiedEntry) -> AccessEntryView {
    use signet_data::entry::Outcome;
    let text = |s: &str| crate::data::plain_text(s);
    let e = &entry.entry;
    AccessEntryView {
        node: node.url.clone(),
        agency: agency_name(node),
        index: entry.index,
        time: Some(e.log_time.to_string()),
        receiver: Some(format!(
            "{} ({})",
            text(&e.receiver.name),
            text(&e.receiver.code)
        )),
        official: e
            .initiator_person
            .as_ref()
            .and_then(|p| p.name.as_deref().map(text)),
        action: Some(text(&e.action)),
        data_sets: e.released.iter().map(|r| text(&r.data_set)).collect(),
        purpose: Some(text(&e.purpose)),
        legal_basis: e.legal_basis.as_deref().map(text),
        hidden_until: e.hidden_until.as_ref().map(ToString::to_string),
        verified: true,
        outcome: match &e.outcome {
            Outcome::Served => EntryOutcome::Served,
            Outcome::RefusedByConsent { .. } => EntryOutcome::RefusedByConsent,
            Outcome::RefusedByAuthorization { .. } => EntryOutcome::RefusedByAuthorization,
            Outcome::ConsentChanged { .. } => EntryOutcome::ConsentChanged,
            Outcome::CorrectionRequested { .. } => EntryOutcome::CorrectionRequested,
            Outcome::CorrectionAccepted { .. } => EntryOutcome::CorrectionAccepted,
            Outcome::CorrectionRejected { .. } => EntryOutcome::CorrectionRejected,
            Outcome::MisuseReported { .. } => EntryOutcome::MisuseReported,
            _ => EntryOutcome::Unknown,
        },
        removed: false,
    }
}

/// Every usage entry about the person across agencies, each verified (inclusion proof, the log
/// consistent with what the person saw before); a log that fails is a problem shown as an alarm,
/// never dropped silently.
pub fn access_log(context: &Context, job: &JobControl) -> Result<AccessLogView, ApiError> {
    let token = Settings::resolve(context, None, None)?.token;
    let mut stop: Option<ApiError> = None;
    let results = for_each_node(context, job, |node, ask| {
        if stop.is_some() {
            return None;
        }
        let result = crate::data::usage(context, &node.url, &token, ask);
        if let Err(DataError::Api(err)) = &result
            && is_pin_trouble(err)
        {
            stop = Some(err.clone());
        }
        Some(result)
    })?;
    if let Some(err) = stop {
        return Err(err);
    }
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let mut cache = Cache::open(context);
    for (node, result) in results {
        match result {
            Some(Ok(report)) => {
                let views: Vec<AccessEntryView> = report
                    .entries
                    .iter()
                    .map(|e| entry_view(&node, e))
                    .collect();
                // An entry verified on an earlier visit that the node no longer serves: an
                // alarm, and the entry stays shown from the vault's copy.
                let removed = cache.removed_since(&node.url, &views);
                cache.put_entries(&node.url, &views);
                entries.extend(views);
                entries.extend(removed);
            }
            Some(Err(DataError::Log(problem))) => {
                // What was verified on earlier visits stays shown beside the alarm.
                entries.extend(cache.entries(&node.url));
                problems.push(AccessProblem {
                    node: node.url.clone(),
                    agency: agency_name(&node),
                    tampered: true,
                    error: log_alarm(&problem),
                });
            }
            Some(Err(DataError::Api(err))) => {
                // Entries verified on earlier visits stay known while the node is away.
                entries.extend(cache.entries(&node.url));
                problems.push(AccessProblem {
                    node: node.url.clone(),
                    agency: agency_name(&node),
                    tampered: false,
                    error: err,
                });
            }
            None => {}
        }
    }
    entries.sort_by(|a, b| b.time.cmp(&a.time).then(b.index.cmp(&a.index)));
    Ok(AccessLogView {
        entries,
        problems,
        as_of: signet_pki::time::Utc(context.clock().now()).to_string(),
    })
}

fn log_alarm(problem: &LogProblem) -> ApiError {
    ApiError::new(signet_core::Code::InvalidInput, problem.message().to_owned()).recommend(
        "The agency's log of who used your data failed its proof: entries may have been changed or removed. Keep this as evidence and report it to the agency's data protection officer and the Data Protection Inspectorate.",
    )
}

/// Follows every agency's stream for which a session is kept (no PIN is asked: a node without
/// one is skipped), calling `on_new` with each entry that arrives after the listening started —
/// verified as [`crate::data::follow`] verifies it. Returns when the job is cancelled (a quiet
/// stream notices within one of the node's keep-alives); a node whose stream ends is followed
/// again after a pause.
pub fn listen(
    context: &Context,
    job: &JobControl,
    on_new: &(dyn Fn(AccessEntryView) + Sync),
    on_problem: &(dyn Fn(AccessProblem) + Sync),
) -> Result<(), ApiError> {
    let token = Settings::resolve(context, None, None)?.token;
    let nodes = crate::data::node_list(context)?;
    // Entries logged before listening started are not news, also when a node that was away
    // hands them over later.
    // (Five minutes of slack for a node's clock running behind.)
    let started =
        signet_pki::time::Utc(context.clock().now() - std::time::Duration::from_secs(300))
            .to_string();
    let started = &started;
    std::thread::scope(|scope| {
        for node in &nodes {
            let token = token.clone();
            scope.spawn(move || {
                let mut no_pin = |_: PinKind, _: Option<PinState>| -> Result<Pin, ApiError> {
                    Err(ApiError::new(
                        signet_core::Code::Cancelled,
                        "listening asks for no PIN: log in first",
                    ))
                };
                // What was there when listening started is not news.
                let mut seen = match crate::data::usage(context, &node.url, &token, &mut no_pin) {
                    Ok(report) => report.entries.iter().map(|e| e.index).max(),
                    Err(_) => None,
                };
                while !job.is_cancelled() {
                    let result = crate::data::follow(
                        context,
                        &node.url,
                        &token,
                        &mut no_pin,
                        &mut |entry| {
                            if seen.is_none_or(|s| entry.index > s) {
                                seen = Some(entry.index);
                                let view = entry_view(node, entry);
                                if view.time.as_ref().is_none_or(|t| t >= started) {
                                    on_new(view);
                                }
                            }
                            !job.is_cancelled()
                        },
                        &|| !job.is_cancelled(),
                    );
                    match result {
                        Err(DataError::Log(problem)) => on_problem(AccessProblem {
                            node: node.url.clone(),
                            agency: agency_name(node),
                            tampered: true,
                            error: log_alarm(&problem),
                        }),
                        Err(DataError::Api(err)) => {
                            tracing::info!(node = %node.url, code = %err.code, "not listening to a node for now");
                        }
                        Ok(()) => {}
                    }
                    // A pause before following again, cut short by a cancel.
                    for _ in 0..50 {
                        if job.is_cancelled() {
                            break;
                        }
                        std::thread::sleep(std::time::Duration::from_millis(100));
                    }
                }
            });
        }
    });
    Ok(())
}

/// What the data screens keep in the encrypted vault, so that the window shows the last verified
/// answers (with their time) when an agency is away. Where the vault cannot be opened (a keyring
/// vault without its keyring; a passphrase vault whose passphrase the person did not give),
/// nothing is kept — never a plain file.
struct Cache {
    vault: Option<signet_vault::Vault>,
    /// Why there is no vault.
    unopened: Option<crate::vault::Unopened>,
}

impl Cache {
    fn open(context: &Context) -> Self {
        match crate::vault::open(context) {
            Ok(vault) => Self {
                vault: Some(vault),
                unopened: None,
            },
            Err(err) => {
                tracing::info!(error = %err, "no vault: the data screens keep no copy");
                Self {
                    vault: None,
                    unopened: Some(err),
                }
            }
        }
    }

    fn put_agency(&mut self, view: &AgencyView) {
        let (Some(vault), Ok(id)) = (&mut self.vault, signet_vault::AgencyId::new(&view.node))
        else {
            return;
        };
        match serde_json::to_vec(view) {
            Ok(bytes) => {
                if let Err(err) = vault.put_holdings(&id, &bytes) {
                    tracing::warn!(error = %err, "the holdings could not be kept in the vault");
                }
            }
            Err(err) => tracing::warn!(error = %err, "the holdings could not be written"),
        }
    }

    fn agency(&self, node: &str) -> Option<AgencyView> {
        let vault = self.vault.as_ref()?;
        let id = signet_vault::AgencyId::new(node).ok()?;
        let snapshot = vault.holdings(&id).ok()??;
        let mut view: AgencyView = serde_json::from_slice(&snapshot.document).ok()?;
        view.state = AgencyState::Cached;
        view.cached_at = Some(signet_pki::time::Utc(snapshot.taken_at).to_string());
        Some(view)
    }

    fn put_entries(&mut self, node: &str, entries: &[AccessEntryView]) {
        let (Some(vault), Ok(log)) = (&mut self.vault, signet_vault::LogId::new(node)) else {
            return;
        };
        for entry in entries {
            if let Ok(bytes) = serde_json::to_vec(entry)
                && let Err(err) = vault.put_usage_entry(&log, entry.index, &bytes)
            {
                tracing::warn!(error = %err, "a usage entry could not be kept in the vault");
                return;
            }
        }
    }

    /// The entries kept from earlier visits that `served` lacks, marked removed, each raised
    /// as an alarm.
    fn removed_since(&mut self, node: &str, served: &[AccessEntryView]) -> Vec<AccessEntryView> {
        let served: std::collections::BTreeSet<u64> = served.iter().map(|e| e.index).collect();
        let mut removed: Vec<AccessEntryView> = self
            .entries(node)
            .into_iter()
            .filter(|e| !served.contains(&e.index))
            .collect();
        for entry in &mut removed {
            entry.removed = true;
            entry.verified = false;
            if let Some(vault) = &mut self.vault {
                crate::alarms::raise(vault, node, &crate::alarms::AlarmRecord::removed(entry));
            }
        }
        removed
    }

    fn entries(&self, node: &str) -> Vec<AccessEntryView> {
        let (Some(vault), Ok(log)) = (&self.vault, signet_vault::LogId::new(node)) else {
            return Vec::new();
        };
        vault
            .usage_entries(&log, 0)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| serde_json::from_slice(&e.entry).ok())
            .collect()
    }
}

/// What the vault holds from earlier visits, without asking any agency (the window shows it at
/// start, marked with its time). A wrong passphrase of the vault is an error.
pub fn cached(context: &Context) -> Result<Option<DashboardView>, ApiError> {
    // Nothing saved before the first visit: no vault is made (nor a passphrase asked) for it.
    if !crate::vault::exists(context) {
        return Ok(None);
    }
    let cache = Cache::open(context);
    let Some(vault) = &cache.vault else {
        return match cache.unopened {
            Some(crate::vault::Unopened::Stopped(err)) => Err(err),
            _ => Ok(None),
        };
    };
    let snapshots = vault.all_holdings().map_err(|e| {
        ApiError::new(e.code(), format!("the vault cannot be read: {e}"))
            .recommend(e.recommendation())
    })?;
    if snapshots.is_empty() {
        return Ok(None);
    }
    let nodes = crate::data::node_list(context)?;
    let agencies: Vec<AgencyView> = nodes.iter().filter_map(|n| cache.agency(&n.url)).collect();
    let oldest = snapshots.iter().map(|s| s.taken_at).min();
    Ok(Some(DashboardView {
        agencies,
        as_of: oldest.map_or_else(String::new, |t| signet_pki::time::Utc(t).to_string()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_data_sets_legal_basis_and_retention_are_shown_in_each_language() {
        let holdings: Holdings = serde_json::from_value(serde_json::json!({
            "agency": "Maksu- ja Tolliamet",
            "dataSets": [{
                "id": "income", "title": {"et": "Tulu", "en": "Income", "ru": "Доход"},
                "categories": [], "fields": [],
                "legalBasis": {"et": "Maksukorralduse seadus § 26", "en": "Taxation Act § 26",
                               "ru": "Закон о налогообложении § 26"},
                "retention": {"et": "7 aastat", "en": "7 years", "ru": "7 лет"}
            }],
            "records": []
        }))
        .unwrap();
        let view = &data_sets(&holdings)[0];
        assert_eq!(view.legal_basis.en, "Taxation Act § 26");
        assert_eq!(view.legal_basis.et, "Maksukorralduse seadus § 26");
        assert_eq!(view.retention.ru, "7 лет");
        // A view kept by an older version (one text): read, that text in each language.
        let mut kept = serde_json::to_value(view).unwrap();
        kept["legalBasis"] = "Maksukorralduse seadus § 26".into();
        kept["retention"] = "7 aastat".into();
        let old: DataSetView = serde_json::from_value(kept).unwrap();
        assert_eq!(old.retention.en, "7 aastat");
        assert_eq!(old.legal_basis.ru, "Maksukorralduse seadus § 26");
    }
}
