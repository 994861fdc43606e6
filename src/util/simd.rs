//! The CPU's vector state between faer's matrix products and ordinary code.
//!
//! faer's x86 kernels (AVX-512 or AVX2) return with the upper halves of the vector registers
//! in use. Code compiled for baseline x86-64 (SSE, as specae's own loops are) then pays a
//! transition penalty on each vector instruction: measured on this project's 2-core Xeon, the
//! VAE's MMD (35,000 kernel evaluations) took 6.8–9.6 ms on a training thread after a product
//! and 0.43 ms after `vzeroupper`, a 16× slowdown. [`clear_upper_state`] after each product
//! costs one instruction.

/// Clears the upper halves of the AVX registers (`vzeroupper`) where the CPU has AVX;
/// elsewhere nothing.
#[inline]
pub fn clear_upper_state() {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx") {
            // SAFETY: AVX is present (checked above); vzeroupper touches no memory.
            unsafe { zero_upper() }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn zero_upper() {
    std::arch::x86_64::_mm256_zeroupper();
}
