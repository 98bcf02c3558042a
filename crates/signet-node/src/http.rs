//! Routes, error answers and sessions.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use sha2::{Digest as _, Sha256};
use signet_data::entry::PersonCode;

use crate::{
    MAX_BODY, NodeError, State, auth, consents, corrections, find_usage, lock, official, person,
    reports,
};

/// The routes on the plain listener: the person's, and the officials' too when no official TLS
/// listener is configured (loopback development and tests).
pub(crate) fn router(state: Arc<State>, with_officials: bool) -> Router {
    let persons = Router::new()
        .route("/v1/auth/challenge", post(auth::challenge))
        .route("/v1/auth/login", post(auth::login))
        .route("/v1/holdings", get(person::holdings))
        .route("/v1/consents", get(consents::list).post(consents::change))
        .route("/v1/consents/receipts", get(consents::receipts))
        .route(
            "/v1/corrections",
            get(corrections::list).post(corrections::request),
        )
        .route("/v1/reports", get(reports::list).post(reports::file))
        .route("/v1/usage", get(person::usage))
        .route("/v1/usage/stream", get(person::stream))
        .route("/v1/checkpoint", get(person::checkpoint))
        .route("/v1/consistency", get(person::consistency));
    let router = if with_officials {
        persons.merge(official_routes())
    } else {
        persons
    };
    router
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// The routes on the official (mutual TLS) listener.
pub(crate) fn official_router(state: Arc<State>) -> Router {
    official_routes()
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

fn official_routes() -> Router<Arc<State>> {
    Router::new()
        .route(
            "/r1/{instance}/{class}/{code}/{subsystem}/getRecords/{person}/{data_set}",
            get(official::get_records),
        )
        .route(
            "/r1/{instance}/{class}/{code}/{subsystem}/findUsage/v2/findUsage",
            get(find_usage::v2),
        )
        .route(
            "/r1/{instance}/{class}/{code}/{subsystem}/findUsage/v2/usagePeriod",
            get(find_usage::usage_period),
        )
        .route(
            "/r1/{instance}/{class}/{code}/{subsystem}/findUsage/v2/heartbeat",
            get(find_usage::heartbeat),
        )
        .route(
            "/r1/{instance}/{class}/{code}/{subsystem}/findUsage/v3/findUsage",
            get(find_usage::v3),
        )
}

/// An error answer: `{"error": code, "message": …}` with a status.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn too_many(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, code, message)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "no_session",
            "log in with your ID card first (POST /v1/auth/challenge, then /v1/auth/login)",
        )
    }
}

impl From<NodeError> for ApiError {
    fn from(e: NodeError) -> Self {
        tracing::error!(error = %e, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the node could not answer; try again later",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": self.code, "message": self.message});
        let mut response = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// The session key stored for a bearer token: its SHA-256 (the token itself is never kept).
pub(crate) fn session_key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The person of the request's session, or 401.
pub(crate) fn session_person(state: &State, headers: &HeaderMap) -> Result<PersonCode, ApiError> {
    session(state, headers).map(|(person, _, _)| person)
}

/// The person of the request's session, when the session ends and its key, or 401.
pub(crate) fn session(
    state: &State,
    headers: &HeaderMap,
) -> Result<(PersonCode, std::time::SystemTime, [u8; 32]), ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(ApiError::unauthorized)?;
    let key = session_key(token.trim());
    let now = state.clock.now();
    let mut sessions = lock(&state.sessions);
    match sessions.get(&key) {
        Some(s) if s.expires > now => Ok((s.person.clone(), s.expires, key)),
        Some(_) => {
            sessions.remove(&key);
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "session_expired",
                "the session expired; log in again",
            ))
        }
        None => Err(ApiError::unauthorized()),
    }
}
