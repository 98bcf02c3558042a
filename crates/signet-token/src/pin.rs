//! PIN secrets: zeroized, `<redacted>`, never serialised, checked before they reach a card.

use std::fmt;

use zeroize::Zeroizing;

/// Which secret the card asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PinKind {
    /// PIN1: authentication, 4–12 digits.
    Pin1,
    /// PIN2: qualified signature, 5–12 digits.
    Pin2,
    /// PUK: unblocks PIN1 and PIN2, 8–12 digits.
    Puk,
    /// The password of a PKCS#12 file (software token): any text of 1–1024 bytes.
    Password,
}

impl PinKind {
    /// The shortest and longest lengths the Estonian card accepts.
    pub const fn lengths(self) -> (usize, usize) {
        match self {
            Self::Pin1 => (4, 12),
            Self::Pin2 => (5, 12),
            Self::Puk => (8, 12),
            Self::Password => (1, 1024),
        }
    }

    /// `PIN1`, `PIN2` or `PUK`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pin1 => "PIN1",
            Self::Pin2 => "PIN2",
            Self::Puk => "PUK",
            Self::Password => "password",
        }
    }
}

impl fmt::Display for PinKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a typed PIN was refused before it went to the card (no try was spent).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PinFormatError {
    /// Too short or too long.
    #[error("{kind} must have {min} to {max} digits")]
    Length {
        /// Which PIN.
        kind: PinKind,
        /// The shortest allowed.
        min: usize,
        /// The longest allowed.
        max: usize,
    },
    /// Something other than the digits 0–9.
    #[error("{kind} may contain only the digits 0 to 9")]
    NotDigits {
        /// Which PIN.
        kind: PinKind,
    },
}

/// A PIN or PUK the person typed.
///
/// The digits live in one buffer allocated at its final size and wiped on drop. There is no
/// `Clone`, `Display` or `Serialize`; `Debug` prints `<redacted>`. Only a back end sees the
/// digits, at the moment it builds the VERIFY command.
pub struct Pin {
    kind: PinKind,
    digits: Zeroizing<Vec<u8>>,
    on_pad: bool,
}

impl Pin {
    /// Checks `typed` (digits only, the right length for `kind`) and keeps it as a secret.
    /// Takes the typed text by value and wipes it.
    pub fn new(kind: PinKind, typed: Zeroizing<String>) -> Result<Self, PinFormatError> {
        let text = typed.trim_end_matches(['\r', '\n']);
        let (min, max) = kind.lengths();
        if kind != PinKind::Password && !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PinFormatError::NotDigits { kind });
        }
        if text.len() < min || text.len() > max {
            return Err(PinFormatError::Length { kind, min, max });
        }
        let mut digits = Zeroizing::new(Vec::with_capacity(max));
        digits.extend_from_slice(text.as_bytes());
        Ok(Self {
            kind,
            digits,
            on_pad: false,
        })
    }

    /// The answer for a reader with a PIN pad: the person types `kind` on the reader's own keys,
    /// so no digit ever reaches the host. A token without a pad refuses it.
    pub fn on_pad(kind: PinKind) -> Self {
        Self {
            kind,
            digits: Zeroizing::new(Vec::new()),
            on_pad: true,
        }
    }

    /// Whether the PIN is to be typed on the reader's PIN pad ([`Pin::on_pad`]).
    pub const fn entered_on_pad(&self) -> bool {
        self.on_pad
    }

    /// Which PIN this is.
    pub const fn kind(&self) -> PinKind {
        self.kind
    }

    /// The ASCII digits, for a back end building a command. Do not copy them anywhere that is
    /// not itself zeroized.
    pub fn expose_digits(&self) -> &[u8] {
        &self.digits
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.on_pad {
            write!(f, "Pin({}, on the PIN pad)", self.kind)
        } else {
            write!(f, "Pin({}, <redacted>)", self.kind)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pin(kind: PinKind, text: &str) -> Result<Pin, PinFormatError> {
        Pin::new(kind, Zeroizing::new(text.to_owned()))
    }

    #[test]
    fn lengths_and_digits_are_checked_before_the_card() {
        assert!(pin(PinKind::Pin1, "1234").is_ok());
        assert!(pin(PinKind::Pin1, "1234\n").is_ok());
        assert!(matches!(
            pin(PinKind::Pin1, "123"),
            Err(PinFormatError::Length { .. })
        ));
        assert!(matches!(
            pin(PinKind::Pin2, "1234"),
            Err(PinFormatError::Length { .. })
        ));
        assert!(matches!(
            pin(PinKind::Puk, "1234567"),
            Err(PinFormatError::Length { .. })
        ));
        assert!(matches!(
            pin(PinKind::Pin1, "1234567890123"),
            Err(PinFormatError::Length { .. })
        ));
        assert!(matches!(
            pin(PinKind::Pin1, "12a4"),
            Err(PinFormatError::NotDigits { .. })
        ));
        assert!(matches!(
            pin(PinKind::Pin1, "１２３４"),
            Err(PinFormatError::NotDigits { .. })
        ));
    }

    #[test]
    fn debug_never_shows_the_digits() {
        let secret = pin(PinKind::Pin2, "24680").unwrap();
        let shown = format!("{secret:?} {secret:#?}");
        assert!(!shown.contains("24680"), "{shown}");
        assert!(shown.contains("<redacted>"));
        assert_eq!(secret.expose_digits(), b"24680");
        assert!(!secret.entered_on_pad());
    }

    #[test]
    fn a_pad_pin_carries_no_digits() {
        let pad = Pin::on_pad(PinKind::Pin2);
        assert!(pad.entered_on_pad());
        assert!(pad.expose_digits().is_empty());
        assert_eq!(format!("{pad:?}"), "Pin(PIN2, on the PIN pad)");
    }
}
