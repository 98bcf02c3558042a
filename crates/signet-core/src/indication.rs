//! The validation vocabulary of ETSI EN 319 102-1 (clause 5.1.3, table 5).
//!
//! A validation never ends in a bare boolean: it ends in an [`Indication`] and, unless the
//! signature passed, a [`SubIndication`] that says why. The URIs of the standard are
//! `urn:etsi:019102:mainindication:<name>` and `urn:etsi:019102:subindication:<name>`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The main result of validating one signature.
///
/// Ordered from best to worst for reporting: when one command judges several signatures,
/// [`Indication::worst`] picks the verdict that decides the outcome (TOTAL-FAILED over
/// INDETERMINATE over TOTAL-PASSED).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Indication {
    /// Every check passed: the signature is valid under the validation policy.
    #[serde(rename = "TOTAL-PASSED")]
    TotalPassed,
    /// The checks could not decide: something needed to judge the signature is missing.
    #[serde(rename = "INDETERMINATE")]
    Indeterminate,
    /// A check failed: the signature is invalid (tampered, revoked, malformed, …).
    #[serde(rename = "TOTAL-FAILED")]
    TotalFailed,
}

impl Indication {
    /// The name as the standard writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::TotalPassed => "TOTAL-PASSED",
            Self::Indeterminate => "INDETERMINATE",
            Self::TotalFailed => "TOTAL-FAILED",
        }
    }

    /// The standard's URI for this indication.
    pub fn uri(self) -> String {
        format!(
            "urn:etsi:019102:mainindication:{}",
            self.as_str().to_ascii_lowercase()
        )
    }

    const fn severity(self) -> u8 {
        match self {
            Self::TotalPassed => 0,
            Self::Indeterminate => 1,
            Self::TotalFailed => 2,
        }
    }

    /// The worse of two verdicts: TOTAL-FAILED over INDETERMINATE over TOTAL-PASSED.
    #[must_use]
    pub const fn worse(self, other: Self) -> Self {
        if other.severity() > self.severity() {
            other
        } else {
            self
        }
    }

    /// The worst verdict of many, or `None` when there are none (no signature is not a pass).
    pub fn worst(verdicts: impl IntoIterator<Item = Self>) -> Option<Self> {
        verdicts.into_iter().reduce(Self::worse)
    }
}

impl fmt::Display for Indication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a signature did not pass (EN 319 102-1, table 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum SubIndication {
    /// The signature is not conformant to a supported format (malformed CMS/XML, bad ByteRange,
    /// broken container rule).
    FormatFailure,
    /// A digest over the signed data does not match (the data was changed).
    HashFailure,
    /// The signature value does not verify with the signer's public key.
    SigCryptoFailure,
    /// The signer's certificate was revoked before the signature was proven to exist.
    Revoked,
    /// The signature was proven to exist only after the signer's certificate expired.
    Expired,
    /// The signature was made before the signer's certificate became valid.
    NotYetValid,
    /// The signed attributes violate the validation policy.
    SigConstraintsFailure,
    /// The certificate chain violates the validation policy (key usage, policies, qualification).
    ChainConstraintsFailure,
    /// The chain could not be validated for a reason other than the ones above.
    CertificateChainGeneralFailure,
    /// An algorithm or key size is not acceptable at the relevant time.
    CryptoConstraintsFailure,
    /// An algorithm became weak and nothing proves the signature existed before that.
    CryptoConstraintsFailureNoPoe,
    /// The signature policy could not be processed.
    PolicyProcessingError,
    /// The signature policy could not be obtained.
    SignaturePolicyNotAvailable,
    /// Time-stamps are in an impossible order.
    TimestampOrderFailure,
    /// The signing certificate cannot be identified.
    NoSigningCertificateFound,
    /// No path from the signing certificate to a trust anchor.
    NoCertificateChainFound,
    /// The signer's certificate was revoked and nothing proves the signature existed before.
    RevokedNoPoe,
    /// A CA certificate in the chain was revoked and nothing proves the signature existed before.
    RevokedCaNoPoe,
    /// The certificate is out of its validity period and nothing proves the signature existed
    /// within it.
    OutOfBoundsNoPoe,
    /// The certificate is out of its validity period but not revoked.
    OutOfBoundsNotRevoked,
    /// A required proof of existence is missing.
    NoPoe,
    /// Revocation information is not available yet; validating later may decide.
    TryLater,
    /// A signed data object cannot be found.
    SignedDataNotFound,
}

impl SubIndication {
    /// Every sub-indication, in the order of the standard's table.
    pub const ALL: [Self; 23] = [
        Self::FormatFailure,
        Self::HashFailure,
        Self::SigCryptoFailure,
        Self::Revoked,
        Self::Expired,
        Self::NotYetValid,
        Self::SigConstraintsFailure,
        Self::ChainConstraintsFailure,
        Self::CertificateChainGeneralFailure,
        Self::CryptoConstraintsFailure,
        Self::CryptoConstraintsFailureNoPoe,
        Self::PolicyProcessingError,
        Self::SignaturePolicyNotAvailable,
        Self::TimestampOrderFailure,
        Self::NoSigningCertificateFound,
        Self::NoCertificateChainFound,
        Self::RevokedNoPoe,
        Self::RevokedCaNoPoe,
        Self::OutOfBoundsNoPoe,
        Self::OutOfBoundsNotRevoked,
        Self::NoPoe,
        Self::TryLater,
        Self::SignedDataNotFound,
    ];

    /// The name as the standard writes it (`HASH_FAILURE`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::FormatFailure => "FORMAT_FAILURE",
            Self::HashFailure => "HASH_FAILURE",
            Self::SigCryptoFailure => "SIG_CRYPTO_FAILURE",
            Self::Revoked => "REVOKED",
            Self::Expired => "EXPIRED",
            Self::NotYetValid => "NOT_YET_VALID",
            Self::SigConstraintsFailure => "SIG_CONSTRAINTS_FAILURE",
            Self::ChainConstraintsFailure => "CHAIN_CONSTRAINTS_FAILURE",
            Self::CertificateChainGeneralFailure => "CERTIFICATE_CHAIN_GENERAL_FAILURE",
            Self::CryptoConstraintsFailure => "CRYPTO_CONSTRAINTS_FAILURE",
            Self::CryptoConstraintsFailureNoPoe => "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
            Self::PolicyProcessingError => "POLICY_PROCESSING_ERROR",
            Self::SignaturePolicyNotAvailable => "SIGNATURE_POLICY_NOT_AVAILABLE",
            Self::TimestampOrderFailure => "TIMESTAMP_ORDER_FAILURE",
            Self::NoSigningCertificateFound => "NO_SIGNING_CERTIFICATE_FOUND",
            Self::NoCertificateChainFound => "NO_CERTIFICATE_CHAIN_FOUND",
            Self::RevokedNoPoe => "REVOKED_NO_POE",
            Self::RevokedCaNoPoe => "REVOKED_CA_NO_POE",
            Self::OutOfBoundsNoPoe => "OUT_OF_BOUNDS_NO_POE",
            Self::OutOfBoundsNotRevoked => "OUT_OF_BOUNDS_NOT_REVOKED",
            Self::NoPoe => "NO_POE",
            Self::TryLater => "TRY_LATER",
            Self::SignedDataNotFound => "SIGNED_DATA_NOT_FOUND",
        }
    }

    /// The standard's URI for this sub-indication.
    pub fn uri(self) -> String {
        format!("urn:etsi:019102:subindication:{}", self.as_str())
    }

    /// Whether the standard allows this sub-indication with `indication`.
    ///
    /// TOTAL-PASSED takes none. FORMAT_FAILURE, EXPIRED and NOT_YET_VALID belong to both other
    /// indications (table 5: proven after expiry is a failure; expired without a proof of
    /// existence is undecided); HASH_FAILURE, SIG_CRYPTO_FAILURE and REVOKED only to TOTAL-FAILED.
    pub const fn allowed_with(self, indication: Indication) -> bool {
        match indication {
            Indication::TotalPassed => false,
            Indication::TotalFailed => matches!(
                self,
                Self::FormatFailure
                    | Self::HashFailure
                    | Self::SigCryptoFailure
                    | Self::Revoked
                    | Self::Expired
                    | Self::NotYetValid
            ),
            Indication::Indeterminate => !matches!(
                self,
                Self::HashFailure | Self::SigCryptoFailure | Self::Revoked
            ),
        }
    }
}

impl fmt::Display for SubIndication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_verdict_decides() {
        use Indication::*;
        assert_eq!(
            Indication::worst([TotalPassed, Indeterminate, TotalPassed]),
            Some(Indeterminate)
        );
        assert_eq!(
            Indication::worst([Indeterminate, TotalFailed, TotalPassed]),
            Some(TotalFailed)
        );
        assert_eq!(
            Indication::worst([TotalFailed, Indeterminate]),
            Some(TotalFailed)
        );
        assert_eq!(Indication::worst([TotalPassed]), Some(TotalPassed));
        assert_eq!(Indication::worst([]), None);
    }

    #[test]
    fn indications_serialise_as_the_standard_writes_them() {
        assert_eq!(
            serde_json::to_string(&Indication::TotalPassed).unwrap(),
            "\"TOTAL-PASSED\""
        );
        assert_eq!(
            serde_json::to_string(&Indication::TotalFailed).unwrap(),
            "\"TOTAL-FAILED\""
        );
        assert_eq!(
            Indication::Indeterminate.uri(),
            "urn:etsi:019102:mainindication:indeterminate"
        );
    }

    #[test]
    fn sub_indications_serialise_as_their_names_and_are_all_listed() {
        let mut seen = std::collections::HashSet::new();
        for sub in SubIndication::ALL {
            let json = serde_json::to_string(&sub).unwrap();
            assert_eq!(json, format!("\"{}\"", sub.as_str()));
            assert_eq!(serde_json::from_str::<SubIndication>(&json).unwrap(), sub);
            assert!(seen.insert(sub.as_str()), "{sub} listed twice");
        }
        assert_eq!(
            SubIndication::HashFailure.uri(),
            "urn:etsi:019102:subindication:HASH_FAILURE"
        );
    }

    #[test]
    fn table_5_pairs() {
        use SubIndication::*;
        assert!(HashFailure.allowed_with(Indication::TotalFailed));
        assert!(!HashFailure.allowed_with(Indication::Indeterminate));
        assert!(Expired.allowed_with(Indication::TotalFailed));
        assert!(Expired.allowed_with(Indication::Indeterminate));
        assert!(!NoCertificateChainFound.allowed_with(Indication::TotalFailed));
        assert!(TryLater.allowed_with(Indication::Indeterminate));
        assert!(
            SubIndication::ALL
                .iter()
                .all(|s| !s.allowed_with(Indication::TotalPassed))
        );
    }
}
