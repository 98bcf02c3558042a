//! Signet's data protocol, pure: what an agency node and the person's Signet say to each other.
//!
//! - [`entry`]: the usage entry (Data Tracker v3 fields, released data, served or refused) and
//!   its salted commitment.
//! - [`merkle`]: the RFC 9162 Merkle tree, inclusion and consistency proofs.
//! - [`note`]: C2SP signed notes with Ed25519 and checkpoints.
//! - [`log`]: following a log across visits (first visit, consistency, "history rewritten").
//! - [`consent`]: consent records (permit or deny, a recipient, a purpose, validity, history)
//!   and the signed receipts for their changes.
//! - [`correction`]: corrections of a record's field and misuse reports of a usage entry, and
//!   the signed receipts for them and for the agency's decisions.
//! - [`holdings`]: the data sets an agency holds about a person, and the records.
//! - [`webeid`]: the Web eID authentication token (web-eid:1.0 and 1.1), made and validated.
//! - [`time`]: RFC 3339 timestamps.
//!
//! No I/O, no runtime, no clock of its own: time comes from a [`signet_core::Clock`],
//! randomness (salts, nonces, keys) from the caller.

pub mod canonical;
pub mod consent;
pub mod correction;
pub mod demo;
pub mod entry;
pub mod holdings;
pub mod log;
pub mod merkle;
pub mod note;
pub mod time;
pub mod webeid;

pub use entry::{PersonCode, Salt, UsageEntry, commitment};
pub use log::{Known, LogError, PinnedLog};
pub use merkle::{Hash, ProofError, Tree};
pub use note::{Checkpoint, NoteError, NoteSigner, NoteVerifier};
pub use time::Timestamp;
