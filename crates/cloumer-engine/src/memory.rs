//! Returning a finished pipeline's memory to the system.
//!
//! Every pipeline runs its own streaming threads, and glibc gives busy threads their own
//! malloc arenas. Freed frames and buffers stay cached in those arenas, so a process that
//! goes live many times (the studio) kept growing although every GStreamer object was
//! freed (GStreamer's leaks tracer finds none); a trim after each stop levels it off
//! (`examples/go_live_cycles.rs`; figures in docs/benchmarks.md, "Memory across go-live
//! cycles").
//! `malloc_trim` is glibc's own call for this; other allocators return memory themselves.
//!
//! A trim only helps once a session is over. While live, each new session's threads landed
//! in yet other arenas (glibc allows 8 per core), each with its own cached frames, so the
//! live RSS still climbed from cycle to cycle. Two arenas keep it level at no measurable CPU
//! cost (same section of docs/benchmarks.md); [`limit_malloc_arenas`] is for processes that
//! go live many times.

/// Arenas for a process that starts many pipelines (the measured sweet spot: with 4 the
/// live RSS still climbed; with 2 there are at most two threads contending for one arena on
/// the 2-core machines this was measured on).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const ARENAS: libc::c_int = 2;

/// Caps glibc's malloc arenas (see the module docs) unless the user tuned them with
/// `MALLOC_ARENA_MAX`. Call it first thing in `main`, before threads start: threads
/// already spread over arenas keep them. Returns whether the cap was set (glibc only).
pub fn limit_malloc_arenas() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only changes a glibc malloc parameter, under glibc's own lock.
        return unsafe { libc::mallopt(libc::M_ARENA_MAX, ARENAS) } == 1;
    }
    false
}

/// Hands the memory freed since the last trim back to the system (glibc only; a no-op
/// elsewhere). Takes a few milliseconds; called once per stopped session.
pub(crate) fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks and trims glibc's own arenas, under their locks.
    unsafe {
        libc::malloc_trim(0);
    }
}
