//! A labels CSV, as the explorer reads it (and writes it back).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A round trip that changes the labels is a bug: make it a crash the fuzzer keeps.
    if let Err(e) = specae::fuzzing::labels_csv(data) {
        assert!(!e.contains("round trip"), "{e}");
    }
});
