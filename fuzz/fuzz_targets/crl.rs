#![no_main]
//! Fuzzes `signet_pki::fuzzing::crl` (see fuzz/README.md).

libfuzzer_sys::fuzz_target!(|data: &[u8]| signet_pki::fuzzing::crl(data));
