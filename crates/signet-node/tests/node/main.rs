//! signet-node end to end over real HTTP on loopback: a node per test on a free port.
#![allow(clippy::unwrap_used, reason = "test helpers panic on broken fixtures")]

mod bench;
mod cases;
mod cli;
mod consents;
mod demo;
mod durable;
mod find_usage;
mod flow;
mod hidden;
mod independent;
mod limits;
mod mtls;
mod ocsp;
mod security;
mod signed_consents;
mod support;
mod tamper;
mod webeid;
