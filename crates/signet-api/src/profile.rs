//! A profile: a folder that tells Signet where its defaults come from instead of the person's
//! settings — the time-stamping authority, what to trust, the list of nodes and the data folder.
//!
//! The demo profile (`cargo xtask demo`, the `signet-demo` launcher) is one: local TSA, OCSP and
//! agency nodes on loopback and a generated trusted list. A profile folder holds `profile.json`:
//!
//! ```json
//! {
//!   "name": "demo",
//!   "tsaUrl": "http://127.0.0.1:40001/tsa",
//!   "trust": [],
//!   "trustedList": "trust/tsl.xml",
//!   "trustedListSigners": ["trust/tsl-signer.pem"],
//!   "dataDir": "data",
//!   "identity": "identity.p12"
//! }
//! ```
//!
//! Relative paths are read from the profile folder. Signet uses a profile when
//! `SIGNET_PROFILE_DIR` names its folder (`SIGNET_PROFILE` may name the profile too, and must
//! then agree with the folder). Nothing secret is ever in a profile: the identity's password is
//! given to the person on the console, not written down.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use signet_core::Code;

use crate::ApiError;

/// The environment variable naming the profile folder.
pub const PROFILE_DIR_VAR: &str = "SIGNET_PROFILE_DIR";
/// The environment variable naming the profile (`demo`); needs [`PROFILE_DIR_VAR`].
pub const PROFILE_VAR: &str = "SIGNET_PROFILE";
/// The profile's description in its folder.
pub const PROFILE_FILE: &str = "profile.json";

/// A loaded profile; its paths are absolute or relative to the current directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Its name, `demo`.
    pub name: String,
    /// The folder it was loaded from.
    pub dir: PathBuf,
    /// The time-stamping authority used when none is given.
    pub tsa_url: Option<String>,
    /// Trust anchors (certificate files) used when no trust is given.
    pub trust: Vec<PathBuf>,
    /// A trusted list used when no trust is given.
    pub trusted_list: Option<PathBuf>,
    /// The certificates allowed to sign [`Self::trusted_list`].
    pub trusted_list_signers: Vec<PathBuf>,
    /// Signet's data folder in this profile: `nodes.json`, sessions, checkpoints.
    pub data_dir: PathBuf,
    /// The profile's signing identity (a PKCS#12 file), when it has one.
    pub identity: Option<PathBuf>,
    /// The signing device the profile signs with when none is chosen (`pcsc`, `p12:FILE`…); by
    /// default its identity's file, else the ID card.
    pub token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ProfileFile {
    name: String,
    #[serde(default)]
    tsa_url: Option<String>,
    #[serde(default)]
    trust: Vec<PathBuf>,
    #[serde(default)]
    trusted_list: Option<PathBuf>,
    #[serde(default)]
    trusted_list_signers: Vec<PathBuf>,
    data_dir: PathBuf,
    #[serde(default)]
    identity: Option<PathBuf>,
    #[serde(default)]
    token: Option<String>,
}

impl Profile {
    /// Loads the profile in `dir` (its `profile.json`).
    pub fn load(dir: &Path) -> Result<Self, ApiError> {
        let path = dir.join(PROFILE_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            ApiError::new(
                Code::InvalidInput,
                format!("{} is not a Signet profile: {e}", dir.display()),
            )
            .recommend(format!(
                "Start the demo services (`cargo xtask demo`), or point {PROFILE_DIR_VAR} at a folder with a {PROFILE_FILE}."
            ))
        })?;
        let file: ProfileFile = serde_json::from_str(&text).map_err(|e| {
            ApiError::new(
                Code::InvalidInput,
                format!("{} is not a profile description: {e}", path.display()),
            )
            .recommend("Start the demo services again: they rewrite the profile.")
        })?;
        if file.trusted_list.is_some() && file.trusted_list_signers.is_empty() {
            return Err(ApiError::new(
                Code::InvalidInput,
                format!(
                    "{} names a trusted list without the certificates allowed to sign it",
                    path.display()
                ),
            )
            .recommend("Add trustedListSigners to the profile."));
        }
        let at = |p: PathBuf| if p.is_absolute() { p } else { dir.join(p) };
        Ok(Self {
            name: file.name,
            dir: dir.to_owned(),
            tsa_url: file.tsa_url,
            trust: file.trust.into_iter().map(at).collect(),
            trusted_list: file.trusted_list.map(at),
            trusted_list_signers: file.trusted_list_signers.into_iter().map(at).collect(),
            data_dir: at(file.data_dir),
            identity: file.identity.map(at),
            // A token's file is the profile's too: `p12:identity.p12` works from any folder.
            token: file.token.map(|token| match token.split_once(':') {
                Some((kind @ ("p12" | "pkcs11"), file)) if !Path::new(file).is_absolute() => {
                    format!("{kind}:{}", dir.join(file).display())
                }
                _ => token,
            }),
        })
    }

    /// The profile the environment names: `SIGNET_PROFILE_DIR` (and `SIGNET_PROFILE`), or none.
    pub fn from_env() -> Result<Option<Self>, ApiError> {
        Self::select(
            std::env::var_os(PROFILE_VAR),
            std::env::var_os(PROFILE_DIR_VAR),
        )
    }

    /// The profile named by the values of `SIGNET_PROFILE` and `SIGNET_PROFILE_DIR`.
    pub fn select(name: Option<OsString>, dir: Option<OsString>) -> Result<Option<Self>, ApiError> {
        let name = name.filter(|n| !n.is_empty());
        let dir = dir.filter(|d| !d.is_empty());
        match (name, dir) {
            (None, None) => Ok(None),
            (Some(name), None) => Err(ApiError::new(
                Code::InvalidInput,
                format!(
                    "{PROFILE_VAR}={} names a profile but {PROFILE_DIR_VAR} does not say where it is",
                    name.to_string_lossy()
                ),
            )
            .recommend(format!(
                "Set {PROFILE_DIR_VAR} to the profile folder (the demo services print it), or unset {PROFILE_VAR}."
            ))),
            (name, Some(dir)) => {
                let profile = Self::load(Path::new(&dir))?;
                match name {
                    Some(name) if name.to_string_lossy() != profile.name => Err(ApiError::new(
                        Code::InvalidInput,
                        format!(
                            "{PROFILE_VAR}={} but the folder {} holds the profile “{}”",
                            name.to_string_lossy(),
                            profile.dir.display(),
                            profile.name
                        ),
                    )
                    .recommend(format!(
                        "Make {PROFILE_VAR} and {PROFILE_DIR_VAR} agree, or unset {PROFILE_VAR}."
                    ))),
                    _ => Ok(Some(profile)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, json: &str) {
        std::fs::write(dir.join(PROFILE_FILE), json).unwrap();
    }

    #[test]
    fn a_profile_resolves_its_paths_in_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            r#"{"name": "demo", "tsaUrl": "http://127.0.0.1:9/tsa", "trust": ["root.pem", "/etc/ca.pem"],
                "trustedList": "tsl.xml", "trustedListSigners": ["tsl-signer.pem"], "dataDir": "data",
                "identity": "identity.p12", "token": "p12:identity.p12"}"#,
        );
        let p = Profile::load(dir.path()).unwrap();
        // The token's file is the profile's, whatever the current folder.
        assert_eq!(
            p.token,
            Some(format!("p12:{}", dir.path().join("identity.p12").display()))
        );
        assert_eq!(p.name, "demo");
        assert_eq!(p.tsa_url.as_deref(), Some("http://127.0.0.1:9/tsa"));
        assert_eq!(
            p.trust,
            [dir.path().join("root.pem"), PathBuf::from("/etc/ca.pem")]
        );
        assert_eq!(p.trusted_list, Some(dir.path().join("tsl.xml")));
        assert_eq!(p.trusted_list_signers, [dir.path().join("tsl-signer.pem")]);
        assert_eq!(p.data_dir, dir.path().join("data"));
        assert_eq!(p.identity, Some(dir.path().join("identity.p12")));
        let context = crate::Context::new("/elsewhere").with_profile(p.clone());
        assert_eq!(context.data_dir(), dir.path().join("data"));
        assert_eq!(context.profile(), Some(&p));
    }

    #[test]
    fn the_environment_selects_a_profile_by_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), r#"{"name": "demo", "dataDir": "data"}"#);
        let folder = Some(dir.path().as_os_str().to_owned());
        assert_eq!(Profile::select(None, None).unwrap(), None);
        assert_eq!(
            Profile::select(Some("".into()), Some("".into())).unwrap(),
            None
        );
        let p = Profile::select(None, folder.clone()).unwrap().unwrap();
        assert_eq!(p.tsa_url, None);
        assert!(
            Profile::select(Some("demo".into()), folder.clone())
                .unwrap()
                .is_some()
        );
        let other = Profile::select(Some("production".into()), folder).unwrap_err();
        assert!(
            other.message.contains("holds the profile “demo”"),
            "{}",
            other.message
        );
        let no_dir = Profile::select(Some("demo".into()), None).unwrap_err();
        assert!(
            no_dir.message.contains(PROFILE_DIR_VAR),
            "{}",
            no_dir.message
        );
    }

    #[test]
    fn a_folder_without_a_valid_profile_is_refused_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let missing = Profile::load(dir.path()).unwrap_err();
        assert_eq!(missing.code, Code::InvalidInput);
        assert!(missing.recommendation.contains("cargo xtask demo"));
        write(
            dir.path(),
            r#"{"name": "demo", "dataDir": "data", "password": "x"}"#,
        );
        let unknown = Profile::load(dir.path()).unwrap_err();
        assert!(unknown.message.contains("password"), "{}", unknown.message);
        write(
            dir.path(),
            r#"{"name": "demo", "dataDir": "data", "trustedList": "tsl.xml"}"#,
        );
        assert!(Profile::load(dir.path()).is_err());
    }
}
