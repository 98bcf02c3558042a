//! The error every operation returns to its caller: `{ code, message, recommendation, key,
//! params }`.
//!
//! The code is what the UI branches on; the message and the recommendation are English text
//! with the specifics; the key and its parameters (the file, the PIN, the tries left, the
//! service) let a window say the same in the person's language without losing the specifics.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use signet_core::Code;

/// An error as a person sees it: a code the UI branches on, what happened, and what to do.
///
/// It is serialised to the webview and printed by the CLI. It never carries a PIN, a key, a token,
/// a personal code or document content: the message says what happened in terms of files,
/// services and steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    /// What kind of trouble this is.
    pub code: Code,
    /// What happened, in English; the UI shows its own translation by code.
    pub message: String,
    /// What the person can do about it, in English.
    pub recommendation: String,
    /// Which message this is, for a translation (`general`: only the code says).
    pub key: MessageKey,
    /// The specifics the keyed message names, by name (`file`, `secret`, `triesLeft`, …).
    #[ts(type = "Record<string, string>")]
    pub params: BTreeMap<String, String>,
}

/// Which message an error is: a window shows `errors.<key>` from its catalogues with the
/// error's parameters filled in, and the code's own text for `general` or a key it does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum MessageKey {
    /// Nothing more specific than the code.
    General,
    /// A wrong PIN (`secret`; `triesLeft` when the card counts).
    PinIncorrect,
    /// A blocked PIN (`secret`).
    PinBlocked,
    /// The PUK is blocked.
    PukBlocked,
    /// The PIN was not typed on the reader's PIN pad in time.
    PinPadTimeout,
    /// The PIN entry was cancelled on the reader's PIN pad.
    PinPadCancelled,
    /// The card was removed during the operation.
    CardRemoved,
    /// No card reader is connected.
    NoReader,
    /// A reader, but no card in it.
    NoCard,
    /// The smart card service is not running.
    ServiceNotRunning,
    /// Another program holds the card.
    CardInUse,
    /// Several cards are present (`count`).
    SeveralCards,
    /// The card is not one Signet knows (`atr`).
    UnsupportedCard,
    /// A Thales card not activated yet.
    CardNotActivated,
    /// The key's certificate has expired.
    CertificateExpired,
    /// A file does not exist (`file`).
    FileNotFound,
    /// A file cannot be read (`file`).
    FileUnreadable,
    /// A file named or taken as a PDF is not one (`file`).
    NotAPdf,
    /// An output exists already and is not replaced (`file`).
    OutputExists,
    /// An input changed on disk while it was signed (`file`).
    InputChanged,
    /// A file is no longer the one the person verified, so no signature is added (`file`).
    ChangedSinceVerified,
    /// A file changed on disk while it was verified (`file`).
    ChangedWhileVerified,
    /// The time-stamping service failed or refused.
    TimestampFailed,
    /// The OCSP responder of a certificate did not give its status.
    RevocationFailed,
    /// An agency's node did not answer (`node`).
    NodeUnreachable,
}

impl ApiError {
    /// An error with `code`'s standard recommendation.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            recommendation: code.recommendation().to_owned(),
            key: MessageKey::General,
            params: BTreeMap::new(),
        }
    }

    /// The same error as the message `key`.
    #[must_use]
    pub fn keyed(mut self, key: MessageKey) -> Self {
        self.key = key;
        self
    }

    /// The same error with the parameter `name` (a specific the keyed message names).
    #[must_use]
    pub fn param(mut self, name: &str, value: impl fmt::Display) -> Self {
        self.params.insert(name.to_owned(), value.to_string());
        self
    }

    /// The error as the window shows it: a recommendation that names a command-line flag
    /// (`--force`, `--tsa`) is the command line's; the window gets its code's, which names none.
    #[must_use]
    pub fn for_window(mut self) -> Self {
        if names_a_flag(&self.recommendation) {
            self.recommendation = match self.key {
                MessageKey::OutputExists => {
                    "Choose another name for the result, or agree to replace the file.".to_owned()
                }
                MessageKey::TimestampFailed => {
                    "Check the time-stamping service's address in Settings, and the network."
                        .to_owned()
                }
                _ => self.code.recommendation().to_owned(),
            };
        }
        self
    }

    /// The same error with a more specific recommendation.
    #[must_use]
    pub fn recommend(mut self, recommendation: impl Into<String>) -> Self {
        self.recommendation = recommendation.into();
        self
    }
}

/// Whether `text` names a command-line option (`--force`, `--token p12:FILE`).
fn names_a_flag(text: &str) -> bool {
    text.match_indices("--")
        .any(|(at, _)| text[at + 2..].starts_with(|c: char| c.is_ascii_lowercase()))
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.message, self.recommendation)
    }
}

impl std::error::Error for ApiError {}

impl From<std::io::Error> for ApiError {
    fn from(err: std::io::Error) -> Self {
        let code = match err.kind() {
            std::io::ErrorKind::NotFound => Code::FileNotFound,
            _ => Code::Io,
        };
        Self::new(code, err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_code_message_recommendation() {
        let err = ApiError::new(Code::Network, "could not reach the time-stamping service");
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["code"], "NETWORK");
        assert_eq!(json["message"], "could not reach the time-stamping service");
        assert_eq!(json["recommendation"], Code::Network.recommendation());
        assert_eq!(json["key"], "general");
        assert_eq!(json["params"], serde_json::json!({}));
        assert_eq!(json.as_object().unwrap().len(), 5);
    }

    #[test]
    fn a_keyed_error_carries_its_specifics_by_name() {
        let err = ApiError::output_exists(std::path::Path::new("/home/mari/a.signed.pdf"));
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["key"], "outputExists");
        assert_eq!(json["params"]["file"], "/home/mari/a.signed.pdf");
        assert!(err.recommendation.contains("--force"), "{err}");
        // The window is never told to give a flag.
        let window = err.for_window();
        assert!(!names_a_flag(&window.recommendation), "{window}");
        assert_eq!(window.params["file"], "/home/mari/a.signed.pdf");
        let plain = ApiError::new(Code::Io, "x");
        assert_eq!(plain.clone().for_window(), plain);
        assert!(names_a_flag("Check the address (--tsa) and the network."));
        assert!(!names_a_flag("Nothing -- really -- changed."));
    }

    #[test]
    fn io_errors_keep_their_kind() {
        let missing = std::io::Error::new(std::io::ErrorKind::NotFound, "contract.pdf: not found");
        assert_eq!(ApiError::from(missing).code, Code::FileNotFound);
        let denied = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        assert_eq!(ApiError::from(denied).code, Code::Io);
    }
}
