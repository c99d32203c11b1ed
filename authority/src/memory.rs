//! Giving memory back to the system, where the C library allows it.

/// Returns the free memory of every malloc arena to the system: after a burst of requests
/// (the box), or once a tool is done with large temporary buffers (`verify` after reading
/// the record's documents), so the pages they leave scattered are not counted against the
/// rest of the run.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn trim_heap() {
    // SAFETY: malloc_trim only releases free memory; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Returns the free memory of every malloc arena to the system (nothing to do here).
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn trim_heap() {}
