//! `rml_rtmp` panics on some malformed chunk streams (arithmetic overflow in its chunk
//! deserializer, issue 15 #15). Its calls run inside [`contained`]: a panic there ends that
//! connection with one log line instead of a task abort with a 60-line backtrace, and the
//! caller still finishes the publication.
//!
//! The panic hook is process-wide, so ours only silences panics raised while this thread is
//! inside [`contained`] (remembering their message and location for the log line) and
//! hands every other panic to the hook that was installed before it. (A build with
//! `panic = "abort"` would still abort: this relies on unwinding, the default.)

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, PanicHookInfo};
use std::sync::Once;

use crate::{Error, Result};

thread_local! {
    static INSIDE: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f` (a call into `rml_rtmp`); its panic becomes an `Err` naming where it happened.
pub(crate) fn contained<T>(f: impl FnOnce() -> T) -> Result<T> {
    install_hook();
    INSIDE.set(true);
    // The session that panicked is dropped by the caller, never used again: unwind safety
    // of its state does not matter.
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(f));
    INSIDE.set(false);
    outcome.map_err(|_| {
        let what = LAST_PANIC
            .take()
            .unwrap_or_else(|| "unknown location".into());
        Error::Ingest(format!("malformed RTMP input (rml_rtmp panicked: {what})"))
    })
}

fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if INSIDE.get() {
                LAST_PANIC.set(Some(describe(info)));
            } else {
                previous(info);
            }
        }));
    });
}

fn describe(info: &PanicHookInfo<'_>) -> String {
    let message = info
        .payload()
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
        .unwrap_or("panic");
    match info.location() {
        Some(at) => format!("{message} at {}:{}", short_path(at.file()), at.line()),
        None => message.to_owned(),
    }
}

/// `…/rml_rtmp-0.8.0/src/chunk_io/deserializer.rs` → `rml_rtmp-0.8.0/src/chunk_io/deserializer.rs`
/// (the registry path says nothing useful and names the build user's home).
fn short_path(file: &str) -> &str {
    file.rfind("/src/")
        .and_then(|src| {
            file[..src]
                .rfind('/')
                .map(|crate_dir| &file[crate_dir + 1..])
        })
        .unwrap_or(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::unwrap_used)]
    fn a_panic_inside_becomes_an_error_and_outside_panics_still_panic() {
        let err = contained(|| -> u32 { panic!("boom") }).unwrap_err();
        assert!(err.to_string().contains("boom"), "{err}");
        assert_eq!(contained(|| 7).unwrap(), 7);
        let outside = std::panic::catch_unwind(|| panic!("outside"));
        assert!(outside.is_err());
    }

    #[test]
    fn registry_paths_are_shortened() {
        assert_eq!(
            short_path("/root/.cargo/registry/src/index/rml_rtmp-0.8.0/src/chunk_io/d.rs"),
            "rml_rtmp-0.8.0/src/chunk_io/d.rs"
        );
    }
}
