//! The person's settings, one store read by the app and the command line (`settings.json` in
//! Signet's data folder): the time-stamping service, the default level, the signing device and
//! where signed files go. They come after what a command gives and what the profile says, and
//! before built-in defaults ([`crate::signing::Settings::resolve`]).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use signet_core::{BaselineLevel, Code};

use crate::output::{Placement, write_atomically};
use crate::token::TokenSpec;
use crate::{ApiError, Context};

/// The file, in the data folder.
pub const SETTINGS_FILE: &str = "settings.json";

/// What the person chose.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PersonSettings {
    /// The time-stamping service's address (`https://…`).
    #[serde(default)]
    pub tsa_url: Option<String>,
    /// The level to sign at.
    #[serde(default)]
    pub level: Option<BaselineLevel>,
    /// The signing device: `pcsc`, `pkcs11:MODULE` or `p12:FILE`.
    #[serde(default)]
    pub token: Option<String>,
    /// The folder signed files are saved in (an absolute path); none: next to the original.
    /// Signing ([`crate::signing::propose`]) and batches ([`crate::batching::plan`]) write
    /// there unless the request names its own output; an existing file is still never replaced
    /// without the person's word.
    #[serde(default)]
    pub output_dir: Option<String>,
    /// Use the reader's PIN pad when it has one (the PIN is typed on the reader, never on the
    /// computer); unset means yes. `false` takes every PIN from the keyboard, for a reader whose
    /// pad misbehaves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_pad: Option<bool>,
}

impl PersonSettings {
    /// The folder signed files go to, when the person chose one.
    pub fn output_folder(&self) -> Option<&Path> {
        self.output_dir.as_deref().map(Path::new)
    }
}

fn path(context: &Context) -> PathBuf {
    context.data_dir().join(SETTINGS_FILE)
}

/// The person's settings; none when the file is missing. A file that cannot be read is reported
/// in the log and ignored (the built-in defaults apply), never half-used.
pub fn load(context: &Context) -> PersonSettings {
    read_json(&path(context), "the settings file")
}

/// Checks `settings` and stores them (atomically); empty texts mean "not set".
pub fn save(context: &Context, mut settings: PersonSettings) -> Result<PersonSettings, ApiError> {
    settings.tsa_url = settings
        .tsa_url
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty());
    settings.token = settings
        .token
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    let loopback = |url: &str| {
        [
            "http://127.0.0.1:",
            "http://127.0.0.1/",
            "http://[::1]",
            "http://localhost:",
            "http://localhost/",
        ]
        .iter()
        .any(|p| url.starts_with(p))
    };
    if let Some(url) = &settings.tsa_url
        && !(url.starts_with("https://") || loopback(url))
    {
        return Err(ApiError::new(
            Code::InvalidInput,
            format!("“{url}” is not the address of a time-stamping service"),
        )
        .recommend(
            "Give its address starting with https:// (or http://), as the service publishes it.",
        ));
    }
    settings.output_dir = settings
        .output_dir
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty());
    if let Some(dir) = settings.output_folder()
        && !(dir.is_absolute() && dir.is_dir())
    {
        return Err(ApiError::new(
            Code::InvalidInput,
            format!(
                "“{}” is not a folder signed files can be saved in",
                dir.display()
            ),
        )
        .recommend("Choose an existing folder, or save signed files next to the original."));
    }
    if let Some(token) = &settings.token {
        token.parse::<TokenSpec>().map_err(|why| {
            ApiError::new(Code::InvalidInput, format!("the signing device: {why}"))
                .recommend("Choose the ID card, a PKCS#11 module's file or a PKCS#12 file.")
        })?;
    }
    write_json(&path(context), &settings, "the settings")?;
    tracing::info!("settings saved");
    Ok(settings)
}

/// A settings file of the data folder: its content, or the defaults when it is missing or
/// cannot be read (said in the log, never half-used).
pub(crate) fn read_json<T: serde::de::DeserializeOwned + Default>(file: &Path, what: &str) -> T {
    match std::fs::read(file) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "{what} cannot be read; the defaults apply");
            T::default()
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => T::default(),
        Err(e) => {
            tracing::warn!(error = %e, "{what} cannot be read; the defaults apply");
            T::default()
        }
    }
}

/// Stores `value` as a settings file of the data folder, atomically.
pub(crate) fn write_json(file: &Path, value: &impl Serialize, what: &str) -> Result<(), ApiError> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            ApiError::from(e).recommend("Check that Signet's data folder can be written.")
        })?;
    }
    let text = serde_json::to_vec_pretty(value)
        .map_err(|e| ApiError::new(Code::Internal, format!("{what}: {e}")))?;
    write_atomically(file, Placement::Replace, |f| f.write_all(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_bad_values_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let context = Context::new(dir.path());
        assert_eq!(load(&context), PersonSettings::default());
        let saved = save(
            &context,
            PersonSettings {
                tsa_url: Some(" https://tsa.example/tsa ".into()),
                level: Some(BaselineLevel::B_T),
                token: Some("".into()),
                output_dir: Some(format!(" {} ", dir.path().display())),
                pin_pad: Some(false),
            },
        )
        .unwrap();
        assert_eq!(saved.tsa_url.as_deref(), Some("https://tsa.example/tsa"));
        assert_eq!(saved.token, None);
        assert_eq!(saved.output_folder(), Some(dir.path()));
        assert_eq!(saved.pin_pad, Some(false));
        assert_eq!(load(&context), saved);
        for bad in [
            "relative/folder".to_owned(),
            dir.path().join("missing").display().to_string(),
        ] {
            let err = save(
                &context,
                PersonSettings {
                    output_dir: Some(bad),
                    ..PersonSettings::default()
                },
            )
            .unwrap_err();
            assert_eq!(err.code, Code::InvalidInput);
            assert!(err.message.contains("not a folder"), "{err}");
        }
        let err = save(
            &context,
            PersonSettings {
                tsa_url: Some("http://tsa.example/".into()),
                ..PersonSettings::default()
            },
        )
        .unwrap_err();
        assert_eq!(err.code, Code::InvalidInput);
        let err = save(
            &context,
            PersonSettings {
                token: Some("usb:x".into()),
                ..PersonSettings::default()
            },
        )
        .unwrap_err();
        assert!(err.message.contains("signing device"), "{err}");
        // What was stored before the refusals is still there.
        assert_eq!(load(&context), saved);
        std::fs::write(dir.path().join(SETTINGS_FILE), "{not json").unwrap();
        assert_eq!(load(&context), PersonSettings::default());
    }
}
