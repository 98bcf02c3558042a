//! Official queries, as another agency's information system makes them through X-Road.
//!
//! `GET /r1/{INSTANCE}/{MEMBERCLASS}/{MEMBERCODE}/{SUBSYSTEM}/getRecords/{personCode}/{dataSet}`
//! (X-Road PR-REST 1.0.4 §4: the service provider's identifier, the service code, then the
//! service's own path). Headers: `X-Road-Client: INSTANCE/CLASS/MEMBER/SUBSYSTEM` (mandatory),
//! `X-Road-Id` (the message id; echoed back), `X-Road-UserId` (the official), `X-Road-Issue`
//! (the case), and the Data Tracker consumer extension (PR-PDU-REST v0.1.0, percent-encoded
//! UTF-8): `X-Road-PDU-Purpose` (mandatory), `-Legal-Basis`, `-Consent-Reference`,
//! `-Bulk-Processing`, `-Initiator-Person-Name`, `-Initiator-Person-Alternative-Code`.
//!
//! Every query about a person is decided before any data leaves — the node's authorization for
//! the data set, then the person's consents and the data set's default (`crate::access`) — and,
//! served or refused, appends a usage entry naming the rule that refused it before the answer
//! leaves; the member learns only that it was refused. Errors follow PR-REST: `{type, message, detail}`, 400 for
//! protocol violations.

use std::sync::Arc;

use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use signet_data::Timestamp;
use signet_data::entry::{
    InitiatorPerson, Outcome, PersonCode, ProcessingType, ReleasedData, Salt, UsageEntry,
};

use crate::access::{ConsentOutcome, Query, decide_consent};
use crate::tls::Peer;
use crate::{Member, NodeError, State, lock, random};

/// An X-Road error answer, `{type, message, detail}`.
#[derive(Debug)]
pub(crate) struct XRoadError {
    status: StatusCode,
    kind: &'static str,
    message: String,
}

pub(crate) fn xroad_error(
    status: StatusCode,
    kind: &'static str,
    message: impl Into<String>,
) -> XRoadError {
    XRoadError {
        status,
        kind,
        message: message.into(),
    }
}

impl IntoResponse for XRoadError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"type": self.kind, "message": self.message, "detail": null});
        (self.status, Json(body)).into_response()
    }
}

/// Decodes a percent-encoded UTF-8 header value.
pub(crate) fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A character that may not appear in text shown to the person: C0 and C1 controls (and DEL),
/// and the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069),
/// which can make a purpose or a name read differently from what was logged.
pub(crate) fn forbidden_in_text(c: char) -> bool {
    c.is_control()
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// A header's percent-decoded text: at most 1000 characters, none of them
/// [`forbidden_in_text`].
pub(crate) fn header(headers: &HeaderMap, name: &str) -> Result<Option<String>, XRoadError> {
    let Some(v) = headers.get(name) else {
        return Ok(None);
    };
    let text = v
        .to_str()
        .ok()
        .and_then(percent_decode)
        .filter(|s| s.chars().count() <= 1000)
        .ok_or_else(|| {
            xroad_error(
                StatusCode::BAD_REQUEST,
                "Client.InvalidHeader",
                format!("{name} is not percent-encoded UTF-8 of at most 1000 characters"),
            )
        })?;
    if let Some(c) = text.chars().find(|&c| forbidden_in_text(c)) {
        return Err(xroad_error(
            StatusCode::BAD_REQUEST,
            "Client.InvalidHeader",
            format!(
                "{name} contains U+{:04X}: control characters and bidirectional overrides \
                 (U+202A to U+202E, U+2066 to U+2069) are not allowed in text shown to the person",
                u32::from(c)
            ),
        ));
    }
    Ok(Some(text))
}

fn internal(e: NodeError) -> XRoadError {
    tracing::error!(error = %e, "official query failed");
    xroad_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Server.ServerProxy.InternalError",
        "the node could not answer",
    )
}

/// The member organisation named by `X-Road-Client`. On the mutual-TLS listener the
/// connection's client certificate must be that member's; without one configured (loopback
/// development), the header alone names it.
pub(crate) fn member_of<'s>(
    state: &'s State,
    headers: &HeaderMap,
    peer: Option<&Peer>,
) -> Result<&'s Member, XRoadError> {
    let client = header(headers, "x-road-client")?.ok_or_else(|| {
        xroad_error(
            StatusCode::BAD_REQUEST,
            "Client.MissingHeader",
            "X-Road-Client is mandatory",
        )
    })?;
    let member = state
        .members
        .iter()
        .find(|m| m.client == client)
        .ok_or_else(|| {
            tracing::warn!(client = %client, "query from an organisation that is not a member");
            xroad_error(
                StatusCode::FORBIDDEN,
                "Client.NotMember",
                "the client is not a member of this node",
            )
        })?;
    if state.official_tls {
        let presented = peer.and_then(|p| p.certificate.as_deref());
        if presented.is_none() || presented != member.certificate.as_deref() {
            tracing::warn!(client = %client, "the TLS client certificate is not this member's");
            return Err(xroad_error(
                StatusCode::FORBIDDEN,
                "Client.NotMember",
                "the TLS client certificate is not the certificate of the member named in X-Road-Client",
            ));
        }
    }
    Ok(member)
}

/// `X-Road-PDU-Hidden`, `-Hidden-Reason`, `-Hidden-Until`: hidden means hidden from the person
/// until a date, so a hidden query needs both a reason and a date ("Hidden-Until requires
/// Hidden-Reason" in PR-PDU-REST; Signet requires the date too), the date after `now` and at
/// most [`crate::NodeConfig::max_hidden`] after it; only a member allowed to hide may.
fn hiding(
    state: &State,
    member: &Member,
    headers: &HeaderMap,
    now: Timestamp,
) -> Result<(Option<String>, Option<Timestamp>), XRoadError> {
    let hidden =
        header(headers, "x-road-pdu-hidden")?.is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let reason = header(headers, "x-road-pdu-hidden-reason")?;
    let until = header(headers, "x-road-pdu-hidden-until")?
        .map(|t| {
            t.parse::<Timestamp>().map_err(|e| {
                xroad_error(
                    StatusCode::BAD_REQUEST,
                    "Client.InvalidHeader",
                    e.to_string(),
                )
            })
        })
        .transpose()?;
    if !hidden && reason.is_none() && until.is_none() {
        return Ok((None, None));
    }
    if !member.may_hide {
        return Err(xroad_error(
            StatusCode::FORBIDDEN,
            "Client.HidingNotAllowed",
            "this member may not hide its queries from the person",
        ));
    }
    let max_days = state.max_hidden.as_secs() / 86_400;
    let invalid =
        |message: String| xroad_error(StatusCode::BAD_REQUEST, "Client.InvalidHeader", message);
    let Some(reason) = reason.filter(|r| !r.trim().is_empty()) else {
        return Err(invalid(
            "a hidden query needs X-Road-PDU-Hidden-Reason: why the person may not know of it yet"
                .into(),
        ));
    };
    let Some(until) = until else {
        return Err(invalid(format!(
            "a hidden query needs X-Road-PDU-Hidden-Until: the date the person may learn of it \
             (at most {max_days} days from now on this node)"
        )));
    };
    if until <= now {
        return Err(invalid(format!(
            "X-Road-PDU-Hidden-Until ({until}) is not in the future: send the query without hiding it"
        )));
    }
    if until.unix() - now.unix() > state.max_hidden.as_secs() {
        tracing::warn!(client = %member.client, "a query hidden for longer than the node allows refused");
        return Err(invalid(format!(
            "X-Road-PDU-Hidden-Until ({until}) is more than {max_days} days from now, the longest \
             this node hides a query from the person; send a nearer date"
        )));
    }
    Ok((Some(reason), Some(until)))
}

/// `GET /r1/…/getRecords/{personCode}/{dataSet}`.
pub(crate) async fn get_records(
    AxumState(state): AxumState<Arc<State>>,
    peer: Option<Extension<Peer>>,
    Path((instance, class, code, subsystem, person, data_set)): Path<(
        String,
        String,
        String,
        String,
        String,
        String,
    )>,
    headers: HeaderMap,
) -> Response {
    // The entry is written to SQLite under the log's lock: off the async worker threads.
    let provider = [instance, class, code, subsystem].join("/");
    let outcome = tokio::task::spawn_blocking(move || {
        handle(
            &state,
            &provider,
            &person,
            &data_set,
            &headers,
            peer.as_ref().map(|Extension(p)| p),
        )
    })
    .await;
    match outcome {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => e.into_response(),
        Err(e) => {
            internal(NodeError::Internal(format!("the query task failed: {e}"))).into_response()
        }
    }
}

fn handle(
    state: &State,
    provider: &str,
    person: &str,
    data_set: &str,
    headers: &HeaderMap,
    peer: Option<&Peer>,
) -> Result<Response, XRoadError> {
    if provider != state.provider {
        return Err(xroad_error(
            StatusCode::NOT_FOUND,
            "Server.ServerProxy.UnknownService",
            format!("this node is {}, not {provider}", state.provider),
        ));
    }
    let member = member_of(state, headers, peer)?;
    let client = member.client.clone();
    let purpose = header(headers, "x-road-pdu-purpose")?
        .filter(|p| !p.trim().is_empty())
        .ok_or_else(|| {
            xroad_error(
                StatusCode::BAD_REQUEST,
                "Client.MissingHeader",
                "X-Road-PDU-Purpose is mandatory",
            )
        })?;
    let subject = PersonCode::new(person).map_err(|_| {
        xroad_error(
            StatusCode::BAD_REQUEST,
            "Client.InvalidPath",
            "the person code is not EE followed by 11 digits",
        )
    })?;
    let query_id = match header(headers, "x-road-id")? {
        Some(id) => id,
        None => random::<16>()
            .map_err(internal)?
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    };
    let official_code = header(headers, "x-road-userid")?;
    let official_name = header(headers, "x-road-pdu-initiator-person-name")?;
    let official_alt = header(headers, "x-road-pdu-initiator-person-alternative-code")?;
    let initiator_person = (official_code.is_some()
        || official_name.is_some()
        || official_alt.is_some())
    .then_some(InitiatorPerson {
        code: official_code,
        alternative_code: official_alt,
        name: official_name,
    });
    let now = Timestamp::from_system(state.clock.now());
    let (hidden_reason, hidden_until) = hiding(state, member, headers, now)?;
    let bulk = header(headers, "x-road-pdu-bulk-processing")?
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));

    let legal_basis = header(headers, "x-road-pdu-legal-basis")?;
    let issue = header(headers, "x-road-issue")?;
    let organization = crate::access::organization_of(&client);

    let salt = Salt(random::<32>().map_err(internal)?);
    let (index, status, body) = {
        let mut log = lock(&state.log);
        let known = log.store.data_sets().map_err(internal)?;
        let Some(set) = known.iter().find(|s| s.id == data_set) else {
            return Err(xroad_error(
                StatusCode::NOT_FOUND,
                "Client.UnknownDataSet",
                format!("no data set {data_set}"),
            ));
        };
        let query = Query {
            organization: &organization,
            person: &subject,
            purpose: &purpose,
            legal_basis: legal_basis.as_deref(),
            issue: issue.as_deref(),
        };
        // Authorization, then the person's consents and the data set's default: decided
        // before any record is read.
        let (outcome, consent_reference) = match state.access.authorize(data_set, &query) {
            Err(refusal) => {
                tracing::warn!(client = %client, data_set, rule = %refusal.rule, reason = refusal.reason, "official query not authorized");
                (Outcome::RefusedByAuthorization { rule: refusal.rule }, None)
            }
            Ok(_) => {
                let consents = log.store.consents_of(subject.as_str()).map_err(internal)?;
                match decide_consent(&state.access, set, &query, &consents, now) {
                    ConsentOutcome::Served { consent } => (Outcome::Served, consent),
                    ConsentOutcome::Refused { rule } => (Outcome::RefusedByConsent { rule }, None),
                }
            }
        };
        let records = match outcome {
            Outcome::Served => log
                .store
                .records(subject.as_str(), Some(data_set))
                .map_err(internal)?,
            _ => Vec::new(),
        };
        let released = if records.is_empty() {
            Vec::new()
        } else {
            vec![ReleasedData {
                data_set: data_set.to_owned(),
                fields: set.fields.iter().map(|f| f.id.clone()).collect(),
            }]
        };
        // A consent the query relied on (or the record that refused it) is named; otherwise
        // what the official said.
        let consent_reference = match consent_reference {
            Some(c) => Some(c),
            None => header(headers, "x-road-pdu-consent-reference")?,
        };
        let entry = UsageEntry {
            subject: subject.clone(),
            log_time: now,
            // What was done, in the agency's words as the Data Tracker's `action` gives them
            // ("Isiku ees- ja perenime päring"): a person reads it, released or refused.
            action: format!("Päring: {}", set.title.et),
            purpose,
            receiver: member.organization.clone(),
            initiator_org: Some(member.organization.clone()),
            initiator_person,
            legal_basis,
            consent_reference,
            query_id: Some(query_id.clone()),
            query_group_id: issue,
            bulk_processing: bulk,
            processing_type: ProcessingType::DataResponse,
            log_source_system: None,
            hidden_reason,
            hidden_until,
            released,
            outcome: outcome.clone(),
        };
        // The entry is stored before the answer is made.
        let index = log.append(&entry, &salt).map_err(internal)?;
        match outcome {
            // The querying side learns only that it was refused: never which rule or
            // restriction of the person's refused it.
            Outcome::RefusedByAuthorization { .. } => (
                index,
                StatusCode::FORBIDDEN,
                serde_json::json!({"type": "Client.NotAuthorized", "message": "this member is not authorized to query this data set for this purpose", "detail": null}),
            ),
            Outcome::Served => (
                index,
                StatusCode::OK,
                serde_json::json!({"records": records}),
            ),
            _ => (
                index,
                StatusCode::FORBIDDEN,
                serde_json::json!({"type": "Server.ServiceFailed.ConsentRefused", "message": "refused", "detail": null}),
            ),
        }
    };
    // The answer leaves only once its entry is durable (group commit).
    crate::durable::wait_for(state, index).map_err(internal)?;
    tracing::info!(client = %client, index, status = status.as_u16(), "official query logged");
    let mut response = (status, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&query_id) {
        response.headers_mut().insert("x-road-id", v);
    }
    response
        .headers_mut()
        .insert("x-signet-usage-index", HeaderValue::from(index));
    Ok(response)
}
