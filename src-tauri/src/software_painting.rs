//! Without a GPU, WebKitGTK paints the page in software but still composites layers with
//! GL, which then runs on Mesa's software rasteriser: on a GPU-less machine (Xvfb, 2 cores)
//! the 15 fps preview cost 86 % of a core that way, against 8 % with compositing off
//! (docs/studio-benchmarks.md). So when the machine has no GPU render node, the studio
//! turns WebKit's compositing off, as its `WEBKIT_DISABLE_COMPOSITING_MODE` switch does,
//! unless the user set that switch themselves.

/// WebKitGTK's switch (read when the web process starts).
const SWITCH: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Turns compositing off on machines without a GPU. Returns whether it did.
///
/// # Safety
/// Sets an environment variable: call it before any other thread exists (first thing in
/// `run`), as `std::env::set_var` requires.
#[cfg(target_os = "linux")]
pub unsafe fn disable_compositing_without_gpu() -> bool {
    if std::env::var_os(SWITCH).is_some() || has_render_node() {
        return false;
    }
    // SAFETY: the caller guarantees no other thread runs yet (see above).
    unsafe { std::env::set_var(SWITCH, "1") };
    true
}

#[cfg(not(target_os = "linux"))]
pub unsafe fn disable_compositing_without_gpu() -> bool {
    false
}

/// Whether a GPU render node (`/dev/dri/renderD*`) is there for Mesa to use.
#[cfg(target_os = "linux")]
fn has_render_node() -> bool {
    std::fs::read_dir("/dev/dri").is_ok_and(|dir| {
        dir.flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}
