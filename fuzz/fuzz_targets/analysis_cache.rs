//! A cached analysis (`analysis.npz`), as the explorer reads it back.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = specae::fuzzing::analysis_cache(data);
});
