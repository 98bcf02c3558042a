//! The Data Tracker's `findUsage` service (e-gov/AJ), as the state portal calls it through
//! X-Road on a person's request, over the same usage entries.
//!
//! REST v2 (`dumonitor-openapi.yaml` 2.1.0, protocol 1.6): "`GET …/findUsage/v2/findUsage` —
//! header `X-Road-UserId` (mandatory here: the initiator's code); query `userCode` (data
//! subject; differs under representation), `periodStart`, `periodEnd`, `offset` (0), `limit`
//! (1000) → `{totalUsages, usages: [{logtime, action, receiverCode, receiverName?,
//! receiverSystem}]}`, newest first"; `usagePeriod` → `{periodStart, periodEnd?}`; `heartbeat`
//! → `{status, message}`. REST v3 (`dumonitor-openapi-v3.yaml`, 3.0.0-rc.3): `processingType[]`,
//! `includeBulkProcessing` (default false), `limit` 1..10000, and the answer
//! `{totalUsages, returnedUsages, dataRequests[], dataResponses[] (+ target), dataProcessings[],
//! internalProcessings[] (+ source)}`. Entries still hidden from the person (`hiddenUntil` in
//! the future) are neither returned nor counted.
//!
//! Only a portal member ([`crate::Member::portal`]) may ask, and only the person's own role is
//! answered: the subject (`userCode`, or `X-Road-UserId` without
//! it) must be the initiator named in `X-Road-UserId` (the node keeps no representation
//! records, so nobody answers for another person). Each `findUsage` answer is itself a use of
//! the person's data: it is logged as a usage entry before it leaves.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use signet_data::Timestamp;
use signet_data::entry::{
    InitiatorPerson, Outcome, PersonCode, ProcessingType, ReleasedData, Salt, UsageEntry,
};

use crate::official::{XRoadError, header, member_of, xroad_error};
use crate::store::parse_entry;
use crate::tls::Peer;
use crate::{Member, NodeError, State, lock, random};

const MAX_LIMIT: usize = 10_000;

struct Params {
    user_code: Option<String>,
    period_start: Option<Timestamp>,
    period_end: Option<Timestamp>,
    offset: usize,
    limit: usize,
    processing_types: Vec<ProcessingType>,
    include_bulk: bool,
}

fn bad(message: impl Into<String>) -> XRoadError {
    xroad_error(StatusCode::BAD_REQUEST, "Client.InvalidParameter", message)
}

fn parse_params(query: Option<&str>) -> Result<Params, XRoadError> {
    let mut p = Params {
        user_code: None,
        period_start: None,
        period_end: None,
        offset: 0,
        limit: 1000,
        processing_types: Vec::new(),
        include_bulk: false,
    };
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|s| !s.is_empty())
    {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = crate::official::percent_decode(&value.replace('+', " "))
            .ok_or_else(|| bad(format!("{key} is not percent-encoded UTF-8")))?;
        let time = |v: &str| v.parse::<Timestamp>().map_err(|e| bad(e.to_string()));
        match key {
            "userCode" => p.user_code = Some(value),
            "periodStart" => p.period_start = Some(time(&value)?),
            "periodEnd" => p.period_end = Some(time(&value)?),
            "offset" => p.offset = value.parse().map_err(|_| bad("offset is not a number"))?,
            "limit" => {
                p.limit = value
                    .parse()
                    .ok()
                    .filter(|l| (1..=MAX_LIMIT).contains(l))
                    .ok_or_else(|| bad(format!("limit must be 1 to {MAX_LIMIT}")))?;
            }
            "processingType" => p.processing_types.push(
                serde_json::from_value(serde_json::Value::String(value))
                    .map_err(|_| bad("unknown processingType"))?,
            ),
            "includeBulkProcessing" => p.include_bulk = value == "true",
            other => return Err(bad(format!("unknown parameter {other}"))),
        }
    }
    Ok(p)
}

fn internal(e: NodeError) -> XRoadError {
    tracing::error!(error = %e, "findUsage failed");
    xroad_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Server.ServerProxy.InternalError",
        "the node could not answer",
    )
}

/// The person the answer is about: the initiator's own code. A `userCode` naming someone else
/// is refused (the node keeps no representation records).
fn subject_of(headers: &HeaderMap, p: &Params) -> Result<PersonCode, XRoadError> {
    let user_id = header(headers, "x-road-userid")?.ok_or_else(|| {
        xroad_error(
            StatusCode::BAD_REQUEST,
            "Client.MissingHeader",
            "X-Road-UserId is mandatory",
        )
    })?;
    let user = PersonCode::new(&user_id)
        .map_err(|_| bad("X-Road-UserId is not EE followed by 11 digits"))?;
    let subject = match &p.user_code {
        Some(code) => {
            PersonCode::new(code).map_err(|_| bad("userCode is not EE followed by 11 digits"))?
        }
        None => user.clone(),
    };
    if subject != user {
        tracing::warn!("findUsage about another person than the initiator refused");
        return Err(xroad_error(
            StatusCode::FORBIDDEN,
            "Client.NotAuthorized",
            "findUsage answers only the person's own usage: userCode must be X-Road-UserId \
             (this node keeps no representation records)",
        ));
    }
    Ok(subject)
}

/// The subject's visible entries in the period, newest first, and the total before paging;
/// the call itself is logged as a usage entry of the subject (after the selection, under the
/// same lock) before anything is answered.
fn select(
    state: &State,
    member: &Member,
    headers: &HeaderMap,
    p: &Params,
    action: &str,
) -> Result<(usize, Vec<UsageEntry>), XRoadError> {
    let subject = subject_of(headers, p)?;
    let now = Timestamp::from_system(state.clock.now());
    let entry = UsageEntry {
        subject: subject.clone(),
        log_time: now,
        action: action.to_owned(),
        purpose: "Andmejälgija: isiku enda andmete kasutuse päring (findUsage)".into(),
        receiver: member.organization.clone(),
        initiator_org: Some(member.organization.clone()),
        initiator_person: Some(InitiatorPerson {
            code: Some(subject.as_str().to_owned()),
            alternative_code: None,
            name: None,
        }),
        legal_basis: None,
        consent_reference: None,
        query_id: Some(match header(headers, "x-road-id")? {
            Some(id) => id,
            None => random::<16>()
                .map_err(internal)?
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        }),
        query_group_id: header(headers, "x-road-issue")?,
        bulk_processing: false,
        processing_type: ProcessingType::DataResponse,
        log_source_system: None,
        hidden_reason: None,
        hidden_until: None,
        released: vec![ReleasedData {
            data_set: "findUsage".into(),
            fields: vec!["usages".into()],
        }],
        outcome: Outcome::Served,
    };
    let salt = Salt(random::<32>().map_err(internal)?);
    let stored = {
        let mut log = lock(&state.log);
        let stored = log
            .store
            .entries_of(subject.as_str(), None, u64::MAX, usize::MAX)
            .map_err(internal)?;
        let index = log.append(&entry, &salt).map_err(internal)?;
        tracing::info!(client = %member.client, index, "findUsage logged");
        (stored, index)
    };
    let (stored, index) = stored;
    // The answer leaves only once its entry is durable (group commit).
    crate::durable::wait_for(state, index).map_err(internal)?;
    let mut entries = Vec::new();
    for e in stored {
        let entry = parse_entry(&e.entry).map_err(internal)?;
        // A query hidden from the person does not exist for them until its date.
        let visible = !entry.is_hidden_at(now)
            && p.period_start.is_none_or(|t| entry.log_time >= t)
            && p.period_end.is_none_or(|t| entry.log_time <= t)
            && (p.include_bulk || !entry.bulk_processing)
            && (p.processing_types.is_empty()
                || p.processing_types.contains(&entry.processing_type));
        if visible {
            entries.push(entry);
        }
    }
    entries.reverse();
    let total = entries.len();
    Ok((
        total,
        entries.into_iter().skip(p.offset).take(p.limit).collect(),
    ))
}

fn check_caller<'s>(
    state: &'s State,
    provider: &str,
    headers: &HeaderMap,
    peer: &Option<Extension<Peer>>,
) -> Result<&'s Member, XRoadError> {
    if provider != state.provider {
        return Err(xroad_error(
            StatusCode::NOT_FOUND,
            "Server.ServerProxy.UnknownService",
            format!("this node is {}, not {provider}", state.provider),
        ));
    }
    member_of(state, headers, peer.as_ref().map(|Extension(p)| p))
}

/// The member, when it may call findUsage: a portal ([`Member::portal`]) alone, since the
/// person it names in `X-Road-UserId` is the member's own word.
fn portal<'s>(
    state: &'s State,
    provider: &str,
    headers: &HeaderMap,
    peer: &Option<Extension<Peer>>,
) -> Result<&'s Member, XRoadError> {
    let member = check_caller(state, provider, headers, peer)?;
    if !member.portal {
        tracing::warn!(client = %member.client, "findUsage from a member that is not a portal refused");
        return Err(xroad_error(
            StatusCode::FORBIDDEN,
            "Client.NotAuthorized",
            "findUsage answers a person through their portal only; this member is not one",
        ));
    }
    Ok(member)
}

/// Runs a findUsage call off the async worker threads: it writes a usage entry.
async fn blocking(
    state: Arc<State>,
    f: impl FnOnce(&State) -> Result<serde_json::Value, XRoadError> + Send + 'static,
) -> Response {
    match tokio::task::spawn_blocking(move || f(&state)).await {
        Ok(result) => answer(result),
        Err(e) => internal(NodeError::Internal(format!(
            "the findUsage task failed: {e}"
        )))
        .into_response(),
    }
}

fn answer(result: Result<serde_json::Value, XRoadError>) -> Response {
    match result {
        Ok(body) => Json(body).into_response(),
        Err(e) => e.into_response(),
    }
}

type ProviderPath = Path<(String, String, String, String)>;

fn provider_of(Path((instance, class, code, subsystem)): ProviderPath) -> String {
    [instance, class, code, subsystem].join("/")
}

/// `GET /r1/{provider}/findUsage/v2/findUsage`.
pub(crate) async fn v2(
    AxumState(state): AxumState<Arc<State>>,
    peer: Option<Extension<Peer>>,
    path: ProviderPath,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let provider = provider_of(path);
    blocking(state, move |state| {
        let member = portal(state, &provider, &headers, &peer)?;
        let p = parse_params(query.as_deref())?;
        if !p.processing_types.is_empty() || p.include_bulk {
            return Err(bad(
                "processingType and includeBulkProcessing are v3 parameters",
            ));
        }
        let (total, entries) = select(state, member, &headers, &p, "findUsage v2")?;
        let usages: Vec<_> = entries
            .iter()
            .map(|e| {
                serde_json::json!({
                    "logtime": e.log_time,
                    "action": e.action,
                    "receiverCode": e.receiver.code,
                    "receiverName": e.receiver.name,
                    "receiverSystem": e.receiver.system_name,
                })
            })
            .collect();
        Ok(serde_json::json!({"totalUsages": total, "usages": usages}))
    })
    .await
}

/// `GET /r1/{provider}/findUsage/v3/findUsage`.
pub(crate) async fn v3(
    AxumState(state): AxumState<Arc<State>>,
    peer: Option<Extension<Peer>>,
    path: ProviderPath,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let provider = provider_of(path);
    blocking(state, move |state| {
        let member = portal(state, &provider, &headers, &peer)?;
        let p = parse_params(query.as_deref())?;
        let (total, entries) = select(state, member, &headers, &p, "findUsage v3")?;
        let mut groups: [Vec<serde_json::Value>; 4] = Default::default();
        for e in &entries {
            let mut item = serde_json::to_value(e).map_err(|_| bad("entry"))?;
            let slot = match e.processing_type {
                ProcessingType::DataRequest => 0,
                ProcessingType::DataResponse => {
                    item["target"] = serde_json::to_value(&e.receiver).unwrap_or_default();
                    1
                }
                ProcessingType::DataProcessing => 2,
                _ => {
                    item["source"] = serde_json::to_value(&e.receiver).unwrap_or_default();
                    3
                }
            };
            groups[slot].push(item);
        }
        let [requests, responses, processings, internals] = groups;
        Ok(serde_json::json!({
            "totalUsages": total,
            "returnedUsages": entries.len(),
            "dataRequests": requests,
            "dataResponses": responses,
            "dataProcessings": processings,
            "internalProcessings": internals,
        }))
    })
    .await
}

/// `GET /r1/{provider}/findUsage/v2/usagePeriod`: the node keeps every entry it logged.
pub(crate) async fn usage_period(
    AxumState(state): AxumState<Arc<State>>,
    peer: Option<Extension<Peer>>,
    path: ProviderPath,
    headers: HeaderMap,
) -> Response {
    answer((|| {
        check_caller(&state, &provider_of(path), &headers, &peer)?;
        let first = lock(&state.log)
            .store
            .entries_between(0, 1)
            .ok()
            .and_then(|v| v.into_iter().next())
            .and_then(|e| parse_entry(&e.entry).ok())
            .map(|e| e.log_time)
            .unwrap_or_else(|| Timestamp::from_system(state.clock.now()));
        Ok(serde_json::json!({"periodStart": first}))
    })())
}

/// `GET /r1/{provider}/findUsage/v2/heartbeat`.
pub(crate) async fn heartbeat(
    AxumState(state): AxumState<Arc<State>>,
    peer: Option<Extension<Peer>>,
    path: ProviderPath,
    headers: HeaderMap,
) -> Response {
    answer((|| {
        check_caller(&state, &provider_of(path), &headers, &peer)?;
        Ok(serde_json::json!({"status": "OK", "message": "the usage log answers"}))
    })())
}
