//! The error every operation returns to its caller: `{ code, message, recommendation }`.

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
}

impl ApiError {
    /// An error with `code`'s standard recommendation.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            recommendation: code.recommendation().to_owned(),
        }
    }

    /// The same error with a more specific recommendation.
    #[must_use]
    pub fn recommend(mut self, recommendation: impl Into<String>) -> Self {
        self.recommendation = recommendation.into();
        self
    }
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
        assert_eq!(json.as_object().unwrap().len(), 3);
    }

    #[test]
    fn io_errors_keep_their_kind() {
        let missing = std::io::Error::new(std::io::ErrorKind::NotFound, "contract.pdf: not found");
        assert_eq!(ApiError::from(missing).code, Code::FileNotFound);
        let denied = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        assert_eq!(ApiError::from(denied).code, Code::Io);
    }
}
