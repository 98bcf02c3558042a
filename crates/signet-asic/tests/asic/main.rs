//! signet-asic against the real test PKI: OpenSSL's OCSP responder and TSA on loopback, a
//! signed test trusted list; and against the peers (libdigidocpp through pydigidoc, xmlsec1).
#![allow(clippy::unwrap_used, reason = "test helpers panic on broken fixtures")]

mod asics;
mod ca_revocation;
mod common;
mod corpus;
mod extend;
mod fuzz_smoke;
mod libdigidocpp;
mod signer_revocation;
mod signing;
mod wysiwys;
