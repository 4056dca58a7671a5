//! Real components for Cloumer's integration tests, each started on free resources and torn
//! down on `Drop`:
//!
//! * [`Xvfb`]: a virtual X display with a moving picture on it (screen capture tests);
//! * [`Pulse`]: a private PulseAudio with a null sink `vsink` playing a tone (microphone
//!   tests capture `vsink.monitor`);
//! * [`Ingest`]: nginx-rtmp that records every publish, with an `on_publish` hook accepting
//!   exactly one stream key, behind an nginx `stream` TLS listener whose certificate comes
//!   from a test CA installed in the system trust store, plus a second TLS listener with an
//!   untrusted certificate;
//! * [`probe`]: ffprobe/ffmpeg helpers returning parsed data;
//! * [`NetBed`]: a constrained network (namespaces, veth, `tc tbf`) with the ingest on
//!   the far side ([`Ingest::start_behind`]);
//! * [`MotoServer`]: moto_server, the stand-in for AWS APIs;
//! * [`IvsStandIn`]: the IVS / IVS Chat calls moto lacks (stream keys, StopStream, chat);
//! * [`seed_contract`]: the REST checks both homes of the handlers must pass;
//! * [`WaylandSession`]: headless sway with PipeWire and the ScreenCast portal
//!   (xdg-desktop-portal-wlr with a chooser that counts how often it was asked).
//!
//! A component that cannot run here (missing program, not root) returns an error whose text
//! says why; tests turn it into a printed skip with [`skip_unless!`].
//! A dev-dependency only: never linked into the product.

mod ca;
mod display;
mod ingest;
mod ivs_standin;
mod moto;
mod netbed;
pub mod probe;
mod process;
mod pulse;
pub mod seed_contract;
mod skip;
mod wayland;
mod wayland_shim;

pub use ca::TestCa;
pub use display::Xvfb;
pub use ingest::{Ingest, Recording};
pub use ivs_standin::IvsStandIn;
pub use moto::MotoServer;
pub use netbed::{Namespace, NetBed};
pub use process::{free_port, wait_until};
pub use pulse::Pulse;
pub use skip::{SKIP_LOG_ENV, skip, skip_for_hardware};
pub use wayland::WaylandSession;

/// Runs `$expr` (an `anyhow::Result`); on error [`skip`]s the calling test with the reason
/// and returns from it, so a missing component is a counted skip, never a silent pass
/// (and a failure under `CI=true`).
#[macro_export]
macro_rules! skip_unless {
    ($expr:expr) => {
        match $expr {
            Ok(value) => value,
            Err(reason) => {
                $crate::skip(format!("{reason:#}"));
                return;
            }
        }
    };
}

/// Checks that the programs a test needs are installed.
pub fn require_programs(programs: &[&str]) -> anyhow::Result<()> {
    for program in programs {
        if process::which(program).is_none() {
            anyhow::bail!("`{program}` is not installed (see the README's test set-up command)");
        }
    }
    Ok(())
}
