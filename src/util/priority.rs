//! Background work yields to the UI thread. On a 2-core laptop the training engine and the
//! analysis keep every core busy; a UI thread at the same priority then waits for a core in
//! the middle of a frame (measured: 4–5 ms of run-queue wait in the frame in which an epoch's
//! latents arrive). The explorer runs its worker threads and rayon's pool one step below it.

/// How far below its creator a background thread runs on Linux (nice steps).
pub const NICE_STEPS: i32 = 10;

/// Lowers the calling thread's priority: 10 nice steps below the thread that created it on
/// Linux (per thread there; a new thread inherits its creator's nice value, so an app started
/// with `nice -n 5` keeps its UI thread above its workers at 5 vs 15; capped at 19), the
/// user-initiated QoS class on macOS (below the main thread's user-interactive class, still on
/// the performance cores). Lowers each thread once however often it is called. Best effort: a
/// refusal leaves the thread as it was. Elsewhere (Windows) a no-op.
pub fn lower_current_thread_priority() {
    thread_local! {
        static LOWERED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    if LOWERED.with(|l| l.replace(true)) {
        return;
    }
    #[cfg(target_os = "linux")]
    // SAFETY: getpriority/setpriority have no memory effects; `who = 0` is the calling thread
    // on Linux. getpriority returns -1 both as a value and as an error; a nice value of -1 is
    // then lowered from -1, which is what was asked either way.
    unsafe {
        let own = libc::getpriority(libc::PRIO_PROCESS, 0);
        libc::setpriority(libc::PRIO_PROCESS, 0, (own + NICE_STEPS).min(19));
    }
    #[cfg(target_vendor = "apple")]
    // SAFETY: sets the calling thread's QoS class; no memory effects.
    unsafe {
        libc::pthread_set_qos_class_self_np(libc::qos_class_t::QOS_CLASS_USER_INITIATED, 0);
    }
}

/// Makes rayon's global pool (the native training engine's matrix products, the analysis)
/// run below the UI thread. Only the first call in a process has an effect, and only if
/// nothing has used rayon yet; returns whether this call set the pool up.
pub fn background_rayon_pool() -> bool {
    rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("specae-rayon-{i}"))
        .start_handler(|_| lower_current_thread_priority())
        .build_global()
        .is_ok()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_lowered_thread_runs_below_the_caller() {
        let nice = || {
            // SAFETY: getpriority only reads the calling thread's nice value.
            unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
        };
        let own = nice();
        let lowered = std::thread::spawn(move || {
            lower_current_thread_priority();
            nice()
        })
        .join()
        .expect("thread");
        assert_eq!(nice(), own, "the caller's priority changed");
        // 10 steps below the caller, whatever the caller's own nice value (tests run under
        // `nice` too); only a caller already at the lowest priority (19) cannot go below.
        assert_eq!(lowered, (own + NICE_STEPS).min(19), "caller at nice {own}");
        assert!(
            lowered > own || own == 19,
            "nice {lowered} vs the caller's {own}"
        );
        // Lowering twice lowers once.
        let twice = std::thread::spawn(move || {
            lower_current_thread_priority();
            lower_current_thread_priority();
            nice()
        })
        .join()
        .expect("thread");
        assert_eq!(twice, lowered);
    }
}
