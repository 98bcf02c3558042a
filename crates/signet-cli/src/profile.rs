//! The profile's defaults on the command line for `verify` and `extend`: with
//! `SIGNET_PROFILE_DIR` set, what the person did not give (`--tsa`, `--trust`/`--tsl`) comes
//! from the profile (signet_api::profile). `sign` takes them in the engine
//! (`signet_api::signing::Settings`).

use signet_api::Profile;

use crate::args::{Command, TrustArgs};

/// Fills in the options the command line left out from `profile`.
pub(crate) fn apply(command: &mut Command, profile: &Profile) {
    match command {
        Command::Verify(args) => trust(&mut args.trust, profile),
        Command::Extend(args) => {
            if args.tsa.is_none() {
                args.tsa.clone_from(&profile.tsa_url);
            }
            trust(&mut args.trust, profile);
        }
        Command::Sign(_)
        | Command::Asice(_)
        | Command::Batch(_)
        | Command::Card(_)
        | Command::Cert(_)
        | Command::Data(_)
        | Command::Trust(_)
        | Command::Info => {}
    }
}

fn trust(args: &mut TrustArgs, profile: &Profile) {
    if args.trust.is_empty() && args.tsl.is_none() {
        args.trust.clone_from(&profile.trust);
        args.tsl.clone_from(&profile.trusted_list);
        args.tsl_signer.clone_from(&profile.trusted_list_signers);
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use clap::Parser as _;

    use super::*;
    use crate::args::Cli;

    fn profile() -> Profile {
        Profile {
            name: "demo".into(),
            dir: "/p".into(),
            tsa_url: Some("http://127.0.0.1:9/tsa".into()),
            trust: Vec::new(),
            trusted_list: Some("/p/tsl.xml".into()),
            trusted_list_signers: vec!["/p/tsl-signer.pem".into()],
            data_dir: "/p/data".into(),
            identity: None,
            token: None,
        }
    }

    fn parsed(args: &[&str]) -> Command {
        let mut cli = Cli::try_parse_from(args).unwrap();
        apply(&mut cli.command, &profile());
        cli.command
    }

    #[test]
    fn the_profile_fills_in_the_tsa_and_the_trust_left_out() {
        // `sign` is left to the engine's settings.
        let Command::Sign(args) = parsed(&["signet", "sign", "a.pdf"]) else {
            panic!()
        };
        assert_eq!(args.tsa, None);
        assert_eq!(args.token, None);
        let Command::Verify(args) = parsed(&["signet", "verify", "a.pdf"]) else {
            panic!()
        };
        assert_eq!(args.trust.tsl, Some(PathBuf::from("/p/tsl.xml")));
        let Command::Extend(args) = parsed(&["signet", "extend", "a.pdf", "--level", "B-LTA"])
        else {
            panic!()
        };
        assert_eq!(args.tsa.as_deref(), Some("http://127.0.0.1:9/tsa"));
        assert_eq!(args.trust.tsl, Some(PathBuf::from("/p/tsl.xml")));
        assert_eq!(args.trust.tsl_signer, [PathBuf::from("/p/tsl-signer.pem")]);
    }

    #[test]
    fn what_the_command_line_gives_wins_over_the_profile() {
        let Command::Verify(args) = parsed(&["signet", "verify", "a.pdf", "--tsl", "x.xml"]) else {
            panic!()
        };
        assert_eq!(args.trust.tsl, Some(PathBuf::from("x.xml")));
        assert!(args.trust.tsl_signer.is_empty());
    }
}
