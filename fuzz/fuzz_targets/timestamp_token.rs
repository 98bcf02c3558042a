#![no_main]
//! Fuzzes `signet_pki::fuzzing::timestamp_token` (see fuzz/README.md).

libfuzzer_sys::fuzz_target!(|data: &[u8]| signet_pki::fuzzing::timestamp_token(data));
