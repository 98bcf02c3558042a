//! Person login with a Web eID authentication token.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::extract::State as AxumState;
use axum::http::StatusCode;
use axum::{Extension, Json};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use signet_data::webeid::{AuthToken, NONCE_LIFETIME, Nonce, NonceError, NonceStore};
use signet_pki::Revocation;

use crate::conn::ClientAddr;
use crate::http::{ApiError, session_key};
use crate::{Session, State, lock, random};

/// The nonces the node has issued, and who asked for them: each client address (an IPv4
/// address, an IPv6 /64) may have [`crate::Limits::challenges_per_client`] outstanding and the
/// node [`crate::Limits::challenges_total`]; past either, a challenge is refused (429) instead
/// of evicting nonces already issued, so a flood cannot push out other people's.
#[derive(Debug)]
pub(crate) struct Challenges {
    store: NonceStore,
    owners: HashMap<Nonce, (IpAddr, SystemTime)>,
    per_client: HashMap<IpAddr, usize>,
    pruned: Option<SystemTime>,
}

/// The most the node keeps outstanding whatever its limits say: below [`NonceStore`]'s own
/// bound, past which it would evict the oldest.
const MAX_TOTAL: usize = 90_000;

/// The client a challenge is counted against: the IPv4 address, or the IPv6 /64.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut octets = v6.octets();
                octets[8..].fill(0);
                IpAddr::V6(Ipv6Addr::from(octets))
            }
        },
    }
}

impl Challenges {
    pub(crate) fn new(store: NonceStore) -> Self {
        Self {
            store,
            owners: HashMap::new(),
            per_client: HashMap::new(),
            pruned: None,
        }
    }

    /// Forgets expired nonces' owners, at most once a second.
    fn prune(&mut self, now: SystemTime) {
        if self.pruned.is_some_and(|t| {
            now.duration_since(t)
                .is_ok_and(|d| d < Duration::from_secs(1))
        }) {
            return;
        }
        self.pruned = Some(now);
        let per_client = &mut self.per_client;
        self.owners.retain(|_, (client, issued)| {
            let alive = now
                .duration_since(*issued)
                .map_or(true, |age| age <= NONCE_LIFETIME);
            if !alive && let Some(n) = per_client.get_mut(client) {
                *n = n.saturating_sub(1);
            }
            alive
        });
        per_client.retain(|_, n| *n > 0);
    }

    /// Issues `nonce` to `client`, or says which limit refused it.
    fn issue(
        &mut self,
        nonce: Nonce,
        client: IpAddr,
        now: SystemTime,
        limits: &crate::Limits,
    ) -> Result<(), &'static str> {
        let client = client_key(client);
        let total = limits.challenges_total.min(MAX_TOTAL);
        let full = |c: &Self| {
            c.per_client.get(&client).copied().unwrap_or(0) >= limits.challenges_per_client
                || c.owners.len() >= total
        };
        if full(self) {
            self.prune(now);
        }
        if self.per_client.get(&client).copied().unwrap_or(0) >= limits.challenges_per_client {
            return Err("this address has too many login challenges outstanding");
        }
        if self.owners.len() >= total {
            return Err("the node has too many login challenges outstanding");
        }
        *self.per_client.entry(client).or_default() += 1;
        self.owners.insert(nonce.clone(), (client, now));
        self.store.issue(nonce, now);
        Ok(())
    }

    /// Uses `nonce`: forgotten whatever the answer.
    fn take(&mut self, nonce: &Nonce, now: SystemTime) -> Result<(), NonceError> {
        if let Some((client, _)) = self.owners.remove(nonce)
            && let Some(n) = self.per_client.get_mut(&client)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.per_client.remove(&client);
            }
        }
        self.store.take(nonce, now)
    }
}

/// `POST /v1/auth/challenge`: a fresh nonce, valid five minutes, usable once.
pub(crate) async fn challenge(
    AxumState(state): AxumState<Arc<State>>,
    client: Option<Extension<ClientAddr>>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let nonce = Nonce::from_random(random::<32>()?);
    let ip = client.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |Extension(c)| c.0.ip());
    lock(&state.nonces)
        .issue(nonce.clone(), ip, state.clock.now(), &state.limits)
        .map_err(|why| {
            tracing::warn!(client = %client_key(ip), "login challenge refused: {why}");
            ApiError::too_many("too_many_challenges", format!("{why}; try again later"))
        })?;
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
