//! signet-pades integration tests: interop with pyHanko, pdfsig and qpdf, the attack corpus,
//! generated attacks.
#![allow(clippy::unwrap_used, reason = "test helpers panic on broken fixtures")]
#![allow(clippy::print_stderr, reason = "tests explain peer output")]

mod attacks;
mod ca_revocation;
mod corpus;
mod crl;
mod interop;
mod levels;
mod presign;
mod pyhanko_signed;
mod role_attacks;
mod signer_revocation;
mod stripping;
mod structure_attacks;
mod support;
