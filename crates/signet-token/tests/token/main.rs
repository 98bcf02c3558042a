//! signet-token's integration tests: the whole path Signet → `pcsc` → libpcsclite → pcscd →
//! vpcd → signet-vcard. Each test starts the machine's pcscd (run as root; one at a time).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[cfg(feature = "pcsc")]
mod card;
#[cfg(feature = "soft")]
mod soft;
#[cfg(feature = "pcsc")]
mod support;
