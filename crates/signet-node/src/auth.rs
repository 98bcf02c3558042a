//! Person login with a Web eID authentication token.

use std::sync::Arc;

use axum::Json;
use axum::extract::State as AxumState;
use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use signet_data::webeid::{AuthToken, Nonce, NonceError};
use signet_pki::Revocation;

use crate::http::{ApiError, session_key};
use crate::{Session, State, lock, random};

/// `POST /v1/auth/challenge`: a fresh nonce, valid five minutes, usable once.
pub(crate) async fn challenge(
    AxumState(state): AxumState<Arc<State>>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let nonce = Nonce::from_random(random::<32>()?);
    lock(&state.nonces).issue(nonce.clone(), state.clock.now());
    Ok(Json(serde_json::json!({ "nonce": nonce.as_str() })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Login {
    nonce: String,
    auth_token: AuthToken,
}

/// `POST /v1/auth/login`: `{nonce, authToken}` → `{session, expiresIn}`.
pub(crate) async fn login(
    AxumState(state): AxumState<Arc<State>>,
    Json(login): Json<Login>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let refused = |code: &'static str, message: String| {
        tracing::info!(reason = code, "login refused");
        ApiError::new(StatusCode::UNAUTHORIZED, code, message)
    };
    let nonce = Nonce::parse(&login.nonce).map_err(|e| refused("bad_nonce", e.to_string()))?;
    lock(&state.nonces)
        .take(&nonce, state.clock.now())
        .map_err(|e| {
            let code = match e {
                NonceError::Replayed => "nonce_replayed",
                NonceError::Expired { .. } => "nonce_expired",
                _ => "nonce_unknown",
            };
            refused(code, e.to_string())
        })?;
    // Validation may ask the OCSP responder: blocking I/O off the async threads.
    let validating = Arc::clone(&state);
    let person = tokio::task::spawn_blocking(move || {
        let st = &*validating;
        let revocation = match &st.ocsp {
            Some(o) => Revocation::Online {
                fetch: o.fetch.as_ref(),
                clock: st.clock.as_ref(),
                policy: &o.policy,
            },
            None => Revocation::NotRequired,
        };
        st.validator
            .validate(&login.auth_token, &nonce, st.clock.as_ref(), revocation)
    })
    .await
    .map_err(|e| ApiError::from(crate::NodeError::Internal(e.to_string())))?
    .map_err(|e| refused("token_refused", e.to_string()))?;

    let token = URL_SAFE_NO_PAD.encode(random::<32>()?);
    let now = state.clock.now();
    let expires = now + state.session_lifetime;
    let mut sessions = lock(&state.sessions);
    sessions.retain(|_, s| s.expires > now);
    sessions.insert(
        session_key(&token),
        Session {
            person: person.code,
            expires,
        },
    );
    drop(sessions);
    tracing::info!("person logged in");
    Ok(Json(serde_json::json!({
        "session": token,
        "expiresIn": state.session_lifetime.as_secs(),
        "name": person.name,
    })))
}
