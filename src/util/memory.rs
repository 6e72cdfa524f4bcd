//! How a long-running process uses the C allocator.

/// Caps glibc's malloc arenas at two. glibc gives threads that allocate at the same time arenas
/// of their own, up to eight per core, and keeps what each freed: a service whose memory is a
/// few long-lived stores, written by a handful of tokio threads, then holds several copies of
/// its peak. Call it before any thread starts. Elsewhere than on glibc it does nothing.
pub fn few_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before other threads exist.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
