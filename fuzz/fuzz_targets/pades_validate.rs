#![no_main]
//! cargo-fuzz target: signet_pades::fuzzing::pades_validate (the whole PDF signature validator).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    signet_pades::fuzzing::pades_validate(data);
});
