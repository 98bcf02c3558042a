//! Signing devices for Signet: the [`SigningToken`] trait, its back ends, PIN secret types and
//! the closed set of card trouble a person can meet.
//!
//! Back ends are modules behind cargo features: [`pcsc`] (the Estonian ID card by its own APDUs
//! through PC/SC, feature `pcsc`), [`pkcs11`] (any PKCS#11 module, feature `pkcs11`) and [`soft`] (a PKCS#12 file with a password, feature `soft`);
//! all on by default.
//!
//! The caller collects a PIN *before* calling into a token, so no PC/SC transaction is ever open
//! while a person types. PINs are [`Pin`] values: zeroized on drop, `<redacted>` in `Debug`, not
//! `Display`, not serialisable, checked for length and digits before they reach a card, never
//! logged. A signature PIN (PIN2) is consumed by exactly one signature.
//!
//! Card I/O blocks: run it on a thread of its own, never on a UI or IPC thread.

mod error;
mod pin;
mod signer;
mod trouble;

#[cfg(feature = "pcsc")]
pub mod pcsc;
#[cfg(feature = "pkcs11")]
pub mod pkcs11;
#[cfg(feature = "soft")]
pub mod soft;
#[cfg(feature = "soft")]
mod soft_key;

pub use error::TokenError;
pub use pin::{Pin, PinFormatError, PinKind};
pub use signer::{OneShotSigner, raw_to_der};
pub use trouble::{CardTrouble, Language};

/// Which of the card's two keys (and certificates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyRole {
    /// The authentication key: Web eID, TLS client authentication. Unlocked by PIN1.
    Authentication,
    /// The qualified signing key (non-repudiation). Unlocked by PIN2, once per signature.
    Signing,
}

impl KeyRole {
    /// The PIN that unlocks this key.
    pub const fn pin(self) -> PinKind {
        match self {
            Self::Authentication => PinKind::Pin1,
            Self::Signing => PinKind::Pin2,
        }
    }

    /// `auth` or `sign`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Authentication => "auth",
            Self::Signing => "sign",
        }
    }
}

/// A certificate read from a token, with the key it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCertificate {
    /// Which key.
    pub role: KeyRole,
    /// The certificate, DER.
    pub der: Vec<u8>,
}

/// The state of one PIN as the card counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinState {
    /// Which PIN.
    pub kind: PinKind,
    /// Tries left before it blocks.
    pub retries_left: u8,
    /// The most tries the card allows (3 on Estonian cards).
    pub max_retries: u8,
    /// The reader has a PIN pad Signet will use: the person types this PIN on the reader,
    /// and the caller answers with [`Pin::on_pad`].
    pub pin_pad: bool,
}

impl PinState {
    /// The count of a token that does not tell it (a PKCS#11 module before the last try, a
    /// PKCS#12 file).
    pub const UNKNOWN: u8 = u8::MAX;

    /// Whether no try is left.
    pub const fn blocked(&self) -> bool {
        self.retries_left == 0
    }
}

/// The holder's data the card carries without a PIN (the personal data file).
#[derive(Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PersonalData {
    /// Surname.
    pub surname: String,
    /// Given names.
    pub given_names: String,
    /// Citizenship, ISO 3166 alpha-3.
    pub citizenship: String,
    /// The personal identification code.
    pub personal_code: String,
    /// The document number.
    pub document_number: String,
    /// Expiry date as printed on the card, `DD MM YYYY`.
    pub expiry: String,
}

impl std::fmt::Debug for PersonalData {
    /// The personal code is personal data: never in debug output (and so never in logs).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonalData")
            .field("document_number", &self.document_number)
            .field("expiry", &self.expiry)
            .finish_non_exhaustive()
    }
}

/// A raw ECDSA signature as the card returns it: r ‖ s, each as wide as the curve (96 bytes for
/// P-384). XAdES and Web eID keep it raw; CMS needs [`raw_to_der`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSignature(pub Vec<u8>);

/// One signing device: an ID card, a PKCS#11 token or a PKCS#12 file.
///
/// Every method may talk to the device, and blocks while it does.
pub trait SigningToken {
    /// Both certificates (authentication and signing) the token holds.
    fn certificates(&mut self) -> Result<Vec<TokenCertificate>, TokenError>;

    /// The secret that unlocks `role`'s key on this token (PIN1 / PIN2 on a card, the
    /// password for a PKCS#12 file).
    fn pin_kind(&self, role: KeyRole) -> PinKind {
        role.pin()
    }

    /// The state of `kind`: tries left and whether it is blocked. Read it before asking the
    /// person for the PIN, so the prompt can show the tries left.
    fn pin_state(&mut self, kind: PinKind) -> Result<PinState, TokenError>;

    /// Whether the token must be activated before its signing key signs (a Thales ID card
    /// delivered locked, whose PIN2 was never changed). Ask before asking for PIN2.
    fn needs_activation(&mut self) -> Result<bool, TokenError> {
        Ok(false)
    }

    /// Verifies `pin` and signs `digest` (the host hashes; SHA-384 is the native size) with the
    /// key of `role`. The PIN is consumed: a second signature needs a new one.
    fn sign_digest(
        &mut self,
        role: KeyRole,
        digest: &[u8],
        pin: Pin,
    ) -> Result<RawSignature, TokenError>;
}
