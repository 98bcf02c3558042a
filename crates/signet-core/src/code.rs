//! The closed set of error codes that cross from Rust to the UI and the CLI.
//!
//! An error reaches a person as `{ code, message, recommendation }`: the UI branches on the code
//! only, and shows the message and recommendation from its own catalogue in the person's language,
//! with the Rust text as the fallback. Adding a code is a change to the UI's catalogues too; the
//! generated TypeScript bindings make the UI's type check fail until every code is handled.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What kind of trouble an operation ran into, as far as the person is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum Code {
    /// A bug in Signet: something that should not happen did.
    Internal,
    /// The feature is not built yet in this version of Signet.
    NotImplemented,
    /// The person gave something Signet cannot use (a malformed file, a bad setting).
    InvalidInput,
    /// A file the person named does not exist.
    FileNotFound,
    /// Reading or writing a file failed (permissions, full disk).
    Io,
    /// A server could not be reached or answered badly.
    Network,
    /// The person cancelled the operation.
    Cancelled,
    /// The ID card cannot be reached: the smart card service is not running, there is no reader
    /// or no card, another program holds it, or several cards wait for the person to choose.
    CardUnavailable,
    /// The card was removed, or reset, in the middle of an operation.
    CardRemoved,
    /// The card in the reader is not one Signet can use.
    CardUnsupported,
    /// A PIN was wrong; the card counts the tries left.
    PinIncorrect,
    /// A PIN or the PUK is blocked after too many wrong tries.
    PinBlocked,
    /// The card has not been activated yet: its PIN2 must be changed first.
    CardNotActivated,
    /// A file being signed changed on disk between the moment Signet read it and the moment
    /// the signed result would have been written: nothing was written.
    InputChanged,
}

impl Code {
    /// Every code, in declaration order.
    pub const ALL: [Self; 14] = [
        Self::Internal,
        Self::NotImplemented,
        Self::InvalidInput,
        Self::FileNotFound,
        Self::Io,
        Self::Network,
        Self::Cancelled,
        Self::CardUnavailable,
        Self::CardRemoved,
        Self::CardUnsupported,
        Self::PinIncorrect,
        Self::PinBlocked,
        Self::CardNotActivated,
        Self::InputChanged,
    ];

    /// The code as it is serialised (`NOT_IMPLEMENTED`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Internal => "INTERNAL",
            Self::NotImplemented => "NOT_IMPLEMENTED",
            Self::InvalidInput => "INVALID_INPUT",
            Self::FileNotFound => "FILE_NOT_FOUND",
            Self::Io => "IO",
            Self::Network => "NETWORK",
            Self::Cancelled => "CANCELLED",
            Self::CardUnavailable => "CARD_UNAVAILABLE",
            Self::CardRemoved => "CARD_REMOVED",
            Self::CardUnsupported => "CARD_UNSUPPORTED",
            Self::PinIncorrect => "PIN_INCORRECT",
            Self::PinBlocked => "PIN_BLOCKED",
            Self::CardNotActivated => "CARD_NOT_ACTIVATED",
            Self::InputChanged => "INPUT_CHANGED",
        }
    }

    /// What the person can do about it, in English. The UI and the CLI show their own
    /// translation of this; it is the fallback when they have none.
    pub const fn recommendation(self) -> &'static str {
        match self {
            Self::Internal => {
                "This is a bug in Signet. Please report it and attach the log file from Settings."
            }
            Self::NotImplemented => {
                "This feature is not available in this version of Signet yet. Check for an update."
            }
            Self::InvalidInput => "Check what you entered or chose, and try again.",
            Self::FileNotFound => "Check that the file exists and the name is spelled right.",
            Self::Io => {
                "Check that the folder is writable and the disk is not full. Your files were not changed."
            }
            Self::Network => {
                "Check your internet connection and try again. If it keeps failing, the service may be down."
            }
            Self::Cancelled => "Nothing was changed. Start again when you are ready.",
            Self::CardUnavailable => {
                "Check that the card reader is connected, the ID card is in it and no other program is using it, then try again."
            }
            Self::CardRemoved => {
                "Put the ID card back in the reader and try again. Nothing was signed."
            }
            Self::CardUnsupported => {
                "Use an Estonian ID card. If this is one, report the card type so Signet can learn it."
            }
            Self::PinIncorrect => {
                "Enter the PIN again carefully. When no tries are left, the PIN is blocked and only the PUK can unblock it."
            }
            Self::PinBlocked => {
                "Unblock the PIN with the PUK code from your PIN envelope, or get new codes from the Police and Border Guard Board."
            }
            Self::CardNotActivated => {
                "Activate the card in the Police and Border Guard Board self-service portal, then change PIN2."
            }
            Self::InputChanged => {
                "Nothing was written. Check the file is the one you mean to sign, then sign it again."
            }
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_their_names() {
        for code in Code::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<Code>(&json).unwrap(), code);
            assert!(code.recommendation().ends_with('.'), "{code}");
        }
    }

    #[test]
    fn unknown_codes_are_refused() {
        assert!(serde_json::from_str::<Code>("\"WHATEVER\"").is_err());
    }
}
