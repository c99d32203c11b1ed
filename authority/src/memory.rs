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

/// Keeps glibc's mmap threshold at its default (128 KiB) instead of letting it rise (up to
/// 32 MiB) each time a large block is freed: every large buffer (a document's text, a
/// growing array) then has pages of its own, given back whole when it is freed or moved,
/// instead of leaving holes in the heap that the rest of the run cannot always reuse.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn fix_mmap_threshold() {
    // SAFETY: mallopt only sets a tuning parameter; called before other threads start.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// Keeps the C library's mmap threshold fixed (nothing to do here).
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn fix_mmap_threshold() {}
