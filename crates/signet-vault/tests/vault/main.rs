//! The vault's integration tests: real SQLCipher files in temporary folders.
//!
//! The keyring tests against a real Secret Service are ignored by default; `cargo xtask test`
//! runs them inside a private D-Bus session with gnome-keyring (tests/keyring-session.sh).
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test, with its location"
)]

mod alarms;
mod at_rest;
mod concurrent;
mod failures;
mod keyring;
mod passphrase;
mod records;
mod rotation;
mod sessions;
mod support;
mod transfer;
