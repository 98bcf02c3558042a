#![no_main]
//! Fuzzes `signet_asic::fuzzing::xades_signature`: the XAdES signature-file parser and
//! validator (see fuzz/README.md).

libfuzzer_sys::fuzz_target!(|data: &[u8]| signet_asic::fuzzing::xades_signature(data));
