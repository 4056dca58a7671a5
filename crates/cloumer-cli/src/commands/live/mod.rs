//! `cloumer live`: capture, encode and push to an RTMP(S) ingest and/or record to a file.

mod args;
mod audience;
mod portal_token;
mod progress;

use std::path::PathBuf;
use std::time::Duration;

use cloumer_engine::{Error, ScreenSource, SessionHandle, SessionState};
use tokio::sync::broadcast;

pub use args::LiveArgs;

use crate::failure::Failure;

pub async fn run(args: LiveArgs, backend: Option<PathBuf>) -> Result<(), Failure> {
    let args = args.options;
    // Streaming to the account's channel (no --to, not record-only): its viewers too.
    let to_account = args.to.is_none() && args.record.is_none();
    let mut config = args::broadcast_config(&args, backend.clone()).await?;
    let tokens = portal_token::TokenStore::default_location();
    if let (Some(ScreenSource::Portal { restore_token }), Some(store)) =
        (&mut config.sources.screen, &tokens)
        && restore_token.is_none()
    {
        *restore_token = store.load();
    }
    let handle = SessionHandle::spawn(config).map_err(failure_from)?;
    let audience = to_account.then(|| audience::watch(backend));
    let mut printer = progress::Printer::new(
        args.json,
        handle.config().video_bitrate_kbps,
        audience,
    );
    let mut states = handle.transitions();
    let mut stats = handle.stats();
    let mut bitrate_changes = handle.bitrate_changes();
    let mut current = SessionState::Idle;
    if let Err(e) = handle.start().await {
        while let Ok(state) = states.try_recv() {
            printer.state(&state);
        }
        return Err(failure_from(e));
    }
    remember_portal_choice(&handle, tokens.as_ref());
    let duration = args.duration.map(Duration::from_secs_f64);
    let stop_at = async {
        match duration {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(stop_at);
    let mut stopping = false;
    loop {
        tokio::select! {
            changed = states.recv() => {
                let state = match changed {
                    Ok(state) => state,
                    // Missed some (cannot happen at 64 deep, but be safe): read the latest.
                    Err(broadcast::error::RecvError::Lagged(_)) => handle.state().borrow().clone(),
                    Err(broadcast::error::RecvError::Closed) => return outcome(handle.state().borrow().clone()),
                };
                printer.state(&state);
                if state.is_terminal() {
                    return outcome(state);
                }
                current = state;
            }
            Ok(sample) = stats.recv() => printer.stats(&current, &sample),
            Ok(change) = bitrate_changes.recv() => printer.bitrate(&change),
            _ = &mut stop_at, if !stopping => {
                stopping = true;
                tracing::info!("--duration reached");
                request_stop(&handle);
            }
            _ = shutdown_signal(), if !stopping => {
                stopping = true;
                eprintln!("stopping (finishing the stream and the recording)...");
                request_stop(&handle);
            }
        }
    }
}

/// Saves the portal's fresh restore token (tokens are single-use) so the next run starts
/// without asking the user to pick the screen again.
fn remember_portal_choice(handle: &SessionHandle, store: Option<&portal_token::TokenStore>) {
    let (Some(token), Some(store)) = (handle.portal_restore_token(), store) else {
        return;
    };
    if let Err(e) = store.save(&token) {
        tracing::warn!(
            path = %store.path().display(),
            "cannot save the screen-cast restore token (the portal will ask again): {e}"
        );
    }
}

/// Asks the session to drain and stop; the loop keeps printing until it has.
fn request_stop(handle: &SessionHandle) {
    let handle = handle.clone();
    tokio::spawn(async move { handle.stop().await });
}

/// Ctrl-C or SIGTERM (what service managers and `timeout` send).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn outcome(state: SessionState) -> Result<(), Failure> {
    match state {
        SessionState::Failed { error } => Err(failure_from(error)),
        _ => Ok(()),
    }
}

/// The exit-status contract: 2 config, 3 key rejected, 4 TLS, 5 stream refused by the
/// ingest, 1 anything else.
fn failure_from(error: Error) -> Failure {
    match error {
        Error::Config(e) => Failure::usage(e),
        e @ Error::KeyRejected(_) => Failure::key_rejected(e),
        e @ Error::Tls(_) => Failure::tls(e),
        e @ Error::IngestRefused(_) => Failure::ingest_refused(e),
        e => Failure::other(e),
    }
}
