//! An SDSS spectrum file (DR8+ spec and DR7 spSpec layouts): read, rebin, classify.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = specae::fuzzing::sdss_fits(data);
});
