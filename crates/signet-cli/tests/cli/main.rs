//! The command line tested as data: each `tests/cmd/*.toml` names the arguments, and the exact
//! output and exit status expected. Regenerate an expectation with `TRYCMD=overwrite` after a
//! deliberate change, and read the diff.
//!
//! Commands that need the test PKI's live OCSP responder run the `signet` binary from Rust
//! ([`cert_verify`]): the certificates and the responder's port change on every run.
#![allow(clippy::unwrap_used, reason = "test helpers panic on broken fixtures")]

mod asice;
mod asice_extend;
mod batch;
mod batch_settings;
mod card;
mod cases;
mod cert_verify;
mod checkpoints;
mod consents;
mod data;
mod data_demo;
mod data_session;
mod hidden;
mod inputs;
mod keys;
mod levels;
mod log;
mod messages;
mod pades;
mod pin_stdin;
mod terminal;
mod token;
mod trust;
mod usage;
mod verify;
mod wysiwys;

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .register_bin("signet", trycmd::cargo::cargo_bin!("signet"))
        .case("tests/cmd/*.toml");
}
