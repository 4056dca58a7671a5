//! `cloumer serve`: the CLOUMER backend in this process until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Instant;

use cloumer_server::auth::mail::SmtpSettings;
use cloumer_server::ingest::{ChannelType, TlsSource};
use cloumer_server::{HttpTls, PublicAddress, Server, ServerConfig};

use crate::failure::Failure;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Where users, channels, keys, avatars and recordings live
    /// (default: the platform data dir, e.g. ~/.local/share/cloumer/server).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// HTTP address: REST, Cognito endpoint, chat WebSocket, HLS (port 0 = a free port).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// RTMP ingest address.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:1935")]
    rtmp: SocketAddr,
    /// RTMPS ingest address (TLS; a self-signed certificate is generated into the data dir
    /// unless --rtmps-cert/--rtmps-key name one).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:1936")]
    rtmps: SocketAddr,
    /// PEM certificate (chain) the RTMPS ingest presents.
    #[arg(long, value_name = "FILE", requires = "rtmps_key")]
    rtmps_cert: Option<PathBuf>,
    /// PEM private key of --rtmps-cert.
    #[arg(long, value_name = "FILE", requires = "rtmps_cert")]
    rtmps_key: Option<PathBuf>,
    /// Type of the channels created from now on (IVS input limits): BASIC, STANDARD,
    /// ADVANCED_SD or ADVANCED_HD. Existing channels keep theirs.
    #[arg(long, value_name = "TYPE", default_value = "STANDARD")]
    channel_type: ChannelType,
    /// Chat messages a second each room accepts (default 10, IVS's default quota, which AWS
    /// raises on request; raise it here the same way for a busy channel or a benchmark).
    #[arg(long, value_name = "N", env = "CLOUMER_CHAT_ROOM_RATE", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    chat_room_rate: Option<u32>,
    /// A web origin (`https://host[:port]`) allowed to call the API from a browser; repeat
    /// for more. None by default: the studio calls its backend from Rust, not from a page.
    #[arg(
        long = "cors-origin",
        value_name = "URL",
        env = "CLOUMER_CORS_ORIGINS",
        value_delimiter = ','
    )]
    cors_origins: Vec<String>,
    /// The URL strangers reach this server at (`https://live.example.com[/prefix]`), behind
    /// a reverse proxy or a NAT: it decides every URL handed out (API, Cognito issuer, chat
    /// WebSocket, HLS playback, avatars) and the host of the ingest URLs. Default: the
    /// --listen socket (`http://` or, with --tls-cert, `https://`).
    #[arg(long, value_name = "URL", env = "CLOUMER_PUBLIC_URL")]
    public_url: Option<String>,
    /// `HOST[:PORT]` publishers dial for RTMPS when it differs from the --public-url host
    /// with the --rtmps port (e.g. a TCP proxy on 443).
    #[arg(long, value_name = "HOST[:PORT]", env = "CLOUMER_PUBLIC_RTMPS_HOST")]
    public_rtmps_host: Option<String>,
    /// PEM certificate (chain) for HTTPS on --listen (REST, Cognito, chat as wss://, HLS).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Send confirmation and reset codes by e-mail through this server:
    /// `smtp://[user@]host[:port]` (STARTTLS required, port 587 by default) or
    /// `smtps://...` (implicit TLS, 465). The password is read from the environment
    /// variable CLOUMER_SMTP_PASSWORD or from --smtp-password-file, never from the URL.
    /// Without --smtp codes go to <data-dir>/outbox.jsonl (local use).
    #[arg(
        long,
        value_name = "URL",
        env = "CLOUMER_SMTP_URL",
        requires = "smtp_from"
    )]
    smtp: Option<String>,
    /// The From: address of those mails, e.g. "CLOUMER <no-reply@example.com>".
    #[arg(long, value_name = "ADDRESS", env = "CLOUMER_SMTP_FROM")]
    smtp_from: Option<String>,
    /// A file holding the SMTP password (first line), e.g. a systemd credential.
    #[arg(long, value_name = "FILE", requires = "smtp")]
    smtp_password_file: Option<PathBuf>,
    /// An extra PEM root certificate to trust for the mail server (a private CA); the
    /// system's roots are trusted either way.
    #[arg(long, value_name = "FILE", requires = "smtp")]
    smtp_ca_cert: Option<PathBuf>,
    /// Where the web site's "my page" sends streamers to download the studio (your release
    /// page or package repository). Default: the desktop-app section of the project's
    /// README at the workspace's `repository` URL.
    #[arg(
        long,
        value_name = "URL",
        env = "CLOUMER_STUDIO_DOWNLOAD_URL",
        default_value = DEFAULT_STUDIO_DOWNLOAD_URL
    )]
    studio_download_url: String,
    /// Write the backend profile (TOML) that clients load to FILE.
    #[arg(long, value_name = "FILE")]
    write_backend: Option<PathBuf>,
}

/// The README's section on installing the desktop app, at the project's home
/// (`[workspace.package] repository`): follows that setting when the project moves.
const DEFAULT_STUDIO_DOWNLOAD_URL: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "#the-desktop-app");

/// The mail settings; the password from CLOUMER_SMTP_PASSWORD or the file (never argv).
fn smtp_settings(
    url: Option<String>,
    from: Option<String>,
    password_file: Option<PathBuf>,
    ca_cert: Option<PathBuf>,
) -> Result<Option<SmtpSettings>, Failure> {
    let (Some(url), Some(from)) = (url, from) else {
        return Ok(None);
    };
    let password = match password_file {
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
            Some(text.lines().next().unwrap_or_default().to_owned())
        }
        None => std::env::var("CLOUMER_SMTP_PASSWORD").ok(),
    };
    Ok(Some(SmtpSettings {
        url,
        password,
        from,
        ca_cert,
    }))
}

fn default_data_dir() -> Result<PathBuf, Failure> {
    dirs::data_dir()
        .map(|d| d.join("cloumer").join("server"))
        .ok_or_else(|| Failure::usage("no platform data directory here: pass --data-dir DIR"))
}

pub async fn run(args: ServeArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let data_dir = match args.data_dir {
        Some(d) => d,
        None => default_data_dir()?,
    };
    let mut config = ServerConfig {
        listen: args.listen,
        rtmp: args.rtmp,
        rtmps: args.rtmps,
        rtmps_tls: match (args.rtmps_cert, args.rtmps_key) {
            (Some(cert), Some(key)) => TlsSource::Files { cert, key },
            _ => TlsSource::Generated,
        },
        channel_type: args.channel_type,
        cors_origins: args.cors_origins,
        public: PublicAddress {
            url: args.public_url,
            rtmps_host: args.public_rtmps_host,
        },
        http_tls: match (args.tls_cert, args.tls_key) {
            (Some(cert), Some(key)) => Some(HttpTls { cert, key }),
            _ => None,
        },
        studio_download_url: Some(args.studio_download_url),
        ..ServerConfig::new(data_dir)
    };
    config.smtp = smtp_settings(
        args.smtp,
        args.smtp_from,
        args.smtp_password_file,
        args.smtp_ca_cert,
    )?;
    if let Some(rate) = args.chat_room_rate {
        config.chat_room_rate = rate;
    }
    let server = Server::start(config)
        .await
        .map_err(|e| Failure::other(format!("cannot start the server: {e}")))?;
    let profile = server.backend_profile();
    if let Some(path) = &args.write_backend {
        std::fs::write(path, profile.to_toml())
            .map_err(|e| Failure::other(format!("cannot write {}: {e}", path.display())))?;
    }
    println!("api: {}", profile.api_url);
    println!("cognito: {}", profile.cognito_endpoint());
    println!("chat: {}", profile.chat_endpoint());
    if let Some(url) = &profile.rtmp_url {
        println!("rtmp: {url}");
    }
    if let Some(url) = &profile.rtmps_url {
        println!("rtmps: {url}");
    }
    if let Some(path) = &profile.ingest_certificate {
        println!("ingest_certificate: {path}");
    }
    println!("user_pool_id: {}", profile.user_pool_id);
    println!("client_id: {}", profile.client_id);
    if let Some(path) = &args.write_backend {
        println!("backend: {}", path.display());
    }
    println!("ready in {} ms", started.elapsed().as_millis());
    wait_for_stop().await;
    server.shutdown().await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn wait_for_stop() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
