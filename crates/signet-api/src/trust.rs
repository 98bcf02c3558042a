//! `trust update` and `trust status`: the EU trusted lists kept in Signet's data folder
//! (`<data dir>/trust/`), and the lists they give the validators.
//!
//! The LOTL is verified from the signer certificates Signet pins (those of the Official Journal
//! notice C/2026/1944, [`signet_pki::lotl::eu_anchor`]) through the pivots published after it; each national list with the
//! signers the LOTL names for it. Every load verifies every file again. A list that fails an
//! update leaves the previous good copy in use, with a warning; an expired list gives a warning
//! on every use.

use std::path::PathBuf;
use std::time::SystemTime;

use serde::Serialize;
use signet_core::{Code, Fetch};
use signet_pki::trust_store::{ListStatus, TrustState, TrustStore};
use signet_pki::tsl::TrustedList;
use signet_pki::{Cert, TrustAnchors, time::Utc};

use crate::{ApiError, Context};

/// Where the lists come from and what anchors them.
#[derive(Debug, Clone)]
pub struct TrustSource {
    /// The LOTL's address.
    pub lotl_url: String,
    /// The certificates the LOTL must chain to.
    pub pinned: Vec<Cert>,
    /// The Official Journal notice that published them, as the LOTL names it (only the pivots
    /// after it are followed); `None` when unknown.
    pub anchor_uri: Option<String>,
    /// The national lists to keep (all when `None`).
    pub territories: Option<Vec<String>>,
}

impl TrustSource {
    /// The EU LOTL at its official address, from the Official Journal's signers, every
    /// national list.
    pub fn eu() -> Self {
        Self {
            lotl_url: signet_pki::lotl::EU_LOTL_URL.to_owned(),
            pinned: signet_pki::lotl::eu_pinned_signers(),
            anchor_uri: Some(signet_pki::lotl::EU_OJ_ANCHOR_URI.to_owned()),
            territories: None,
        }
    }

    /// Another LOTL (a test or private one) at `lotl_url`, signed by a certificate of
    /// `signers` (PEM or DER files), every national list.
    pub fn other(lotl_url: &str, signers: &[crate::cert::FileBytes]) -> Result<Self, ApiError> {
        let mut pinned = Vec::new();
        for file in signers {
            let certs = Cert::from_file_bytes(&file.bytes).map_err(|e| {
                ApiError::new(
                    Code::InvalidInput,
                    format!("{} is not a certificate file: {e}", file.name),
                )
            })?;
            pinned.extend(certs);
        }
        Ok(Self {
            lotl_url: lotl_url.to_owned(),
            pinned,
            anchor_uri: None,
            territories: None,
        })
    }
}

/// The folder of the cached lists.
pub fn trust_dir(context: &Context) -> PathBuf {
    context.data_dir().join("trust")
}

fn store(context: &Context, source: &TrustSource) -> TrustStore {
    TrustStore::new(
        trust_dir(context),
        source.pinned.clone(),
        source.lotl_url.clone(),
    )
    .with_anchor_uri(source.anchor_uri.clone())
    .with_territories(source.territories.clone())
}

/// One cached list (`signet trust status --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ListFacts {
    /// SchemeTerritory (`EU` for the LOTL).
    pub territory: String,
    /// TSLSequenceNumber.
    #[ts(type = "number")]
    pub sequence_number: u64,
    /// ListIssueDateTime (RFC 3339).
    pub issued: String,
    /// NextUpdate (RFC 3339); `null` when the scheme has ceased.
    pub next_update: Option<String>,
    /// Whether now is before NextUpdate.
    pub fresh: bool,
    /// Where the list is published.
    pub location: String,
}

impl From<&ListStatus> for ListFacts {
    fn from(s: &ListStatus) -> Self {
        Self {
            territory: s.territory.clone(),
            sequence_number: s.sequence_number,
            issued: Utc(s.issued).to_string(),
            next_update: s.next_update.map(|t| Utc(t).to_string()),
            fresh: s.fresh,
            location: s.location.clone(),
        }
    }
}

/// What `trust status` says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TrustStatus {
    /// The folder of the cached lists.
    pub dir: String,
    /// Each list whose cached copy verifies, the LOTL first.
    pub lists: Vec<ListFacts>,
    /// Missing data, refused cached copies, expired lists.
    pub warnings: Vec<String>,
}

fn status_of(context: &Context, state: &TrustState) -> TrustStatus {
    TrustStatus {
        dir: trust_dir(context).display().to_string(),
        lists: state.status.iter().map(ListFacts::from).collect(),
        warnings: state.warnings.clone(),
    }
}

/// What `trust update` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TrustUpdate {
    /// The lists whose downloaded copy was good and is now in use (`EU` for the LOTL).
    pub updated: Vec<String>,
    /// The lists refused, each with why and which copy stays in use.
    pub warnings: Vec<String>,
    /// The state after the update.
    pub status: TrustStatus,
}

/// Downloads the EU LOTL and the national lists ([`TrustSource::eu`]).
pub fn update(context: &Context, fetch: &dyn Fetch) -> Result<TrustUpdate, ApiError> {
    update_from(context, fetch, &TrustSource::eu())
}

/// Downloads the LOTL and the national lists of `source` into the data folder. Fails only when
/// no verified LOTL is available afterwards (none downloaded, none cached).
pub fn update_from(
    context: &Context,
    fetch: &dyn Fetch,
    source: &TrustSource,
) -> Result<TrustUpdate, ApiError> {
    let report = store(context, source)
        .update(fetch, context.clock().now())
        .map_err(|e| {
            ApiError::new(
                Code::Io,
                format!(
                    "the trusted lists could not be written to {}: {e}",
                    trust_dir(context).display()
                ),
            )
        })?;
    if report.state.lotl.is_none() {
        return Err(ApiError::new(
            Code::Network,
            format!(
                "no trusted list of lists could be had: {}",
                report.warnings.join("; ")
            ),
        )
        .recommend("Check the network connection and try again (signet trust update)."));
    }
    Ok(TrustUpdate {
        updated: report.updated,
        warnings: report.warnings,
        status: status_of(context, &report.state),
    })
}

/// What is cached, each list verified again, judged at the present ([`TrustSource::eu`]).
pub fn status(context: &Context) -> TrustStatus {
    status_from(context, &TrustSource::eu())
}

/// [`status`] for `source`.
pub fn status_from(context: &Context, source: &TrustSource) -> TrustStatus {
    let state = store(context, source).load(context.clock().now());
    status_of(context, &state)
}

/// The verified national lists for the validators, with the warnings every verdict that uses
/// them must carry.
#[derive(Debug, Clone, Default)]
pub struct CachedTrust {
    /// The national lists whose cached copy verifies.
    pub lists: Vec<TrustedList>,
    /// Warnings about the trust data as a whole (missing, refused copies).
    pub warnings: Vec<String>,
}

impl CachedTrust {
    /// The anchors of every list usable at `at` (an expired list gives none).
    pub fn anchors(&self, at: SystemTime) -> TrustAnchors {
        let mut anchors = TrustAnchors::default();
        for list in &self.lists {
            for cert in list.anchors(at).iter() {
                anchors.push(cert.clone());
            }
        }
        anchors
    }

    /// The national list of `territory`.
    pub fn list(&self, territory: &str) -> Option<&TrustedList> {
        self.lists.iter().find(|l| l.territory == territory)
    }

    /// The national list naming `cert`'s issuer (by subject) as a service: the one list a
    /// validator taking a single [`TrustedList`] should be given for `cert`.
    pub fn list_of_issuer(&self, cert: &Cert) -> Option<&TrustedList> {
        self.lists.iter().find(|list| {
            list.providers
                .iter()
                .flat_map(|p| &p.services)
                .flat_map(|s| &s.certificates)
                .any(|c| c.subject() == cert.issuer())
        })
    }

    /// The warning for a verdict that used `list` at `at` ("trust data from …, expired"); none
    /// while it is fresh.
    pub fn warning_for(list: &TrustedList, at: SystemTime) -> Option<String> {
        TrustState::expiry_warning(list, at)
    }
}

/// The cached lists of `source`, verified, for validators judging at `at`. The warnings name
/// every list expired at `at` and whatever could not be loaded.
pub fn cached_trust(context: &Context, source: &TrustSource, at: SystemTime) -> CachedTrust {
    let state = store(context, source).load(at);
    CachedTrust {
        lists: state.lists,
        warnings: state.warnings,
    }
}
