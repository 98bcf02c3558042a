#![no_main]
//! Fuzzes `signet_pki::fuzzing::trusted_list` (see fuzz/README.md).

libfuzzer_sys::fuzz_target!(|data: &[u8]| signet_pki::fuzzing::trusted_list(data));
