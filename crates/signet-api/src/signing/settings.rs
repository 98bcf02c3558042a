//! The settings an operation runs with, by one precedence for every field: what the request
//! gives, then the profile, then the person's settings ([`crate::settings`]), then built-in
//! defaults (level B-LT, the ID card in whichever reader holds one, no time-stamping service,
//! no trust beyond what the document carries).

use std::path::{Path, PathBuf};

use signet_core::{BaselineLevel, Code};

use crate::asice::TrustFiles;
use crate::cert::{FileBytes, TrustedListFiles};
use crate::token::TokenSpec;
use crate::{ApiError, Context};

/// What signing trusts, named by files (certificates in DER or PEM, a trusted list and its
/// signers), as a request or a profile gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustPaths {
    /// Trust anchors.
    pub anchors: Vec<PathBuf>,
    /// A trusted list (ETSI TS 119 612).
    pub list: Option<PathBuf>,
    /// The certificates allowed to sign the list.
    pub list_signers: Vec<PathBuf>,
}

impl TrustPaths {
    /// Whether it names nothing (then the profile's trust applies).
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty() && self.list.is_none()
    }

    /// The files, read.
    pub fn read(&self) -> Result<TrustFiles, ApiError> {
        Ok(TrustFiles {
            trust: self
                .anchors
                .iter()
                .map(|p| read_named(p))
                .collect::<Result<_, _>>()?,
            list: match &self.list {
                Some(list) => Some(TrustedListFiles {
                    list: read_named(list)?,
                    signers: self
                        .list_signers
                        .iter()
                        .map(|p| read_named(p))
                        .collect::<Result<_, _>>()?,
                }),
                None => None,
            },
        })
    }
}

/// What a request gives; what it leaves out comes from the profile, the person's settings and
/// the defaults.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// The level.
    pub level: Option<BaselineLevel>,
    /// The signing device.
    pub token: Option<TokenSpec>,
    /// The time-stamping authority's address.
    pub tsa: Option<String>,
    /// What signing trusts (used whole: never mixed with the profile's).
    pub trust: Option<TrustPaths>,
}

/// The settings an operation runs with, by the one precedence: the request, the profile, the
/// person's settings, built-in defaults.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The level.
    pub level: BaselineLevel,
    /// The signing device.
    pub token: TokenSpec,
    /// The time-stamping authority.
    pub tsa: Option<String>,
    /// What signing and validation trust.
    pub trust: TrustFiles,
}

impl Settings {
    /// The settings in `context` for a request that gives `level` and `token`.
    pub fn resolve(
        context: &Context,
        level: Option<BaselineLevel>,
        token: Option<&TokenSpec>,
    ) -> Result<Self, ApiError> {
        Self::resolve_with(
            context,
            &Overrides {
                level,
                token: token.cloned(),
                ..Overrides::default()
            },
        )
    }

    /// The settings in `context` for a request that gives `given`.
    pub fn resolve_with(context: &Context, given: &Overrides) -> Result<Self, ApiError> {
        let profile = context.profile();
        let named = match profile.and_then(|p| p.token.as_deref()) {
            Some(text) => Some(text.parse::<TokenSpec>().map_err(|why| {
                ApiError::new(
                    Code::InvalidInput,
                    format!("the profile's token is not one Signet knows: {why}"),
                )
                .recommend("Start the demo services again: they rewrite the profile.")
            })?),
            None => None,
        };
        let person = crate::settings::load(context);
        let chosen = person
            .token
            .as_deref()
            .and_then(|t| t.parse::<TokenSpec>().ok());
        let token = match (&given.token, named) {
            (Some(token), _) => token.clone(),
            (None, Some(named)) => named,
            (None, None) => match profile.and_then(|p| p.identity.clone()) {
                Some(file) => TokenSpec::P12 { file },
                None => chosen.unwrap_or_default(),
            },
        };
        let trust = match &given.trust {
            Some(paths) if !paths.is_empty() => paths.read()?,
            _ => match profile {
                Some(profile) => profile_trust(profile)?,
                None => TrustFiles::default(),
            },
        };
        Ok(Self {
            level: given.level.or(person.level).unwrap_or(BaselineLevel::B_LT),
            // The pad is the person's choice whichever way the device was named.
            token: token.with_pin_pad(person.pin_pad.unwrap_or(true)),
            tsa: given
                .tsa
                .clone()
                .or_else(|| profile.and_then(|p| p.tsa_url.clone()))
                .or(person.tsa_url),
            trust,
        })
    }
}

fn read_named(path: &Path) -> Result<FileBytes, ApiError> {
    Ok(FileBytes {
        name: path.display().to_string(),
        bytes: std::fs::read(path).map_err(|e| crate::input::unreadable(path, &e))?,
    })
}

/// The trust a profile names.
pub fn profile_trust(profile: &crate::Profile) -> Result<TrustFiles, ApiError> {
    TrustPaths {
        anchors: profile.trust.clone(),
        list: profile.trusted_list.clone(),
        list_signers: profile.trusted_list_signers.clone(),
    }
    .read()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(dir: &Path, token: Option<&str>) -> crate::Profile {
        crate::Profile {
            name: "demo".into(),
            dir: dir.to_owned(),
            tsa_url: Some("http://127.0.0.1:9/tsa".into()),
            trust: Vec::new(),
            trusted_list: None,
            trusted_list_signers: Vec::new(),
            data_dir: dir.join("data"),
            identity: None,
            token: token.map(str::to_owned),
        }
    }

    #[test]
    fn the_request_wins_then_the_profile_then_the_person_then_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let plain = Context::new(dir.path().join("plain"));
        let defaults = Settings::resolve_with(&plain, &Overrides::default()).unwrap();
        assert_eq!(defaults.level, BaselineLevel::B_LT);
        assert_eq!(defaults.token, TokenSpec::default());
        assert_eq!(defaults.tsa, None);

        let with = Context::new(dir.path().join("p"))
            .with_profile(profile(dir.path(), Some("p12:/demo/identity.p12")));
        crate::settings::save(
            &with,
            crate::settings::PersonSettings {
                tsa_url: Some("https://person.example/tsa".into()),
                level: Some(BaselineLevel::B_T),
                token: Some("pcsc".into()),
                pin_pad: Some(false),
                ..crate::settings::PersonSettings::default()
            },
        )
        .unwrap();
        let from_profile = Settings::resolve_with(&with, &Overrides::default()).unwrap();
        assert_eq!(from_profile.token.to_string(), "p12:/demo/identity.p12");
        assert_eq!(from_profile.tsa.as_deref(), Some("http://127.0.0.1:9/tsa"));
        // The profile names no level: the person's applies.
        assert_eq!(from_profile.level, BaselineLevel::B_T);

        let given = Settings::resolve_with(
            &with,
            &Overrides {
                level: Some(BaselineLevel::B_B),
                token: Some("p12:/mine.p12".parse().unwrap()),
                tsa: Some("http://given.example/tsa".into()),
                trust: Some(TrustPaths {
                    anchors: vec![dir.path().join("missing.pem")],
                    ..TrustPaths::default()
                }),
            },
        );
        // The given trust is read (and its file is missing).
        assert_eq!(given.unwrap_err().code, Code::FileNotFound);
        let given = Settings::resolve_with(
            &with,
            &Overrides {
                level: Some(BaselineLevel::B_B),
                token: Some("p12:/mine.p12".parse().unwrap()),
                tsa: Some("http://given.example/tsa".into()),
                trust: None,
            },
        )
        .unwrap();
        assert_eq!(given.level, BaselineLevel::B_B);
        // The person turned the PIN pad off: so it is for a card named by the request too.
        let card = Settings::resolve_with(
            &with,
            &Overrides {
                token: Some(TokenSpec::default()),
                ..Overrides::default()
            },
        )
        .unwrap();
        assert_eq!(card.token, TokenSpec::default().with_pin_pad(false));
        assert_eq!(given.token.to_string(), "p12:/mine.p12");
        assert_eq!(given.tsa.as_deref(), Some("http://given.example/tsa"));
    }
}
