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
//! internalProcessings[] (+ source)}`. Entries still hidden (`hiddenUntil` in the future) are
//! not returned.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use signet_data::Timestamp;
use signet_data::entry::{PersonCode, ProcessingType, UsageEntry};

use crate::official::{XRoadError, header, member_of, xroad_error};
use crate::store::parse_entry;
use crate::tls::Peer;
use crate::{State, lock};

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

/// The subject's visible entries in the period, newest first, and the total before paging.
fn select(
    state: &State,
    headers: &HeaderMap,
    p: &Params,
) -> Result<(usize, Vec<UsageEntry>), XRoadError> {
    let user_id = header(headers, "x-road-userid")?.ok_or_else(|| {
        xroad_error(
            StatusCode::BAD_REQUEST,
            "Client.MissingHeader",
            "X-Road-UserId is mandatory",
        )
    })?;
    let subject = PersonCode::new(p.user_code.as_deref().unwrap_or(&user_id))
        .map_err(|_| bad("userCode is not EE followed by 11 digits"))?;
    let now = Timestamp::from_system(state.clock.now());
    let internal = |e: crate::NodeError| {
        tracing::error!(error = %e, "findUsage failed");
        xroad_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Server.ServerProxy.InternalError",
            "the node could not answer",
        )
    };
    let stored = lock(&state.log)
        .store
        .entries_of(subject.as_str(), None, u64::MAX, usize::MAX)
        .map_err(internal)?;
    let mut entries = Vec::new();
    for e in stored {
        let entry = parse_entry(&e.entry).map_err(internal)?;
        let visible = entry.hidden_until.is_none_or(|t| t <= now)
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

fn check_caller(
    state: &State,
    provider: &str,
    headers: &HeaderMap,
    peer: &Option<Extension<Peer>>,
) -> Result<(), XRoadError> {
    if provider != state.provider {
        return Err(xroad_error(
            StatusCode::NOT_FOUND,
            "Server.ServerProxy.UnknownService",
            format!("this node is {}, not {provider}", state.provider),
        ));
    }
    member_of(state, headers, peer.as_ref().map(|Extension(p)| p)).map(|_| ())
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
    answer((|| {
        check_caller(&state, &provider_of(path), &headers, &peer)?;
        let p = parse_params(query.as_deref())?;
        if !p.processing_types.is_empty() || p.include_bulk {
            return Err(bad(
                "processingType and includeBulkProcessing are v3 parameters",
            ));
        }
        let (total, entries) = select(&state, &headers, &p)?;
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
    })())
}

/// `GET /r1/{provider}/findUsage/v3/findUsage`.
pub(crate) async fn v3(
    AxumState(state): AxumState<Arc<State>>,
    peer: Option<Extension<Peer>>,
    path: ProviderPath,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    answer((|| {
        check_caller(&state, &provider_of(path), &headers, &peer)?;
        let p = parse_params(query.as_deref())?;
        let (total, entries) = select(&state, &headers, &p)?;
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
    })())
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
