//! What `sign` takes and gives: the formats, the proposal the window shows, the request and the
//! outcome (wire types, camelCase, declared to TypeScript).

use std::path::PathBuf;

use serde::Serialize;
use signet_core::BaselineLevel;

use super::{Overrides, TrustPaths};
use crate::job::DocumentFacts;
use crate::pades::VisiblePlace;
use crate::token::TokenSpec;

/// The two signature formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum SignFormat {
    /// A PAdES signature in each PDF.
    Pades,
    /// One ASiC-E container holding every file.
    Asice,
}

/// Why the proposal chose its format (the window says it in one sentence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum FormatReason {
    /// Every file is a PDF: each gets a signature of its own.
    AllPdf,
    /// Not every file is a PDF: they go into one container.
    NotAllPdf,
    /// The person chose the format.
    Chosen,
}

/// What a file to sign is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum InputKind {
    /// A PDF.
    Pdf,
    /// An ASiC container (a ZIP archive).
    Container,
    /// Any other file.
    Other,
}

/// A PDF page's size in points (its MediaBox).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PageSize {
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// A file of the proposal: its facts and what it is.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ProposedFile {
    /// Name, path, size, SHA-256.
    pub facts: DocumentFacts,
    /// What it is, by its content.
    pub kind: InputKind,
    /// A PDF's pages (where a visible signature may go); empty for other files.
    pub pages: Vec<PageSize>,
}

/// What Signet proposes for a set of files, before anything is signed.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SignProposal {
    /// The format.
    pub format: SignFormat,
    /// Why.
    pub reason: FormatReason,
    /// The files.
    pub files: Vec<ProposedFile>,
    /// The outputs that would be written.
    pub outputs: Vec<String>,
    /// Outputs that exist already (never replaced without the person's word).
    pub existing: Vec<String>,
    /// The level, by the settings' precedence.
    pub level: BaselineLevel,
    /// The signing device, as the settings name it (`pcsc`, `p12:FILE`…).
    pub token: String,
}

/// What to sign, as the person chose it; what is left out comes from the settings.
#[derive(Debug, Clone, Default)]
pub struct SignFilesRequest {
    /// The files.
    pub files: Vec<PathBuf>,
    /// Force a format; otherwise the rule decides.
    pub format: Option<SignFormat>,
    /// The level.
    pub level: Option<BaselineLevel>,
    /// The signing device.
    pub token: Option<TokenSpec>,
    /// The folder for the outputs; next to the (first) input by default.
    pub output_dir: Option<PathBuf>,
    /// A visible PAdES signature.
    pub visible: Option<VisiblePlace>,
    /// `/Reason` (PAdES).
    pub reason: Option<String>,
    /// `/Location` (PAdES).
    pub location: Option<String>,
    /// `/ContactInfo` (PAdES).
    pub contact: Option<String>,
    /// Replace outputs that exist (the person was asked).
    pub replace_existing: bool,
    /// The SHA-256 (hex) of each file as the person reviewed it, in order; empty: not checked.
    /// A file whose content differs now is not signed ([`ApiError::input_changed`]).
    pub reviewed_sha256: Vec<String>,
    /// With `replace_existing`: the outputs the person agreed to replace; another existing
    /// output is still refused. `None`: every existing output (the command line's `--force`).
    pub agreed_replacements: Option<Vec<PathBuf>>,
    /// The one output: the signed PDF (of one input) or the container to create. With
    /// `add_to`, where the container with the new signature goes instead of changing it in
    /// place.
    pub out: Option<PathBuf>,
    /// ASiC-E into this new container (the format is ASiC-E whatever the files are).
    pub container: Option<PathBuf>,
    /// Add a signature to this existing container (its files are signed; `files` is not used).
    /// It is changed in place, atomically, unless `out` names another file.
    pub add_to: Option<PathBuf>,
    /// The time-stamping authority's address.
    pub tsa: Option<String>,
    /// Certificates completing the signer's chain (DER or PEM): PAdES embeds them; both formats
    /// use them for B-LT.
    pub chain: Vec<PathBuf>,
    /// What signing trusts, instead of the profile's.
    pub trust: Option<TrustPaths>,
    /// PAdES: sign a rewritten (normalised) copy of an unsigned PDF that cannot be updated
    /// safely; a signed PDF is never rewritten, the input never changed.
    pub normalise: bool,
}

impl SignFilesRequest {
    /// What the request gives of the settings.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            level: self.level,
            token: self.token.clone(),
            tsa: self.tsa.clone(),
            trust: self.trust.clone(),
        }
    }
}

/// One output written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SignedOutput {
    /// The file written.
    pub output: String,
    /// The inputs it signs.
    pub inputs: Vec<String>,
    /// The level the output validates at (never only the level asked for).
    pub level: BaselineLevel,
    /// Pre-sign warnings (hidden content a later revision could reveal…).
    pub warnings: Vec<String>,
    /// ASiC-E: the signature's entry in the container (`META-INF/signatures0.xml`).
    pub signature: Option<String>,
}

/// What `sign` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SignOutcome {
    /// The format used.
    pub format: SignFormat,
    /// The signer, as a person reads the name.
    pub signer: String,
    /// The signer's certificate subject, in full (RFC 4514).
    pub signer_subject: String,
    /// Every output.
    pub outputs: Vec<SignedOutput>,
}
