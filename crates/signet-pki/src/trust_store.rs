//! The cache of trust data: the EU LOTL, the pivots that lead to it and the national lists, as
//! files in a folder (public signed data: files, not the vault), checked by signature at every
//! load.
//!
//! ```text
//! <dir>/lotl.xml                the LOTL in use
//! <dir>/pivots/<hash>.xml       the pivots it was verified through (hash of their URI)
//! <dir>/lists/<TERRITORY>.xml   each national list in use
//! ```
//!
//! [`TrustStore::update`] downloads the LOTL and the national lists through a [`Fetch`]. A list
//! that fails (unreadable, bad signature, older than the cached copy) is not written: the
//! previous good copy stays in use and the update returns a warning saying why. A list past its
//! NextUpdate is reported as expired, and [`TrustState::warnings`] names it on every use.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::Digest as _;
use signet_core::Fetch;

use crate::cert::Cert;
use crate::lotl::{self, Anchor, ListSource, VerifiedLotl};
use crate::path::TrustAnchors;
use crate::time::Utc;
use crate::tsl::TrustedList;

const ACCEPT: &str = "application/vnd.etsi.tsl+xml, application/xml, text/xml";

/// What is known about one cached list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListStatus {
    /// SchemeTerritory (`EU` for the LOTL).
    pub territory: String,
    /// TSLSequenceNumber.
    pub sequence_number: u64,
    /// ListIssueDateTime.
    pub issued: SystemTime,
    /// NextUpdate (`None`: the scheme has ceased).
    pub next_update: Option<SystemTime>,
    /// Whether the time asked is before NextUpdate.
    pub fresh: bool,
    /// Where the list is published.
    pub location: String,
}

/// The cached trust data, every list verified at load.
#[derive(Debug, Clone, Default)]
pub struct TrustState {
    /// The LOTL, when a verified one is cached.
    pub lotl: Option<VerifiedLotl>,
    /// The national lists whose cached copy verifies with the LOTL's signers for them.
    pub lists: Vec<TrustedList>,
    /// One line per list, the LOTL first.
    pub status: Vec<ListStatus>,
    /// What the user must know: missing data, refused cached copies, expired lists.
    pub warnings: Vec<String>,
}

impl TrustState {
    /// The anchors (CA/QC, OCSP/QC, TSA/QTST services active at `at`) of every national list
    /// usable at `at` (an expired list gives none: [`TrustedList::anchors`]).
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

    /// The warning to show on every verdict that uses `list` at `at`: none while it is fresh.
    pub fn expiry_warning(list: &TrustedList, at: SystemTime) -> Option<String> {
        (!list.is_fresh_at(at)).then(|| expired(&list.territory, list.issued, list.next_update))
    }
}

fn expired(territory: &str, issued: SystemTime, next: Option<SystemTime>) -> String {
    match next {
        Some(next) => format!(
            "trust data from {}, expired: the {territory} list was due for renewal at {}; its services are not trust anchors until it is updated",
            Utc(issued),
            Utc(next)
        ),
        None => format!(
            "trust data from {}, expired: the {territory} list has no next update (the scheme ceased); its services are not trust anchors",
            Utc(issued)
        ),
    }
}

/// What an update did.
#[derive(Debug, Clone, Default)]
pub struct UpdateReport {
    /// The territories whose downloaded list was good and is now the copy in use (`EU` for the
    /// LOTL).
    pub updated: Vec<String>,
    /// The lists refused, each with why and which copy stays in use.
    pub warnings: Vec<String>,
    /// The state after the update (as a load would see it).
    pub state: TrustState,
}

/// The trust data folder and what anchors it.
#[derive(Debug, Clone)]
pub struct TrustStore {
    dir: PathBuf,
    anchor: Anchor,
    lotl_url: String,
    territories: Option<Vec<String>>,
}

struct CachedPivots<'a>(&'a Path);

impl ListSource for CachedPivots<'_> {
    fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        let path = self.0.join("pivots").join(pivot_file(url));
        std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
    }
}

struct Fetched<'a>(&'a dyn Fetch);

impl ListSource for Fetched<'_> {
    fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        download(self.0, url)
    }
}

/// A pivot is a fixed document: the cached copy when there is one (the walk verifies it like a
/// downloaded one), else a download.
struct CachedOrFetched<'a> {
    dir: &'a Path,
    fetch: &'a dyn Fetch,
}

impl ListSource for CachedOrFetched<'_> {
    fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        CachedPivots(self.dir)
            .get(url)
            .or_else(|_| download(self.fetch, url))
    }
}

fn download(fetch: &dyn Fetch, url: &str) -> Result<Vec<u8>, String> {
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return Err(format!("{url} is not an http(s) address"));
    }
    fetch
        .get(url, ACCEPT)
        .and_then(|r| r.success(url))
        .map(|r| r.body)
        .map_err(|e| e.to_string())
}

fn pivot_file(url: &str) -> String {
    let hash = sha2::Sha256::digest(url.as_bytes());
    let hex: String = hash[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}.xml")
}

/// A territory code usable as a file name (`EE`, `EL`, `UK`, `EE_T`).
fn safe_territory(territory: &str) -> bool {
    !territory.is_empty()
        && territory.len() <= 16
        && territory
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Replaces a cached list: atomically and synced, as every file Signet writes.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    signet_fs::write_atomically(path, signet_fs::Placement::Replace, bytes)
}

fn status_of(list: &TrustedList, location: &str, at: SystemTime) -> ListStatus {
    ListStatus {
        territory: list.territory.clone(),
        sequence_number: list.sequence_number,
        issued: list.issued,
        next_update: list.next_update,
        fresh: list.is_fresh_at(at),
        location: location.to_owned(),
    }
}

/// Whether `new` may replace `old`: not issued earlier, not an earlier sequence number.
fn not_older(new: &TrustedList, old: &TrustedList) -> Result<(), String> {
    if new.issued < old.issued || new.sequence_number < old.sequence_number {
        Err(format!(
            "the downloaded list (number {}, issued {}) is older than the cached copy (number {}, issued {})",
            new.sequence_number,
            Utc(new.issued),
            old.sequence_number,
            Utc(old.issued)
        ))
    } else {
        Ok(())
    }
}

impl TrustStore {
    /// The store in `dir`, whose LOTL must chain to `pinned` and is downloaded from `lotl_url`.
    pub fn new(dir: impl Into<PathBuf>, pinned: Vec<Cert>, lotl_url: impl Into<String>) -> Self {
        Self {
            dir: dir.into(),
            anchor: Anchor {
                certs: pinned,
                oj_uri: None,
            },
            lotl_url: lotl_url.into(),
            territories: None,
        }
    }

    /// The same store, knowing the Official Journal notice that published the pinned signers
    /// (only the pivots after it are followed: [`lotl::walk_from`]).
    #[must_use]
    pub fn with_anchor_uri(mut self, oj_uri: Option<String>) -> Self {
        self.anchor.oj_uri = oj_uri;
        self
    }

    /// The same store, keeping only the national lists of `territories` (all when `None`).
    #[must_use]
    pub fn with_territories(mut self, territories: Option<Vec<String>>) -> Self {
        self.territories = territories;
        self
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn wanted(&self, territory: &str) -> bool {
        self.territories
            .as_ref()
            .is_none_or(|t| t.iter().any(|w| w == territory))
    }

    /// The national pointers of `lotl` this store keeps: wanted territories, the first pointer of
    /// each (a territory is one file; a second XML pointer for it is ignored).
    fn pointers<'l>(&self, lotl: &'l TrustedList) -> Vec<&'l crate::tsl::Pointer> {
        let mut seen: Vec<&str> = Vec::new();
        let mut kept = Vec::new();
        for pointer in lotl::national_pointers(lotl) {
            let territory = pointer.territory.as_deref().unwrap_or_default();
            if self.wanted(territory) && !seen.contains(&territory) {
                seen.push(territory);
                kept.push(pointer);
            } else if seen.contains(&territory) {
                tracing::warn!(territory, location = %pointer.location, "a second pointer for a territory is ignored");
            }
        }
        kept
    }

    fn list_path(&self, territory: &str) -> PathBuf {
        self.dir.join("lists").join(format!("{territory}.xml"))
    }

    fn cached_lotl(&self) -> Result<Option<VerifiedLotl>, String> {
        let path = self.dir.join("lotl.xml");
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        lotl::walk_from(&bytes, &self.anchor, &CachedPivots(&self.dir))
            .map(Some)
            .map_err(|e| format!("the cached LOTL is not used: {e}"))
    }

    /// The cached national list of `pointer`, verified; `Ok(None)` when none is cached.
    fn cached_list(&self, pointer: &crate::tsl::Pointer) -> Result<Option<TrustedList>, String> {
        let territory = pointer.territory.as_deref().unwrap_or_default();
        let path = self.list_path(territory);
        match std::fs::read(&path) {
            Ok(bytes) => lotl::verify_national(&bytes, pointer)
                .map(Some)
                .map_err(|e| format!("the cached list of {territory} is not used: {e}")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// Reads and verifies everything cached, judging freshness at `at`.
    pub fn load(&self, at: SystemTime) -> TrustState {
        let mut state = TrustState::default();
        let lotl = match self.cached_lotl() {
            Ok(Some(lotl)) => lotl,
            Ok(None) => {
                state
                    .warnings
                    .push("no trust data is cached: update it (signet trust update)".to_owned());
                return state;
            }
            Err(reason) => {
                state.warnings.push(reason);
                return state;
            }
        };
        state.status.push(status_of(&lotl.list, &self.lotl_url, at));
        if let Some(warning) = TrustState::expiry_warning(&lotl.list, at) {
            state.warnings.push(warning);
        }
        for pointer in self.pointers(&lotl.list) {
            let territory = pointer.territory.as_deref().unwrap_or_default();
            if !safe_territory(territory) {
                continue;
            }
            match self.cached_list(pointer) {
                Ok(Some(list)) => {
                    state.status.push(status_of(&list, &pointer.location, at));
                    if let Some(warning) = TrustState::expiry_warning(&list, at) {
                        state.warnings.push(warning);
                    }
                    state.lists.push(list);
                }
                Ok(None) => {}
                Err(reason) => state.warnings.push(reason),
            }
        }
        state.lotl = Some(lotl);
        state
    }

    /// Downloads the LOTL and the national lists, keeps each good list that is not older than
    /// the cached copy, and keeps the cached copy (with a warning) of every list that fails.
    pub fn update(&self, fetch: &dyn Fetch, at: SystemTime) -> std::io::Result<UpdateReport> {
        let mut report = UpdateReport::default();
        let previous = self.cached_lotl();
        let previous = match previous {
            Ok(lotl) => lotl,
            Err(reason) => {
                report.warnings.push(reason);
                None
            }
        };
        let downloaded = download(fetch, &self.lotl_url)
            .map_err(|reason| format!("the LOTL could not be downloaded: {reason}"))
            .and_then(|bytes| {
                let pivots = CachedOrFetched {
                    dir: &self.dir,
                    fetch,
                };
                // A cached pivot damaged on disk must not block updates: walk again with
                // every pivot downloaded.
                lotl::walk_from(&bytes, &self.anchor, &pivots)
                    .or_else(|_| lotl::walk_from(&bytes, &self.anchor, &Fetched(fetch)))
                    .map(|lotl| (bytes, lotl))
                    .map_err(|e| e.to_string())
            })
            .and_then(|(bytes, new)| match &previous {
                Some(old) => not_older(&new.list, &old.list)
                    .map(|()| (bytes, new))
                    .map_err(|e| format!("the LOTL was refused: {e}")),
                None => Ok((bytes, new)),
            });
        let lotl = match downloaded {
            Ok((bytes, new)) => {
                for (url, pivot) in &new.pivots {
                    write_atomic(&self.dir.join("pivots").join(pivot_file(url)), pivot)?;
                }
                write_atomic(&self.dir.join("lotl.xml"), &bytes)?;
                report.updated.push(new.list.territory.clone());
                new
            }
            Err(reason) => match previous {
                Some(old) => {
                    report.warnings.push(format!(
                        "{reason}; the cached LOTL of {} stays in use",
                        Utc(old.list.issued)
                    ));
                    old
                }
                None => {
                    report.warnings.push(reason);
                    report.state = self.load(at);
                    return Ok(report);
                }
            },
        };
        for pointer in self.pointers(&lotl.list) {
            let territory = pointer.territory.as_deref().unwrap_or_default();
            if !safe_territory(territory) {
                report.warnings.push(format!(
                    "a pointer names an unusable territory {territory:?}"
                ));
                continue;
            }
            let cached = self.cached_list(pointer).unwrap_or_else(|reason| {
                report.warnings.push(reason);
                None
            });
            let outcome = download(fetch, &pointer.location).and_then(|bytes| {
                let new = lotl::verify_national(&bytes, pointer).map_err(|e| e.to_string())?;
                if let Some(old) = &cached {
                    not_older(&new, old)?;
                }
                Ok(bytes)
            });
            match outcome {
                Ok(bytes) => {
                    write_atomic(&self.list_path(territory), &bytes)?;
                    report.updated.push(territory.to_owned());
                }
                Err(reason) => report.warnings.push(match &cached {
                    Some(old) => format!(
                        "the trusted list of {territory} from {} was refused: {reason}; the cached copy of {} stays in use",
                        pointer.location,
                        Utc(old.issued)
                    ),
                    None => format!(
                        "the trusted list of {territory} from {} was refused: {reason}; no copy is cached",
                        pointer.location
                    ),
                }),
            }
        }
        report.state = self.load(at);
        Ok(report)
    }
}
