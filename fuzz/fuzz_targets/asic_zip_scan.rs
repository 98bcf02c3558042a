#![no_main]
//! Fuzzes `signet_asic::fuzzing::zip_scan`: the ZIP central-directory scanner, the manifest
//! parser and the container layer (see fuzz/README.md).

libfuzzer_sys::fuzz_target!(|data: &[u8]| signet_asic::fuzzing::zip_scan(data));
