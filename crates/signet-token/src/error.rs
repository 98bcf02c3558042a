//! The error of every token operation.

use signet_core::Code;

use crate::pin::{PinFormatError, PinKind};
use crate::trouble::CardTrouble;

/// Why a token operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Trouble the person can act on: reader, card or PIN.
    #[error(transparent)]
    Card(#[from] CardTrouble),
    /// The typed PIN was refused before it reached the card; no try was spent.
    #[error(transparent)]
    PinFormat(#[from] PinFormatError),
    /// The caller passed the wrong PIN kind for the key (a bug in the caller).
    #[error("{role} needs {expected}, got {given}")]
    WrongPinKind {
        /// The key.
        role: &'static str,
        /// The PIN it needs.
        expected: PinKind,
        /// The PIN given.
        given: PinKind,
    },
    /// The digest cannot be signed by this token (wrong length).
    #[error("cannot sign a {len}-byte digest: give a SHA-384 digest (48 bytes) or a shorter one")]
    DigestLength {
        /// The length given.
        len: usize,
    },
    /// The card answered with a status word Signet does not expect.
    #[error("the card answered {sw:04X} to {command}")]
    UnexpectedStatus {
        /// Which command.
        command: &'static str,
        /// The status word.
        sw: u16,
    },
    /// The password of a PKCS#12 file is wrong (or the file was altered).
    #[error("the password is wrong, or the file was changed")]
    WrongPassword,
    /// A PKCS#11 module could not be loaded or initialised.
    #[error("cannot use the PKCS#11 module {module}: {reason}")]
    Module {
        /// The module's path.
        module: String,
        /// Why.
        reason: String,
    },
    /// The token has no key for this use.
    #[error("the token has no {role} key with a certificate")]
    NoKey {
        /// `auth` or `sign`.
        role: &'static str,
    },
    /// A PIN to be typed on a PIN pad ([`crate::Pin::on_pad`]) was given to a token whose reader
    /// has none (or whose pad is turned off): a bug in the caller.
    #[error("the PIN was to be typed on the reader's PIN pad, but the reader has none in use")]
    NoPinPad,
    /// The card's answer was malformed (bad FCP, oversized file, wrong signature length).
    #[error("malformed answer from the card: {0}")]
    Malformed(String),
}

impl TokenError {
    /// The code the UI branches on.
    pub const fn code(&self) -> Code {
        match self {
            Self::Card(trouble) => trouble.code(),
            Self::PinFormat(_) => Code::InvalidInput,
            Self::WrongPinKind { .. } | Self::NoPinPad => Code::Internal,
            Self::DigestLength { .. } => Code::InvalidInput,
            Self::UnexpectedStatus { .. } | Self::Malformed(_) => Code::CardUnsupported,
            Self::WrongPassword => Code::PinIncorrect,
            Self::Module { .. } => Code::CardUnavailable,
            Self::NoKey { .. } => Code::CardUnsupported,
        }
    }
}
