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

/// Runs `f`, turning a panic inside it into an error carrying the panic's message: for library
/// code that panics on failures it should report (burn's GPU runtime on a device error, a
/// driver's shader compiler).
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .map_err(|p| panic_message(p.as_ref(), "an internal error (panic)"))
}
