//! The data side: log in to an agency node with a Web eID token made by the person's token, read
//! what the agency holds, read who used the data, and verify that the node's usage log was
//! never rewritten (docs/data-node.md).
//!
//! - **Signet's list of nodes** ([`NODES_FILE`] in the data folder) pins each node's checkpoint
//!   key and, for `https` nodes, the CA or certificate its TLS server certificate must chain to.
//!   Neither is ever learned from the node itself.
//! - **The person's last verified checkpoint per log** is kept in the encrypted vault (the signed
//!   note as received, a durable write under the vault's anti-rollback; re-verified with the
//!   pinned key when read). Every later visit must prove, with an RFC 9162 consistency proof,
//!   that the node's log extends it; otherwise the answer is [`LogProblem::HistoryRewritten`],
//!   naming the log and both sizes. Where the vault cannot be opened the visit cannot be checked
//!   against earlier ones, and `usage` says so instead of passing it as a first visit. A note an
//!   earlier Signet kept in [`CHECKPOINTS_FILE`] is used once and moved into the vault.
//! - **A session** from `login` ([`SessionToken`], a secret type from the HTTP answer to the
//!   `Authorization` header) is kept in the encrypted vault ([`crate::vault`]) until a minute
//!   before it ends, so `holdings`, `usage` and `verify` do not ask for the PIN again; when none
//!   is left, or the node refuses it, they log in themselves. Without a system keyring the vault
//!   is kept with a passphrase ([`crate::vault`]). Where the vault cannot be opened (a keyring
//!   vault without its keyring, a passphrase not given) the session is used for the one command
//!   and not kept — never written in plain text. Plain session files of earlier versions are
//!   overwritten and deleted.
//! - **Consents, corrections and misuse reports** are changed with an idempotency key and
//!   answered with a receipt signed by the node's pinned receipt key, verified before it is
//!   returned and kept in the vault ([`change_consent`], [`request_correction`],
//!   [`report_misuse`]); [`all_kept_receipts`] verifies every kept receipt offline.
//!
//! Blocking HTTP (ureq with rustls); call from a worker thread.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use signet_core::Code;
use signet_data::entry::{Salt, UsageEntry};
use signet_data::holdings::Holdings;
use signet_data::merkle::Hash;
use signet_data::webeid::{AuthSigner, JwsAlgorithm, Nonce, Origin, create_token};
use signet_data::{Checkpoint, Known, LogError, NoteVerifier, PinnedLog, Timestamp};
use signet_token::{KeyRole, SigningToken};
use signet_vault::SessionToken;
use ureq::http::HeaderValue;
use ureq::http::header::AUTHORIZATION;
use zeroize::Zeroizing;

pub use crate::node_url::plain_text;
use crate::node_url::{NodeUrl, same_origin};
use crate::token::{AskSecret, TokenSpec, open_token};
use crate::{ApiError, Context};

mod cases;
mod checkpoints;
mod consents;
mod follow;
mod receipts;
mod sessions;
mod signed_consent;
mod transport;

pub use cases::{
    CorrectionList, FiledCase, MisuseReportList, corrections, misuse_reports, report_misuse,
    request_correction,
};
pub use consents::{
    ConsentList, ConsentReceipt, ConsentReceipts, DataSetTerms, MemberName, change_consent,
    consents, kept_receipts, receipts, verify_kept_receipts,
};
pub use receipts::{AnyReceipt, KeptReceipt, KeptReceipts, all_kept_receipts};
/// The consent vocabulary the callers (desktop, CLI) build requests with.
pub use signet_data::Timestamp as Time;
pub use signet_data::consent::{
    ConsentRecord, ConsentRequest, ConsentTerms, Recipient, Scope, SignedReceipt,
};
/// The vocabulary of corrections and misuse reports the callers build requests with.
pub use signet_data::correction::{
    Case, CaseChange, Correction, CorrectionRequest, CorrectionStatus, MisuseReport,
    MisuseReportRequest, SignedCaseReceipt,
};
pub use signet_data::entry::PersonCode;

pub(crate) use checkpoints::judge_imported_conflicts;
use checkpoints::*;
pub use follow::follow;
use sessions::*;
pub use transport::node_list;
use transport::*;

/// Signet's list of nodes, in the data folder.
pub const NODES_FILE: &str = "nodes.json";
/// Where earlier versions kept the person's last verified checkpoint of each log, in plain text
/// in the data folder (now in the vault; a note found here is moved there).
pub const CHECKPOINTS_FILE: &str = "data/checkpoints.json";
/// The largest answer read from a node (a page of 1000 entries with proofs fits easily).
const MAX_ANSWER: u64 = 16 * 1024 * 1024;
/// How long a usage stream may stay silent (the node sends a keep-alive every 15 s).
const STREAM_IDLE: Duration = Duration::from_secs(60);
/// The longest line of a usage stream (one event with its proofs is a few kilobytes).
const MAX_STREAM_LINE: usize = 1024 * 1024;
/// The most pages of usage entries read in one visit (1000 entries each).
const MAX_PAGES: usize = 10_000;

/// One node of Signet's list of nodes (`nodes.json`: `{"nodes": [ … ]}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodeListing {
    /// The node's address for persons, `https://rr.example` (or `http://127.0.0.1:PORT` on
    /// loopback for development).
    pub url: String,
    /// The Web eID origin login tokens are made for; by default the URL's own origin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The pinned checkpoint key, `rr.example/usage+<8 hex>+<base64>` (what `signet-node
    /// keygen` prints). Its name is the log's origin line.
    pub log_key: String,
    /// For `https` nodes: the CA (or the node's own certificate) its TLS certificate must chain
    /// to, PEM or DER. Without it the system's web roots are used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_ca: Option<PathBuf>,
    /// What to call the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The pinned key that signs the node's receipts for consent changes,
    /// `rr.example/receipts+<8 hex>+<base64>` (from the agency, beside the log key). Without
    /// it consents can be read but not changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_key: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeListFile {
    nodes: Vec<NodeListing>,
}

/// Why a node's usage log was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
pub enum LogProblem {
    /// The log does not extend the checkpoint the person stored: entries were changed, removed
    /// or reordered, or different people are shown different histories.
    HistoryRewritten {
        /// The log's origin.
        log: String,
        /// The size the person stored.
        #[ts(type = "number")]
        old_size: u64,
        /// The size the node shows now.
        #[ts(type = "number")]
        new_size: u64,
        /// The whole explanation.
        message: String,
    },
    /// A checkpoint is not signed with the pinned key or is for another log.
    UntrustedCheckpoint {
        /// The log's origin.
        log: String,
        /// The whole explanation.
        message: String,
    },
    /// An entry the node showed is not in its log as claimed.
    NotIncluded {
        /// The log's origin.
        log: String,
        /// The entry's index.
        #[ts(type = "number")]
        index: u64,
        /// The whole explanation.
        message: String,
    },
}

impl LogProblem {
    /// The explanation, for people.
    pub fn message(&self) -> &str {
        match self {
            Self::HistoryRewritten { message, .. }
            | Self::UntrustedCheckpoint { message, .. }
            | Self::NotIncluded { message, .. } => message,
        }
    }

    fn from_log_error(err: LogError) -> Self {
        let message = err.to_string();
        match err {
            LogError::HistoryRewritten {
                log,
                old_size,
                new_size,
                ..
            } => Self::HistoryRewritten {
                log,
                old_size,
                new_size,
                message,
            },
            LogError::NotIncluded { log, index, .. } => Self::NotIncluded {
                log,
                index,
                message,
            },
            LogError::Checkpoint { log, .. } => Self::UntrustedCheckpoint { log, message },
            other => Self::UntrustedCheckpoint {
                log: String::new(),
                message: other.to_string(),
            },
        }
    }
}

/// Why a data operation stopped: an ordinary error, or a usage log that must not be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataError {
    /// The operation could not be done (network, files, login, input).
    Api(ApiError),
    /// The node's log failed verification.
    Log(LogProblem),
}

impl From<ApiError> for DataError {
    fn from(err: ApiError) -> Self {
        Self::Api(err)
    }
}

impl From<LogError> for DataError {
    fn from(err: LogError) -> Self {
        Self::Log(LogProblem::from_log_error(err))
    }
}

impl std::fmt::Display for DataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Api(e) => e.fmt(f),
            Self::Log(p) => f.write_str(p.message()),
        }
    }
}

/// The answer of `login`.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct LoginSummary {
    /// The node.
    pub node: String,
    /// The person's name as the node read it from the certificate.
    pub name: String,
    /// When the session ends.
    pub expires_at: Timestamp,
    /// Whether the session is kept (in the encrypted vault) for the next data commands.
    pub session_kept: bool,
    /// When it is not kept: why, and what to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub session_not_kept: Option<String>,
}

/// One of the person's usage entries, verified against the log.
///
/// A query an agency hid from the person until a date (`entry.hiddenUntil`) is not served at
/// all before the date; from then on it comes with the checkpoint it was logged under, which is
/// proven consistent with the current one before the entry's inclusion in it is checked.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedEntry {
    /// Its index in the node's log.
    #[ts(type = "number")]
    pub index: u64,
    /// The entry.
    pub entry: UsageEntry,
    /// For an entry that was hidden from the person: the size of the signed checkpoint it was
    /// logged under, which its inclusion proof is against (proven consistent with the current
    /// one).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(type = "number | null")]
    pub logged_under: Option<u64>,
}

/// The answer of `usage` and `verify`: the log as verified, and the person's entries.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct UsageReport {
    /// The node.
    pub node: String,
    /// The log's origin line.
    pub log: String,
    /// The size of the checkpoint stored before this visit; `None` on the first visit.
    #[ts(type = "number | null")]
    pub previous_size: Option<u64>,
    /// The size of the checkpoint verified and stored now.
    #[ts(type = "number")]
    pub size: u64,
    /// Its root hash, base64.
    pub root_hash: Hash,
    /// Whether this was the first visit (nothing to be consistent with yet).
    pub first_visit: bool,
    /// The person's entries, each with its inclusion proof verified.
    pub entries: Vec<VerifiedEntry>,
}

// ---- the token as a Web eID signer ----

/// A token's key as a Web eID signer: the authentication key (PIN1) of a card, or the one key of
/// a software token.
struct TokenSigner<'a, 'b> {
    token: std::cell::RefCell<Box<dyn SigningToken + Send>>,
    role: KeyRole,
    certificate: Vec<u8>,
    algorithm: JwsAlgorithm,
    ask: std::cell::RefCell<&'a mut AskSecret<'b>>,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct SignError(ApiError);

impl AuthSigner for TokenSigner<'_, '_> {
    type Error = SignError;

    fn certificate(&self) -> &[u8] {
        &self.certificate
    }

    fn algorithm(&self) -> JwsAlgorithm {
        self.algorithm
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let digest = self.algorithm.hash(message);
        let mut token = self.token.borrow_mut();
        let kind = token.pin_kind(self.role);
        let state = match self.role {
            // A software token has no counter; a card reports its tries left.
            KeyRole::Authentication => Some(
                token
                    .pin_state(kind)
                    .map_err(|e| SignError(ApiError::from(e)))?,
            ),
            KeyRole::Signing => None,
        };
        let pin = (self.ask.borrow_mut())(kind, state).map_err(SignError)?;
        let signature = token
            .sign_digest(self.role, &digest, pin)
            .map_err(|e| SignError(ApiError::from(e)))?;
        Ok(signature.0)
    }
}

/// The JWA algorithm of an authentication certificate's key.
fn algorithm_of(certificate: &[u8]) -> Result<JwsAlgorithm, ApiError> {
    use der::Decode as _;
    const SECP384R1: const_oid::ObjectIdentifier =
        const_oid::ObjectIdentifier::new_unwrap("1.3.132.0.34");
    const PRIME256V1: const_oid::ObjectIdentifier =
        const_oid::ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
    let cert = x509_cert::Certificate::from_der(certificate)
        .map_err(|e| invalid(format!("the token's certificate cannot be read: {e}")))?;
    let spki = &cert.tbs_certificate.subject_public_key_info;
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<const_oid::ObjectIdentifier>().ok());
    match curve {
        Some(c) if c == SECP384R1 => Ok(JwsAlgorithm::ES384),
        Some(c) if c == PRIME256V1 => Ok(JwsAlgorithm::ES256),
        _ => Err(ApiError::new(
            Code::CardUnsupported,
            "the token's authentication key is not a P-384 or P-256 key",
        )),
    }
}

/// What the node answers a login with. The session goes straight into a [`SessionToken`].
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LoginAnswer {
    session: String,
    #[serde(default)]
    expires_in: u64,
    #[serde(default)]
    name: String,
}

fn log_in(
    context: &Context,
    node: &Node,
    sessions: &mut Sessions,
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
) -> Result<(LoginSummary, SessionToken), ApiError> {
    let answer = post_json(node, "/v1/auth/challenge", &serde_json::json!({}))?;
    if answer.status != 200 {
        return Err(answer.refused(node, "a login challenge"));
    }
    let body = answer.json(node, "the challenge")?;
    let nonce = body["nonce"]
        .as_str()
        .and_then(|n| Nonce::parse(n).ok())
        .ok_or_else(|| {
            ApiError::new(
                Code::Network,
                format!("the node {} sent no usable nonce", node.url),
            )
        })?;

    let mut token = open_token(spec, ask)?;
    let certificates = token.certificates().map_err(ApiError::from)?;
    let (role, certificate) = match certificates
        .iter()
        .find(|c| c.role == KeyRole::Authentication)
    {
        Some(c) => (KeyRole::Authentication, c.der.clone()),
        // A software token holds one key; its certificate must allow authentication, which
        // the node checks.
        None if certificates.len() == 1 => (certificates[0].role, certificates[0].der.clone()),
        None => {
            return Err(ApiError::new(
                Code::CardUnsupported,
                "the token has no authentication certificate",
            ));
        }
    };
    let signer = TokenSigner {
        algorithm: algorithm_of(&certificate)?,
        token: std::cell::RefCell::new(token),
        role,
        certificate,
        ask: std::cell::RefCell::new(ask),
    };
    let auth_token = create_token(&signer, &node.origin, &nonce, None).map_err(|e| e.0)?;
    drop(signer);
    let answer = post_json(
        node,
        "/v1/auth/login",
        &serde_json::json!({"nonce": nonce.as_str(), "authToken": auth_token}),
    )?;
    if answer.status != 200 {
        return Err(answer.refused(node, "the login"));
    }
    // The answer holds the token: wiped once read.
    let body = Zeroizing::new(answer.body);
    let login: LoginAnswer = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            Code::Network,
            format!(
                // Not the error's text: it may quote the answer, which holds the token.
                "the node {} sent a login answer Signet cannot read ({:?} error at line {} column {})",
                node.url,
                e.classify(),
                e.line(),
                e.column()
            ),
        )
    })?;
    let session = SessionToken::new(login.session).map_err(|e| {
        ApiError::new(
            Code::Network,
            format!("the node {} sent an unusable session: {e}", node.url),
        )
    })?;
    let now = Timestamp::from_system(context.clock().now());
    let expires_at = Timestamp::from_unix(now.unix() + login.expires_in);
    let not_kept = sessions.keep(&node.url, &session, expires_at);
    match &not_kept {
        None => {
            tracing::info!(node = %node.url, "logged in to the data node; the session is kept in the vault")
        }
        Some(why) => tracing::warn!(node = %node.url, "{why}"),
    }
    let summary = LoginSummary {
        node: node.url.clone(),
        name: login.name,
        expires_at,
        session_kept: not_kept.is_none(),
        session_not_kept: not_kept,
    };
    Ok((summary, session))
}

/// A session for this command, and whether it came from the vault (and may be stale).
struct Session {
    token: SessionToken,
    kept: bool,
}

fn session_for(
    context: &Context,
    node: &Node,
    sessions: &mut Sessions,
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
) -> Result<Session, ApiError> {
    if let Some(token) = sessions.get(&node.url) {
        return Ok(Session { token, kept: true });
    }
    Ok(Session {
        token: log_in(context, node, sessions, spec, ask)?.1,
        kept: false,
    })
}

/// `GET path` with the session; a kept session the node refuses (it ended early, the node
/// restarted) is deleted and the person logged in again, once.
fn get_with_session(
    context: &Context,
    node: &Node,
    sessions: &mut Sessions,
    session: &mut Session,
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
    path: &str,
) -> Result<Answer, ApiError> {
    send_with_session(context, node, sessions, session, spec, ask, &mut |token| {
        get(node, path, Some(token))
    })
}

/// `GET path` at the node at `url` with the person's session (kept, or a new login): the node
/// and its answer, or the refusal of `what` when it is not 200.
fn get_authenticated(
    context: &Context,
    url: &str,
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
    path: &str,
    what: &str,
) -> Result<(Node, Answer), ApiError> {
    let node = open_node(context, url)?;
    let mut sessions = Sessions::open(context)?;
    let mut session = session_for(context, &node, &mut sessions, spec, ask)?;
    let answer = get_with_session(context, &node, &mut sessions, &mut session, spec, ask, path)?;
    if answer.status != 200 {
        return Err(answer.refused(&node, what));
    }
    Ok((node, answer))
}

/// Sends a request with the session (`send` is called again, with a new session, when the node
/// refused a kept one).
fn send_with_session(
    context: &Context,
    node: &Node,
    sessions: &mut Sessions,
    session: &mut Session,
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
    send: &mut dyn FnMut(&SessionToken) -> Result<Answer, ApiError>,
) -> Result<Answer, ApiError> {
    let answer = send(&session.token)?;
    if answer.status != 401 || !session.kept {
        return Ok(answer);
    }
    tracing::info!(node = %node.url, "the node refused the kept session; logging in again");
    sessions.forget(&node.url);
    *session = Session {
        token: log_in(context, node, sessions, spec, ask)?.1,
        kept: false,
    };
    send(&session.token)
}

/// Logs in to the node at `url` with the token `spec` names (asking for its PIN or password
/// with `ask`), and keeps the session for the other data operations.
pub fn login(
    context: &Context,
    url: &str,
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
) -> Result<LoginSummary, ApiError> {
    let node = open_node(context, url)?;
    let mut sessions = Sessions::open(context)?;
    Ok(log_in(context, &node, &mut sessions, spec, ask)?.0)
}

/// What the node at `url` holds about the person.
pub fn holdings(
    context: &Context,
    url: &str,
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
) -> Result<Holdings, ApiError> {
    let (node, answer) =
        get_authenticated(context, url, spec, ask, "/v1/holdings", "the holdings")?;
    serde_json::from_slice(&answer.body).map_err(|e| {
        ApiError::new(
            Code::Network,
            format!(
                "the node {} sent holdings Signet cannot read: {e}",
                node.url
            ),
        )
    })
}

/// Reads the person's usage entries from the node at `url`, verifying each inclusion proof,
/// that the node's current checkpoint extends the one the person stored (consistency proof),
/// and then stores the new checkpoint. A log that fails is a [`DataError::Log`], and the stored
/// checkpoint stays as it was.
pub fn usage(
    context: &Context,
    url: &str,
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
) -> Result<UsageReport, DataError> {
    Ok(usage_with_session(context, url, spec, ask)?.0)
}

/// [`usage`], the session it used and the vault (for [`follow`], which goes on with them).
fn usage_with_session(
    context: &Context,
    url: &str,
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
) -> Result<(UsageReport, Session, Sessions), DataError> {
    let node = open_node(context, url)?;
    let answer = get(&node, "/v1/checkpoint", None)?;
    if answer.status != 200 {
        return Err(answer.refused(&node, "its checkpoint").into());
    }
    let note = String::from_utf8(answer.body)
        .map_err(|_| ApiError::new(Code::Network, "the checkpoint is not UTF-8"))?;
    // Signed by the pinned key, before the vault (and its passphrase) is needed.
    advance(&node, None, &note)?;
    let mut sessions = Sessions::open(context)?;
    let stored = sessions.stored_checkpoint(context, &node)?;
    let mut current = advance(&node, stored.as_ref().map(|s| &s.0), &note).map_err(|e| {
        let earlier = stored.as_ref().map_or("", |s| s.1.as_str());
        sessions.alarm(&node, e, &[earlier, &note], None)
    })?;
    let mut current_note = note;
    let mut session = session_for(context, &node, &mut sessions, spec, ask)?;
    let mut entries = Vec::new();
    let mut after: Option<u64> = None;
    let mut pages = 0usize;
    loop {
        pages += 1;
        if pages > MAX_PAGES {
            return Err(ApiError::new(
                Code::Network,
                format!(
                    "the node {} kept sending pages of usage entries ({MAX_PAGES} pages); Signet stopped reading",
                    node.url
                ),
            )
            .into());
        }
        let path = match after {
            Some(a) => format!("/v1/usage?after={a}"),
            None => "/v1/usage".to_owned(),
        };
        let answer = get_with_session(
            context,
            &node,
            &mut sessions,
            &mut session,
            spec,
            ask,
            &path,
        )?;
        if answer.status != 200 {
            return Err(answer.refused(&node, "the usage entries").into());
        }
        let body = answer.json(&node, "the usage entries")?;
        let Some(page_note) = body["checkpoint"].as_str() else {
            break;
        };
        if page_note != current_note {
            current = advance(&node, Some(&current), page_note)
                .map_err(|e| sessions.alarm(&node, e, &[&current_note, page_note], None))?;
            page_note.clone_into(&mut current_note);
        }
        let items = body["entries"].as_array().cloned().unwrap_or_default();
        for item in &items {
            let v = parse_item(&node, &current, &current_note, item)
                .map_err(|e| sessions.alarm(&node, e, &[&current_note], Some(item)))?;
            // Each page goes on after the last: a node repeating itself would page forever.
            if after.is_some_and(|a| v.index <= a) {
                return Err(ApiError::new(
                    Code::Network,
                    format!(
                        "the node {} sent usage entry {} again after entry {}: its pages do not advance",
                        node.url,
                        v.index,
                        after.unwrap_or_default()
                    ),
                )
                .into());
            }
            after = Some(v.index);
            entries.push(v);
        }
        if body["more"].as_bool() != Some(true) || items.is_empty() {
            break;
        }
    }
    sessions.store_checkpoint(context, &node, &current, &current_note)?;
    tracing::info!(log = %node.pinned.origin, size = current.size, entries = entries.len(), "usage log verified");
    let report = UsageReport {
        node: node.url,
        log: node.pinned.origin,
        previous_size: stored.as_ref().map(|s| s.0.size),
        size: current.size,
        root_hash: current.root,
        first_visit: stored.is_none(),
        entries,
    };
    Ok((report, session, sessions))
}
