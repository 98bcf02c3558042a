//! The baseline signature levels of ETSI EN 319 122-1 (CAdES), EN 319 132-1 (XAdES) and
//! EN 319 142-1 (PAdES).
//!
//! | level | adds |
//! | --- | --- |
//! | B-B | the signature with the signing certificate among its signed attributes |
//! | B-T | a trusted time (an RFC 3161 signature time-stamp) proving the signature existed |
//! | B-LT | the validation material: certificates and revocation data (OCSP, CRL) |
//! | B-LTA | archive (document) time-stamps that keep the material verifiable after algorithms age |

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A baseline level, from the weakest (B-B) to the strongest (B-LTA). Ordered by strength.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[allow(
    non_camel_case_types,
    reason = "the names the standards and the issue tracker use: B_B … B_LTA"
)]
pub enum BaselineLevel {
    /// Basic signature.
    #[serde(rename = "B-B")]
    B_B,
    /// With a signature time-stamp.
    #[serde(rename = "B-T")]
    B_T,
    /// With long-term validation material.
    #[serde(rename = "B-LT")]
    B_LT,
    /// With long-term availability and integrity (archive time-stamps).
    #[serde(rename = "B-LTA")]
    B_LTA,
}

impl BaselineLevel {
    /// Every level, weakest first.
    pub const ALL: [Self; 4] = [Self::B_B, Self::B_T, Self::B_LT, Self::B_LTA];

    /// The name as the standards write it: `B-B`, `B-T`, `B-LT`, `B-LTA`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::B_B => "B-B",
            Self::B_T => "B-T",
            Self::B_LT => "B-LT",
            Self::B_LTA => "B-LTA",
        }
    }

    /// Whether a signature at this level carries a signature time-stamp.
    pub const fn has_timestamp(self) -> bool {
        !matches!(self, Self::B_B)
    }

    /// Whether a signature at this level carries its validation material.
    pub const fn has_validation_data(self) -> bool {
        matches!(self, Self::B_LT | Self::B_LTA)
    }
}

impl fmt::Display for BaselineLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A level name that is none of `B-B`, `B-T`, `B-LT`, `B-LTA`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown signature level {0:?}: expected one of B-B, B-T, B-LT, B-LTA")]
pub struct ParseLevelError(pub String);

impl FromStr for BaselineLevel {
    type Err = ParseLevelError;

    /// Accepts the standard names in any case, with or without the `B-` prefix and with `_` for
    /// `-` (`b-lt`, `LT`, `B_LT`), as people type them on a command line.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let normal = input.trim().to_ascii_uppercase().replace('_', "-");
        let short = normal.strip_prefix("B-").unwrap_or(&normal);
        match short {
            "B" => Ok(Self::B_B),
            "T" => Ok(Self::B_T),
            "LT" => Ok(Self::B_LT),
            "LTA" => Ok(Self::B_LTA),
            _ => Err(ParseLevelError(input.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_text_and_json() {
        for level in BaselineLevel::ALL {
            assert_eq!(level.as_str().parse::<BaselineLevel>().unwrap(), level);
            let json = serde_json::to_string(&level).unwrap();
            assert_eq!(json, format!("\"{level}\""));
            assert_eq!(serde_json::from_str::<BaselineLevel>(&json).unwrap(), level);
        }
    }

    #[test]
    fn parsing_is_forgiving_about_case_and_prefix_but_not_about_names() {
        assert_eq!(
            "b-lt".parse::<BaselineLevel>().unwrap(),
            BaselineLevel::B_LT
        );
        assert_eq!(
            "LTA".parse::<BaselineLevel>().unwrap(),
            BaselineLevel::B_LTA
        );
        assert_eq!("B_T".parse::<BaselineLevel>().unwrap(), BaselineLevel::B_T);
        let err = "B-X".parse::<BaselineLevel>().unwrap_err();
        assert!(err.to_string().contains("\"B-X\""));
        assert!("".parse::<BaselineLevel>().is_err());
        assert!(
            serde_json::from_str::<BaselineLevel>("\"LT\"").is_err(),
            "JSON is strict"
        );
    }

    #[test]
    fn levels_are_ordered_by_strength() {
        assert!(BaselineLevel::B_B < BaselineLevel::B_T);
        assert!(BaselineLevel::B_LT < BaselineLevel::B_LTA);
        assert!(!BaselineLevel::B_B.has_timestamp());
        assert!(BaselineLevel::B_T.has_timestamp() && !BaselineLevel::B_T.has_validation_data());
        assert!(BaselineLevel::B_LTA.has_validation_data());
    }
}
