//! signet-pki against the generated test PKI and OpenSSL's own responders.
#![allow(clippy::unwrap_used, reason = "test helpers panic on broken fixtures")]

mod cades;
mod crl;
mod crypto;
mod fuzz_smoke;
mod lotl;
mod ocsp;
mod path;
mod support;
mod tsl;
mod tsp;
mod xmldsig;
