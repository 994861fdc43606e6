//! Model weights (PyTorch-named safetensors) and training checkpoints.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = specae::fuzzing::weights_and_checkpoint(data);
});
