//! What a batch shows and reports: the plan, the events, the summary (`docs/batch-json.md`).

use std::path::PathBuf;

use serde::Serialize;
use signet_core::{BaselineLevel, Code};
use signet_pki::Cert;
use signet_token::{KeyRole, SigningToken};

use super::{BatchFormat, FileState};
use crate::{ApiError, Context};

/// One file of the plan.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PlannedFile {
    /// The input, as given.
    pub input: String,
    /// The output path.
    pub output: String,
    /// The format.
    pub format: BatchFormat,
    /// The input's size in bytes.
    #[ts(type = "number")]
    pub size: u64,
    /// Its SHA-256, hex.
    pub input_sha256: String,
    /// Sign, done already, or refused.
    pub state: FileState,
    /// Why it is refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ApiError>,
    #[serde(skip)]
    pub(super) input_path: PathBuf,
    /// The input as it was when the plan read it (before any PIN).
    #[serde(skip)]
    pub(super) seen: crate::output::InputSeen,
    #[serde(skip)]
    pub(super) output_path: PathBuf,
    /// Done, but found after an interrupted run (its "started" line without a "signed" line):
    /// the output's hash, to record.
    #[serde(skip)]
    pub(super) adopted: Option<String>,
}

/// The signer's certificate as the review shows it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SignerInfo {
    /// The subject.
    pub subject: String,
    /// The issuer.
    pub issuer: String,
    /// Valid from (RFC 3339).
    pub not_before: String,
    /// Valid until (RFC 3339).
    pub not_after: String,
    /// Whether it is valid now.
    pub valid_now: bool,
}

/// The plan the person reviews before any PIN is asked.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BatchPlan {
    /// The output folder.
    pub out_dir: String,
    /// The journal's path.
    pub journal: String,
    /// The level.
    pub level: BaselineLevel,
    /// The signing device (`pcsc`, `p12:FILE`, …).
    pub token: String,
    /// The signer, read from the token; `None` when it needs a secret first (PKCS#12).
    pub signer: Option<SignerInfo>,
    /// Number of files.
    pub count: usize,
    /// Their total size in bytes.
    #[ts(type = "number")]
    pub total_bytes: u64,
    /// How many are to be signed now (the others are done or refused).
    pub to_sign: usize,
    /// Every file, in order.
    pub files: Vec<PlannedFile>,
}

/// What a batch reports while it runs (one JSON line each with `--json`).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(tag = "event", rename_all = "camelCase")]
pub enum BatchEvent {
    /// The plan, before anything is signed.
    Plan(BatchPlan),
    /// The signer, once the token is open, when the plan could not name it (a PKCS#12 file:
    /// after its password).
    Signer(SignerInfo),
    /// A file was signed and its output is in place and in the journal.
    #[serde(rename_all = "camelCase")]
    Signed {
        /// Its position, from 1.
        n: usize,
        /// The number of files.
        of: usize,
        /// The input.
        input: String,
        /// The output written.
        output: String,
        /// The format.
        format: BatchFormat,
        /// The level the output validates at (found by validating it: the level asked for or
        /// above).
        level: BaselineLevel,
        /// The output's SHA-256, hex.
        output_sha256: String,
        /// What the pre-sign check found (PAdES).
        warnings: Vec<String>,
    },
    /// A file was signed by an earlier run: skipped.
    #[serde(rename_all = "camelCase")]
    Skipped {
        /// Its position.
        n: usize,
        /// The number of files.
        of: usize,
        /// The input.
        input: String,
        /// Its output, kept.
        output: String,
        /// Why.
        reason: String,
    },
    /// A file could not be signed for its own reason; the batch went on.
    #[serde(rename_all = "camelCase")]
    Failed {
        /// Its position.
        n: usize,
        /// The number of files.
        of: usize,
        /// The input.
        input: String,
        /// Its output: nothing written there, unless `reached` is given.
        output: String,
        /// Signed, but the output validates below the level asked for: the level it reached.
        /// The output stays (a complete signature at that level) and the journal records it.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        reached: Option<BaselineLevel>,
        /// What happened and what to do.
        error: ApiError,
    },
    /// The end.
    Summary(BatchSummary),
}

/// How a batch ended.
impl BatchEvent {
    /// The event as the window gets it: its errors' recommendations name no command-line flag
    /// ([`ApiError::for_window`]).
    #[must_use]
    pub fn for_window(self) -> Self {
        match self {
            Self::Plan(mut plan) => {
                for file in &mut plan.files {
                    file.error = file.error.take().map(ApiError::for_window);
                }
                Self::Plan(plan)
            }
            Self::Failed {
                n,
                of,
                input,
                output,
                reached,
                error,
            } => Self::Failed {
                n,
                of,
                input,
                output,
                reached,
                error: error.for_window(),
            },
            Self::Summary(mut summary) => {
                summary.stopped = summary.stopped.take().map(ApiError::for_window);
                Self::Summary(summary)
            }
            other => other,
        }
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BatchSummary {
    /// Number of files.
    pub files: usize,
    /// Signed in this run.
    pub signed: usize,
    /// Skipped: signed by an earlier run.
    pub skipped: usize,
    /// Could not be signed for their own reason.
    pub failed: usize,
    /// Not attempted because the batch stopped.
    pub left: usize,
    /// Why the batch stopped before the end, with what to do; `None` when it ran to the end.
    pub stopped: Option<ApiError>,
    /// The journal.
    pub journal: String,
}

/// The signer's certificate read from the token, for the plan.
pub(super) fn signer_info(
    context: &Context,
    token: &mut (dyn SigningToken + Send),
) -> Result<SignerInfo, ApiError> {
    let der = token
        .certificates()?
        .into_iter()
        .find(|c| c.role == KeyRole::Signing)
        .ok_or_else(|| {
            ApiError::new(
                Code::CardUnsupported,
                "the token has no signing certificate",
            )
        })?
        .der;
    let cert = Cert::from_der(&der).map_err(|e| {
        ApiError::new(
            Code::InvalidInput,
            format!("the signing certificate cannot be read: {e}"),
        )
    })?;
    let now = context.clock().now();
    Ok(SignerInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        not_before: signet_pki::time::Utc(cert.not_before()).to_string(),
        not_after: signet_pki::time::Utc(cert.not_after()).to_string(),
        valid_now: cert.not_before() <= now && now <= cert.not_after(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_event_for_the_window_names_no_flag() {
        let refused = ApiError::output_exists(std::path::Path::new("a.signed.pdf"));
        assert!(refused.recommendation.contains("--force"));
        let event = BatchEvent::Failed {
            n: 1,
            of: 2,
            input: "a.pdf".into(),
            output: "a.signed.pdf".into(),
            reached: None,
            error: refused.clone(),
        }
        .for_window();
        let BatchEvent::Failed { error, .. } = event else {
            panic!("{event:?}")
        };
        assert!(!error.recommendation.contains("--"), "{error}");
        assert_eq!(error.params["file"], "a.signed.pdf");
        let summary = BatchEvent::Summary(BatchSummary {
            files: 2,
            signed: 1,
            skipped: 0,
            failed: 1,
            left: 0,
            stopped: Some(refused),
            journal: String::new(),
        })
        .for_window();
        let BatchEvent::Summary(summary) = summary else {
            panic!()
        };
        assert!(!summary.stopped.unwrap().recommendation.contains("--"));
    }
}
