//! Without a GPU, WebKitGTK paints the page in software but still composites layers with
//! GL, which then runs on Mesa's software rasteriser: on a GPU-less machine the preview
//! costs about ten times as much that way as with compositing off (figures in
//! docs/studio-benchmarks.md). So when the machine has no GPU render node, the studio
//! turns WebKit's compositing off, as its `WEBKIT_DISABLE_COMPOSITING_MODE` switch does.
//!
//! With compositing off the app's own process has no use for GL at all, yet three things
//! still open EGL or GLX in it, and on a GPU-less machine each loads Mesa's llvmpipe
//! (libLLVM and the swrast driver, tens of MiB resident, measured in
//! docs/studio-benchmarks.md):
//! GDK probing GLX visuals when it opens the display, WebKit checking whether its DMA-BUF
//! renderer (which only presents composited frames) can run, and WebKit asking EGL which
//! DRM device the web process should render with. The switches below turn off the first
//! two and answer the third up front. The web process still loads Mesa: WebKit 2.50 will
//! not paint without an EGL display there.
//!
//! Each switch is left alone when the user set it, and nothing is touched on a machine with
//! a GPU or when the user asked for compositing (`WEBKIT_DISABLE_COMPOSITING_MODE=0`).

/// WebKit's compositing switch (any value but "0" turns compositing off).
const COMPOSITING_OFF: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// WebKitGTK's and GDK's switches, with the values that mean "software only".
const SWITCHES: [(&str, &str); 4] = [
    // Read when the web process starts: paint without GL compositing.
    (COMPOSITING_OFF, "1"),
    // GDK's GL support (GTK 3): we have no GL widgets, and with it GDK loads GLX's driver.
    ("GDK_GL", "disable"),
    // The DMA-BUF renderer only carries composited frames, which are off.
    ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
    // The render device WebKit would otherwise ask EGL for. There is none: a path that is
    // not a DRM device gives the web process no device, as EGL's answer on a machine
    // without a GPU (a null render node) would, but without loading Mesa to get it.
    ("WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/null"),
];

/// On machines without a GPU, sets WebKit and GDK up for software painting (see the module
/// docs). Returns whether it did.
///
/// # Safety
/// Sets environment variables: call it before any other thread exists (first thing in
/// `run`), as `std::env::set_var` requires.
#[cfg(target_os = "linux")]
pub unsafe fn software_only_without_gpu() -> bool {
    let compositing_asked_for = std::env::var_os(COMPOSITING_OFF).is_some_and(|v| v == "0");
    if compositing_asked_for || has_render_node() {
        return false;
    }
    for (name, value) in SWITCHES {
        if std::env::var_os(name).is_none() {
            // SAFETY: the caller guarantees no other thread runs yet (see above).
            unsafe { std::env::set_var(name, value) };
        }
    }
    true
}

#[cfg(not(target_os = "linux"))]
pub unsafe fn software_only_without_gpu() -> bool {
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
