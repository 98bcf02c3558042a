#![no_main]
//! cargo-fuzz target: signet_pdf::fuzzing::pdf_reader.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    signet_pdf::fuzzing::pdf_reader(data);
});
