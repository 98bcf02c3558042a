//! The EU list of trusted lists (LOTL) walk: from the LOTL signer certificates Signet pins (those
//! the Commission publishes in the Official Journal, Implementing Decision (EU) 2015/1505 Art. 4)
//! to the current LOTL, through its pivots, then to each national list.
//!
//! When the LOTL signers change, the Commission publishes a *pivot* LOTL signed by the old keys
//! whose pointer to the LOTL itself (the OtherTSLPointer of the LOTL's own territory, `EU`)
//! announces the new keys. The current LOTL names, in SchemeInformationURI and newest first, its
//! pivots and the Official Journal notices of the keys (re-anchorings). Signet pins an [`Anchor`]:
//! the certificates of one notice and the notice's URI.
//!
//! [`walk_from`] follows the pivots listed before the anchor's notice (those published after
//! it), oldest first: each must verify with the keys the one before announced (the first with the
//! anchor's) and announce the next keys; the current LOTL must verify with the keys the newest
//! pivot announced, or with the anchor's when no pivot is newer. A pivot that cannot be read or
//! does not verify refuses the LOTL. Every list must have been signed by a certificate valid at
//! its own ListIssueDateTime.
//!
//! [`walk`] does not know the anchor's notice: a LOTL the pins sign is taken as it is; otherwise
//! every pivot is a candidate, those the pins do not verify are skipped until one does, and from
//! then the chain must hold. It is weaker (key sets
//! overlap across notices, so an old pivot may verify with newer pins) and kept for lists whose
//! notice is unknown.
//!
//! A national list is verified with the certificates the LOTL's pointer for its territory names
//! (ServiceDigitalIdentities), and its SchemeTerritory must be the pointer's.

use crate::cert::Cert;
use crate::tsl::{Pointer, TrustedList, TslError};

/// Where the EU publishes the LOTL.
pub const EU_LOTL_URL: &str = "https://ec.europa.eu/tools/lotl/eu-lotl.xml";

/// The MimeType of a pointer to the XML form of a trusted list.
pub const TSL_XML_MIME: &str = "application/vnd.etsi.tsl+xml";

/// Where the walk reads pivots from: the network on an update, the cache on a load.
pub trait ListSource {
    /// The bytes at `url`, or why they could not be read.
    fn get(&self, url: &str) -> Result<Vec<u8>, String>;
}

/// Why a LOTL or a national list was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LotlError {
    /// The LOTL itself does not parse or verify.
    #[error("the LOTL was refused: {reason}")]
    Lotl {
        /// Why (a [`TslError`] in words, with what the pivots said).
        reason: String,
    },
    /// A pivot after a verified one breaks the chain from the pinned certificates.
    #[error("the LOTL pivot {url} breaks the chain from the pinned signers: {reason}")]
    BrokenPivotChain {
        /// The pivot's URI.
        url: String,
        /// Why.
        reason: String,
    },
    /// The LOTL is not the EU's (a list of another territory, or not a list of lists).
    #[error("the document is a list of territory {territory}, not the EU LOTL")]
    NotALotl {
        /// Its SchemeTerritory.
        territory: String,
    },
    /// A national list does not verify with the signers the LOTL names for it.
    #[error("the trusted list of {territory} was refused: {source}")]
    National {
        /// The territory of the pointer.
        territory: String,
        /// Why.
        source: TslError,
    },
    /// The list was signed by a pinned or announced certificate that was not valid at the
    /// list's ListIssueDateTime.
    #[error(
        "the {territory} list number {sequence} was issued at {issued}, outside the validity of its signer {subject}"
    )]
    SignerNotValid {
        /// The list's SchemeTerritory.
        territory: String,
        /// Its TSLSequenceNumber.
        sequence: u64,
        /// Its ListIssueDateTime (RFC 3339).
        issued: String,
        /// The signer's subject.
        subject: String,
    },
    /// A national list says it is of another territory than the pointer that led to it.
    #[error("the list at the pointer for {expected} is the list of {found}")]
    WrongTerritory {
        /// The pointer's territory.
        expected: String,
        /// The list's SchemeTerritory.
        found: String,
    },
}

/// A LOTL whose signature chains to the pinned certificates, with the pivots that led to it.
#[derive(Debug, Clone)]
pub struct VerifiedLotl {
    /// The verified LOTL.
    pub list: TrustedList,
    /// The pivots that verified, oldest first: (URI, bytes).
    pub pivots: Vec<(String, Vec<u8>)>,
    /// The certificates the LOTL was verified with (the pinned ones, or the last pivot's).
    pub signers: Vec<Cert>,
    /// Pivots skipped because they are older than the pins or could not be read.
    pub notes: Vec<String>,
}

/// The pivot LOTL URIs a LOTL names in SchemeInformationURI, oldest first.
pub fn pivot_uris(lotl: &TrustedList) -> Vec<String> {
    pivots_after(lotl, None).0
}

fn is_pivot(uri: &str) -> bool {
    let lower = uri.to_ascii_lowercase();
    lower.ends_with(".xml") && lower.contains("pivot")
}

/// The pivots to follow from the anchor published at `anchor_uri`, oldest first, and whether
/// the LOTL names that publication. The LOTL lists its SchemeInformationURI newest first, the
/// Official Journal publications among the pivots: the pivots to follow are those listed before
/// the anchor's publication (newer than it). When the LOTL does not name it (or no URI is
/// given), every pivot is a candidate.
fn pivots_after(lotl: &TrustedList, anchor_uri: Option<&str>) -> (Vec<String>, bool) {
    let uris = &lotl.scheme_information_uris;
    let position = anchor_uri.and_then(|a| uris.iter().position(|u| u == a));
    let newer = match position {
        Some(at) => &uris[..at],
        None => &uris[..],
    };
    let mut pivots: Vec<String> = newer.iter().filter(|u| is_pivot(u)).cloned().collect();
    pivots.reverse();
    (pivots, position.is_some())
}

/// The LOTL signer certificates published in one Official Journal notice, and the notice's
/// address as the LOTL names it in SchemeInformationURI.
#[derive(Debug, Clone)]
pub struct Anchor {
    /// The certificates.
    pub certs: Vec<Cert>,
    /// The Official Journal notice (`https://eur-lex.europa.eu/eli/C/2026/1944/oj`); `None`
    /// when unknown: every pivot is then a candidate and those the pins do not verify are
    /// skipped until one does.
    pub oj_uri: Option<String>,
}

/// The certificates a LOTL announces for signing the LOTL itself: those of its pointers to its
/// own territory in XML form.
pub fn announced_lotl_signers(lotl: &TrustedList) -> Vec<Cert> {
    let mut signers = Vec::new();
    for pointer in &lotl.pointers {
        if pointer.territory.as_deref() == Some(lotl.territory.as_str()) && is_xml(pointer) {
            for cert in &pointer.signers {
                if !signers.contains(cert) {
                    signers.push(cert.clone());
                }
            }
        }
    }
    signers
}

fn is_xml(pointer: &Pointer) -> bool {
    match pointer.mime_type.as_deref() {
        Some(mime) => mime.eq_ignore_ascii_case(TSL_XML_MIME),
        None => pointer.location.to_ascii_lowercase().ends_with(".xml"),
    }
}

/// The LOTL's pointers to the national lists in XML form (not to itself, not to PDF copies).
pub fn national_pointers(lotl: &TrustedList) -> Vec<&Pointer> {
    lotl.pointers
        .iter()
        .filter(|p| {
            is_xml(p)
                && p.territory
                    .as_deref()
                    .is_some_and(|t| !t.is_empty() && t != lotl.territory)
        })
        .collect()
}

/// Checks that the verified `list`'s signer was valid when the list says it was issued (a list
/// signed with an expired or not yet valid key is refused, as pyHanko validates pivots at their
/// claimed issue date).
fn signer_valid_at_issue(list: &TrustedList) -> Result<(), LotlError> {
    let Some(signer) = &list.signer else {
        // A verified list always names its signer; without one nothing is known: refused.
        return Err(LotlError::Lotl {
            reason: format!(
                "the list of {} (number {}) does not name its signer",
                list.territory, list.sequence_number
            ),
        });
    };
    if signer.not_before() <= list.issued && list.issued <= signer.not_after() {
        Ok(())
    } else {
        Err(LotlError::SignerNotValid {
            territory: list.territory.clone(),
            sequence: list.sequence_number,
            issued: crate::time::Utc(list.issued).to_string(),
            subject: signer.subject().to_string(),
        })
    }
}

/// Verifies `xml` as the EU LOTL, from `pinned` through the pivots it names (read from
/// `source`), not knowing which Official Journal notice published the pins.
pub fn walk(
    xml: &[u8],
    pinned: &[Cert],
    source: &dyn ListSource,
) -> Result<VerifiedLotl, LotlError> {
    let anchor = Anchor {
        certs: pinned.to_vec(),
        oj_uri: None,
    };
    walk_from(xml, &anchor, source)
}

/// Verifies `xml` as the EU LOTL from `anchor` through the pivots published after it (read from
/// `source`). When the LOTL names the anchor's notice, every pivot after it must verify, each
/// with the keys the one before announced (the first with the anchor's).
pub fn walk_from(
    xml: &[u8],
    anchor: &Anchor,
    source: &dyn ListSource,
) -> Result<VerifiedLotl, LotlError> {
    let unverified = TrustedList::parse_unverified(xml).map_err(|e| LotlError::Lotl {
        reason: e.to_string(),
    })?;
    if unverified.territory != "EU" {
        return Err(LotlError::NotALotl {
            territory: unverified.territory,
        });
    }
    let mut keys = anchor.certs.clone();
    let mut pivots = Vec::new();
    let mut notes = Vec::new();
    let (candidates, anchored) = pivots_after(&unverified, anchor.oj_uri.as_deref());
    if let Some(uri) = &anchor.oj_uri
        && !anchored
    {
        // The LOTLs published since the pinned notice all name it: one that does not is older
        // than the pins (a replay) or not the EU's. The weaker walk is only for callers that
        // know no notice.
        return Err(LotlError::Lotl {
            reason: format!(
                "it does not name the Official Journal notice the pinned signers come from ({uri}); it may be older than Signet's pins"
            ),
        });
    }
    if !anchored {
        // Without a known notice, a LOTL the pinned certificates sign themselves needs no pivot.
        if let Ok(list) = TrustedList::verify(xml, &keys)
            && signer_valid_at_issue(&list).is_ok()
        {
            return Ok(VerifiedLotl {
                list,
                pivots,
                signers: keys,
                notes,
            });
        }
    }
    for url in candidates {
        let chained = anchored || !pivots.is_empty();
        let bytes = match source.get(&url) {
            Ok(bytes) => bytes,
            Err(reason) if chained => return Err(LotlError::BrokenPivotChain { url, reason }),
            Err(reason) => {
                notes.push(format!("pivot {url} not read: {reason}"));
                continue;
            }
        };
        let verified = TrustedList::verify(&bytes, &keys).map_err(|e| e.to_string());
        let verified = verified.and_then(|pivot| {
            signer_valid_at_issue(&pivot)
                .map(|()| pivot)
                .map_err(|e| e.to_string())
        });
        match verified {
            Ok(pivot) => {
                if pivot.territory != "EU" || pivot.sequence_number >= unverified.sequence_number {
                    return Err(LotlError::BrokenPivotChain {
                        url,
                        reason: format!(
                            "it is list {} number {}, not an earlier EU LOTL",
                            pivot.territory, pivot.sequence_number
                        ),
                    });
                }
                let announced = announced_lotl_signers(&pivot);
                if announced.is_empty() {
                    return Err(LotlError::BrokenPivotChain {
                        url,
                        reason: "it announces no LOTL signer".to_owned(),
                    });
                }
                tracing::info!(%url, sequence = pivot.sequence_number, "LOTL pivot verified");
                keys = announced;
                pivots.push((url, bytes));
            }
            Err(reason) if chained => {
                return Err(LotlError::BrokenPivotChain { url, reason });
            }
            Err(e) => notes.push(format!("pivot {url} skipped (older than the pins?): {e}")),
        }
    }
    match TrustedList::verify(xml, &keys) {
        Ok(list) => {
            signer_valid_at_issue(&list)?;
            Ok(VerifiedLotl {
                list,
                pivots,
                signers: keys,
                notes,
            })
        }
        Err(e) => {
            let mut reason = e.to_string();
            if pivots.is_empty() && !notes.is_empty() {
                reason.push_str(&format!(
                    " (no pivot verified with the pinned signers: {})",
                    notes.join("; ")
                ));
            }
            Err(LotlError::Lotl { reason })
        }
    }
}

/// Verifies a national list with the signers `pointer` names, and checks it is of the pointer's
/// territory.
pub fn verify_national(xml: &[u8], pointer: &Pointer) -> Result<TrustedList, LotlError> {
    let territory = pointer.territory.clone().unwrap_or_default();
    let list =
        TrustedList::verify(xml, &pointer.signers).map_err(|source| LotlError::National {
            territory: territory.clone(),
            source,
        })?;
    if list.territory != territory {
        return Err(LotlError::WrongTerritory {
            expected: territory,
            found: list.territory,
        });
    }
    signer_valid_at_issue(&list)?;
    Ok(list)
}

/// The Official Journal notice of the LOTL signer certificates Signet pins (the 2026
/// re-anchoring), as the LOTL names it in SchemeInformationURI.
pub const EU_OJ_ANCHOR_URI: &str = "https://eur-lex.europa.eu/eli/C/2026/1944/oj";

/// The LOTL signer certificates published in that notice (`data/PROVENANCE.md`).
pub const EU_LOTL_PINNED_PEM: &[u8] = include_bytes!("../data/eu-lotl-signers-oj-c-2026-1944.pem");

/// [`EU_LOTL_PINNED_PEM`] read: the certificates to start the walk from.
pub fn eu_pinned_signers() -> Vec<Cert> {
    Cert::from_file_bytes(EU_LOTL_PINNED_PEM).unwrap_or_default()
}

/// The anchor Signet starts the walk from: [`eu_pinned_signers`] and [`EU_OJ_ANCHOR_URI`].
pub fn eu_anchor() -> Anchor {
    Anchor {
        certs: eu_pinned_signers(),
        oj_uri: Some(EU_OJ_ANCHOR_URI.to_owned()),
    }
}
