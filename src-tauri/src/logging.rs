//! Logs via `tracing` to a daily file in the platform log dir (and stderr). `RUST_LOG`
//! overrides the default filter, but never lets dependencies log secrets.

use std::path::Path;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Keep the returned guard alive for as long as logs should be flushed.
pub fn init(dir: &Path) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,cloumer_studio=debug,tao=warn,wry=warn"));
    let filter = cloumer_api::logging::without_secrets(filter);
    let stderr = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    if std::fs::create_dir_all(dir).is_err() {
        let _ = tracing_subscriber::registry()
            .with(filter)
            .with(stderr)
            .try_init();
        return None;
    }
    let (file, guard) =
        tracing_appender::non_blocking(tracing_appender::rolling::daily(dir, "studio.log"));
    let file_layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(file);
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(stderr)
        .with(file_layer)
        .try_init();
    Some(guard)
}
