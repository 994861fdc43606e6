//! Background work yields to the UI thread. On a 2-core laptop the training engine and the
//! analysis keep every core busy; a UI thread at the same priority then waits for a core in
//! the middle of a frame (measured: 4–5 ms of run-queue wait in the frame in which an epoch's
//! latents arrive). The explorer runs its worker threads and rayon's pool one step below it.

/// Lowers the calling thread's priority: nice 10 on Linux (per thread there), the
/// user-initiated QoS class on macOS (below the main thread's user-interactive class, still on
/// the performance cores). Best effort: a refusal leaves the thread as it was. Elsewhere (Windows)
/// a no-op.
pub fn lower_current_thread_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority has no memory effects; `who = 0` is the calling thread on Linux.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
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
        assert!(
            lowered > own,
            "nice {lowered} is not below the caller's {own}"
        );
    }
}
