//! A survey file (astroML npz schema): read, validate, preprocess.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = specae::fuzzing::survey_npz(data);
});
