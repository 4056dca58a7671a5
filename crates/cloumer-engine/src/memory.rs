//! Returning a finished pipeline's memory to the system.
//!
//! Every pipeline runs its own streaming threads, and glibc gives busy threads their own
//! malloc arenas. Freed frames and buffers stay cached in those arenas, so a process that
//! goes live many times (the studio) kept growing although every GStreamer object was
//! freed (GStreamer's leaks tracer finds none): 28 MiB after the first 720p go-live/stop
//! cycle, 73-101 MiB after cycles 12-19; with a trim after each stop, 40-50 MiB
//! (`examples/go_live_cycles.rs`, docs/benchmarks.md).
//! `malloc_trim` is glibc's own call for this; other allocators return memory themselves.

/// Hands the memory freed since the last trim back to the system (glibc only; a no-op
/// elsewhere). Takes a few milliseconds; called once per stopped session.
pub(crate) fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks and trims glibc's own arenas, under their locks.
    unsafe {
        libc::malloc_trim(0);
    }
}
