//! A DESI file (coadd, redrock or redshift catalogue): read, combine the arms, take every
//! target through ingest's checks, rebinning and line classes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = specae::fuzzing::desi_fits(data);
});
