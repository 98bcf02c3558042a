//! signet-token's integration tests: the whole path Signet → `pcsc` → libpcsclite → pcscd →
//! vpcd → signet-vcard (each such test starts the machine's pcscd, run as root, one at a time),
//! PKCS#11 through SoftHSM2 and OpenSC, and PKCS#12 files.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[cfg(feature = "pcsc")]
mod card;
#[cfg(all(feature = "pcsc", feature = "pkcs11"))]
mod opensc;
#[cfg(any(feature = "pcsc", feature = "pkcs11"))]
mod openssl;
#[cfg(feature = "pkcs11")]
mod pkcs11;
#[cfg(feature = "pcsc")]
mod readers;
#[cfg(feature = "soft")]
mod soft;
#[cfg(feature = "pcsc")]
mod support;
#[cfg(feature = "pcsc")]
mod thales;
