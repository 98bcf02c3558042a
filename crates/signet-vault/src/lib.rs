//! The vault: Signet's encrypted local cache.
//!
//! Everything Signet keeps about the person on this laptop — what agencies hold, the access log
//! and its verified checkpoints, consents and their receipts, the receipts of corrections and
//! misuse reports, alarms about agencies' logs with their evidence, notifications, sessions with agency nodes, the history of what was signed,
//! settings — lives in one SQLCipher database (AES-256 with a per-page HMAC-SHA512, the
//! write-ahead log included). Nothing readable reaches the disk:
//! temporary tables stay in memory.
//!
//! - The key is 32 random bytes in the OS keyring ([`KeyringStore`]), under a service name that
//!   differs between development and release builds. Where there is no keyring, the person
//!   chooses a passphrase ([`Passphrase`], a secret type; [`PassphraseStore`], Argon2id);
//!   [`WHY_A_PASSPHRASE`] says why. The passphrase file beside such a vault holds the Argon2id
//!   cost, the salt and the write generation, never the key. There is never a key file.
//! - Key rotation ([`Vault::rotate_key`]) can be interrupted anywhere: the file then opens with
//!   exactly one of the old and new keys, both of which are kept until the rotation is confirmed.
//! - Anti-rollback: every durable write raises a generation counter kept in the database and
//!   beside the key; an older copy of the file is refused ([`VaultError::RolledBack`]).
//! - Numbered migrations ([`SCHEMA_VERSION`]); an older Signet refuses a newer vault it cannot use
//!   and leaves it alone.
//! - The API is synchronous and small; time comes from a [`signet_core::Clock`].
//! - "Forget me on this laptop": [`Vault::wipe`], or [`forget`] for a vault that no longer opens,
//!   deletes the key first and then every file.
//!
//! Sessions with agency nodes ([`SessionToken`], a secret type) are kept in the vault until they
//! expire, and expired ones are deleted whenever sessions are read or written.
//!
//! Checkpoints, consent records and receipts and the signing history are written with
//! `synchronous = FULL`; what can be fetched again with `NORMAL` (both survive a crash of
//! Signet; only FULL survives a power cut).

mod alarms;
mod error;
mod key;
mod passphrase;
mod receipts;
mod records;
mod schema;
mod sessions;
mod store;
mod transfer;
mod vault;

pub use alarms::KeptAlarm;
pub use error::VaultError;
pub use key::{KEY_LEN, KeySlots, VaultKey};
pub use passphrase::{Argon2Cost, Passphrase, PassphraseStore, WHY_A_PASSPHRASE};
pub use receipts::KeptReceipt;
pub use records::{
    AgencyId, Checkpoint, ConsentId, ConsentReceipt, ConsentRecord, HoldingsSnapshot, LogId,
    Notification, NotificationId, SignatureFormat, SigningOutcome, SigningRecord, UsageEntry,
};
pub use schema::SCHEMA_VERSION;
pub use sessions::{SessionToken, StoredSession};
pub use store::{DEFAULT_ACCOUNT, KEYRING_SERVICE, KeyStore, KeyringStore};
pub use transfer::{CheckpointConflict, Imported};
pub use vault::{PLAINTEXT_HEADER, Vault, forget};
