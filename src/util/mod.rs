//! Small helpers shared by all pipeline stages.

pub mod atomic;
pub mod fasthash;
pub mod priority;
pub mod progress;
pub mod simd;
pub mod stats;

/// The message a caught panic carried (`fallback` when it carried none).
pub fn panic_message(payload: &(dyn std::any::Any + Send), fallback: &str) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| fallback.into())
}
