//! Transport types: what crosses to the webview and out of `signet … --json`.
//!
//! Field names are camelCase on the wire. Their TypeScript declarations are generated into the UI
//! ([`crate::bindings`]); changing a type here without regenerating fails the bindings test.

use serde::Serialize;

/// What this build of Signet is (the `app_info` command, `signet info`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// The product name.
    pub name: String,
    /// The version, as in Cargo.toml (`0.1.0`).
    pub version: String,
    /// Debug or release build.
    pub profile: BuildProfile,
    /// The optional back ends and whether this build has them.
    pub backends: Vec<OptionalBackend>,
    /// The folder holding the rotating log file a person can attach to a bug report.
    pub log_dir: Option<String>,
    /// The profile in use (`demo`), when one is.
    pub profile_name: Option<String>,
}

/// How the binary was built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum BuildProfile {
    /// A development build: assertions on, devtools available.
    Debug,
    /// A release build.
    Release,
}

impl BuildProfile {
    /// `debug` or `release`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Debug => "debug",
            Self::Release => "release",
        }
    }
}

/// An optional back end (a cargo feature) and whether it is compiled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct OptionalBackend {
    /// The feature name: `pcsc`, `pkcs11`, `soft`.
    pub name: String,
    /// Whether this build includes it.
    pub compiled: bool,
}

impl OptionalBackend {
    pub(crate) fn new(name: &str, compiled: bool) -> Self {
        Self {
            name: name.to_owned(),
            compiled,
        }
    }
}

/// The card in the reader, as `signet card status` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CardStatus {
    /// The reader's name.
    pub reader: String,
    /// The card type.
    pub card: String,
    /// The holder's surname.
    pub surname: String,
    /// The holder's given names.
    pub given_names: String,
    /// The holder's personal identification code.
    pub personal_code: String,
    /// The document number.
    pub document_number: String,
    /// Expiry date as printed on the card.
    pub expiry: String,
    /// PIN1 tries left.
    pub pin1_retries: u8,
    /// PIN2 tries left.
    pub pin2_retries: u8,
    /// PUK tries left.
    pub puk_retries: u8,
    /// False for a Thales card delivered locked: PIN2 must be changed before it signs.
    pub activated: bool,
}

/// One certificate on the card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CardCertificate {
    /// `auth` or `sign`.
    pub key: String,
    /// The subject, RFC 4514.
    pub subject: String,
    /// The issuer, RFC 4514.
    pub issuer: String,
    /// The end of validity.
    pub not_after: String,
    /// The certificate, DER, hex.
    pub der_hex: String,
}

/// A reader or card came or went: what the desktop's card watcher reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum CardEvent {
    /// A reader appeared (also reported for every reader present when watching starts).
    #[serde(rename_all = "camelCase")]
    ReaderAdded {
        /// Its name.
        reader: String,
    },
    /// A reader was unplugged.
    #[serde(rename_all = "camelCase")]
    ReaderRemoved {
        /// Its name.
        reader: String,
    },
    /// A card was put in (also reported for cards present when watching starts).
    #[serde(rename_all = "camelCase")]
    CardInserted {
        /// The reader.
        reader: String,
    },
    /// A card was taken out.
    #[serde(rename_all = "camelCase")]
    CardRemoved {
        /// The reader.
        reader: String,
    },
    /// The smart card service stopped; watching has ended.
    ServiceStopped,
}

/// A PIN changed or unblocked on the card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PinChange {
    /// `PIN1`, `PIN2` or `PUK`.
    pub pin: String,
    /// What was done.
    pub action: PinAction,
}

/// What was done to a PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum PinAction {
    /// Changed with the current value.
    Changed,
    /// Unblocked with the PUK and set anew.
    Unblocked,
}

/// A signature the card made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CardSignature {
    /// `auth` or `sign`.
    pub key: String,
    /// Raw r ‖ s, hex (XAdES, Web eID).
    pub signature_hex: String,
    /// DER Ecdsa-Sig-Value, hex (CMS).
    pub signature_der_hex: String,
}
