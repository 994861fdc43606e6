//! Seeded random numbers for negative sampling (specae patch).
//!
//! umap-rs 0.4.5 drew negative samples from `rand::rng()`, a thread-local RNG seeded from the
//! operating system, so no two runs agreed. This generator is a SplitMix64 stream keyed by
//! (seed, epoch, edge), so the single-threaded path is reproducible and the parallel path draws
//! the same samples whatever thread handles an edge.

use rand::RngCore;

pub struct EdgeRng {
  state: u64,
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix(mut z: u64) -> u64 {
  z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
  z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
  z ^ (z >> 31)
}

impl EdgeRng {
  pub fn new(seed: u64, epoch: u64, edge: u64) -> Self {
    let state = mix(seed ^ mix(epoch.wrapping_add(GOLDEN)) ^ mix(edge.wrapping_mul(GOLDEN).wrapping_add(1)));
    Self { state }
  }
}

impl RngCore for EdgeRng {
  fn next_u32(&mut self) -> u32 {
    (self.next_u64() >> 32) as u32
  }

  fn next_u64(&mut self) -> u64 {
    self.state = self.state.wrapping_add(GOLDEN);
    mix(self.state)
  }

  fn fill_bytes(&mut self, dst: &mut [u8]) {
    for chunk in dst.chunks_mut(8) {
      let v = self.next_u64().to_le_bytes();
      chunk.copy_from_slice(&v[..chunk.len()]);
    }
  }
}
