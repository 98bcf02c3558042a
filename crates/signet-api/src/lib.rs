//! One function per operation a person performs with Signet.
//!
//! The desktop shell and the `signet` command are two callers of the same functions: an operation
//! is written once, here. Transport types live at the boundary in [`json`]; their TypeScript
//! declarations for the UI are generated from them ([`bindings`]).
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod alarms;
pub mod asice;
mod asice_extend;
mod asics;
pub mod autostart;
pub mod batch;
pub mod batching;
pub mod bindings;
pub mod card;
pub mod cases_screen;
pub mod cert;
pub mod consent_screen;
mod context;
pub mod dashboard;
pub mod data;
mod error;
pub mod extending;
pub mod http;
pub mod input;
pub mod job;
pub mod json;
pub mod listening;
pub mod localtime;
pub mod logging;
mod node_url;
pub mod output;
pub mod pades;
mod pades_extend;
pub mod people;
pub mod profile;
mod reached;
pub mod report_pdf;
pub mod settings;
pub mod signing;
pub mod token;
pub mod trust;
pub mod vault;
pub mod vault_transfer;
pub mod verification;
pub mod verification_export;

pub use context::{APP_ID, Context};
pub use error::{ApiError, MessageKey};
pub use profile::Profile;

use json::{AppInfo, BuildProfile, OptionalBackend};

/// What this build of Signet is: its version, build profile and the optional back ends compiled in.
pub fn app_info(context: &Context) -> AppInfo {
    let info = AppInfo {
        name: "Signet".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        profile: if cfg!(debug_assertions) {
            BuildProfile::Debug
        } else {
            BuildProfile::Release
        },
        backends: vec![
            OptionalBackend::new("pcsc", cfg!(feature = "pcsc")),
            OptionalBackend::new("pkcs11", cfg!(feature = "pkcs11")),
            OptionalBackend::new("soft", cfg!(feature = "soft")),
        ],
        log_dir: context.log_dir().map(|dir| dir.display().to_string()),
        profile_name: context.profile().map(|p| p.name.clone()),
    };
    tracing::debug!(version = %info.version, profile = ?info.profile, "app info requested");
    info
}

/// The error for an operation that later versions provide.
pub fn not_built(operation: &str) -> ApiError {
    ApiError::new(
        signet_core::Code::NotImplemented,
        format!(
            "“{operation}” is not built yet in Signet {}.",
            env!("CARGO_PKG_VERSION")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_info_reports_this_build() {
        let dir = tempfile::tempdir().unwrap();
        let context = Context::new(dir.path().join("data")).with_log_dir(dir.path().join("logs"));
        let info = app_info(&context);
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(
            info.profile,
            BuildProfile::Debug,
            "tests run in debug builds"
        );
        let names: Vec<_> = info.backends.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["pcsc", "pkcs11", "soft"]);
        assert_eq!(
            info.backends
                .iter()
                .find(|b| b.name == "pcsc")
                .unwrap()
                .compiled,
            cfg!(feature = "pcsc")
        );
        assert_eq!(
            info.log_dir.as_deref(),
            Some(&*dir.path().join("logs").display().to_string())
        );
    }

    #[test]
    fn app_info_serialises_in_camel_case() {
        let context = Context::new("/nonexistent/signet");
        let json = serde_json::to_value(app_info(&context)).unwrap();
        assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(json["profile"], "debug");
        assert!(json["logDir"].is_null());
        assert_eq!(json["backends"][1]["name"], "pkcs11");
    }

    #[test]
    fn not_built_names_the_operation_and_the_code() {
        let err = not_built("sign");
        assert_eq!(err.code, signet_core::Code::NotImplemented);
        assert!(
            err.message.contains("“sign” is not built yet"),
            "{}",
            err.message
        );
        assert!(!err.recommendation.is_empty());
    }
}
