//! A cached analysis (`analysis.npz`), as the explorer reads it back.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    specae::fuzzing::analysis_cache(data);
});
