//! How a long-running process uses the C allocator.

/// Tunes glibc's malloc for a service whose memory is a few long-lived stores, written by a
/// handful of tokio threads: at most two arenas (glibc gives threads that allocate at the same
/// time arenas of their own, up to eight per core, and keeps what each freed, so several copies
/// of the peak), and blocks above 128 KiB (a page of a list, a body being read) taken from and
/// given back to the system at once instead of left as holes between the stores (glibc raises
/// that threshold on its own as large blocks come and go, to 32 MiB). Call it before any thread
/// starts. Elsewhere than on glibc it does nothing.
pub fn few_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called before other threads exist.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 * 1024);
    }
}
