//! nginx-rtmp as a local ingest: RTMP, RTMPS through an nginx `stream` TLS listener with a
//! certificate from the installed test CA, and a second TLS listener with an untrusted
//! certificate. Every publish is recorded (FLV) in a temp dir; an `on_publish` hook
//! accepts exactly one stream key.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::ca::{CertPair, TestCa};
use crate::netbed::Namespace;
use crate::process::{ChildGuard, free_port, port_open, wait_until};

const RTMP_MODULE: &str = "/usr/lib/nginx/modules/ngx_rtmp_module.so";
const STREAM_MODULE: &str = "/usr/lib/nginx/modules/ngx_stream_module.so";
/// The application name in the URLs (`rtmp://127.0.0.1:port/live/`).
pub const APP: &str = "live";

/// A recording nginx finished (or, after a crash, left behind).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recording {
    pub path: PathBuf,
}

/// One `on_publish` call: when, and whether the key was accepted.
#[derive(Debug, Clone)]
pub struct PublishAttempt {
    pub at: Instant,
    pub accepted: bool,
}

#[derive(Debug, Default)]
struct HookLog {
    publishes: Vec<PublishAttempt>,
    recordings: Vec<Recording>,
    /// Answer `on_update` with 403: nginx then closes every stream once it has run for
    /// [`UPDATE_EVERY`], like an ingest refusing what it receives.
    close_streams: bool,
}

/// How often nginx asks the hook whether a running stream may go on (`on_update`).
pub const UPDATE_EVERY: Duration = Duration::from_secs(3);

#[derive(Debug)]
pub struct Ingest {
    dir: tempfile::TempDir,
    rtmp_port: u16,
    tls_port: u16,
    untrusted_port: u16,
    key: String,
    log: Arc<Mutex<HookLog>>,
    nginx: Option<ChildGuard>,
    /// Where nginx runs: the test's network namespace (a constrained-network test bed,
    /// [`crate::NetBed`]) or, `None`, this one on 127.0.0.1.
    netns: Option<Namespace>,
}

impl Ingest {
    /// Starts nginx accepting `accepted_key`. Fails (with the reason, for a skip) when
    /// nginx, its RTMP/stream modules or the test CA are not available.
    pub fn start(accepted_key: &str) -> Result<Self> {
        Self::start_in(accepted_key, None)
    }

    /// Like [`Self::start`], on the far side of a test bed's shaped link: reachable as
    /// `localhost` from the bed's client namespace only.
    pub fn start_behind(accepted_key: &str, bed: &crate::NetBed) -> Result<Self> {
        let ingest = Self::start_in(accepted_key, Some(bed.ingest().clone()))?;
        // nginx answering on its own loopback is not yet the client reaching it over the
        // veth pair (a CI run once had the first connection refused): wait for that too.
        let addr = std::net::SocketAddr::new(
            crate::netbed::INGEST_ADDR
                .parse()
                .context("ingest address")?,
            ingest.tls_port,
        );
        let reachable = || {
            bed.client()
                .enter(|| TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok())
                .unwrap_or(false)
        };
        if !wait_until(Duration::from_secs(10), reachable) {
            bail!("the ingest at {addr} cannot be reached from the bed's client namespace");
        }
        Ok(ingest)
    }

    fn start_in(accepted_key: &str, netns: Option<Namespace>) -> Result<Self> {
        crate::require_programs(&["nginx"])?;
        for module in [RTMP_MODULE, STREAM_MODULE] {
            if !Path::new(module).exists() {
                bail!("{module} is missing: install libnginx-mod-rtmp and libnginx-mod-stream");
            }
        }
        let ca = TestCa::installed()?;
        let dir = tempfile::Builder::new()
            .prefix("cloumer-ingest-")
            .tempdir()?;
        std::fs::create_dir_all(dir.path().join("records"))?;
        let trusted = match &netns {
            Some(_) => ca.issue_netbed()?,
            None => ca.issue_localhost()?,
        };
        write_pair(dir.path(), "trusted", &trusted)?;
        write_pair(dir.path(), "untrusted", &TestCa::untrusted_localhost()?)?;
        let log = Arc::new(Mutex::new(HookLog::default()));
        // nginx calls the hook on its own loopback: bind it in nginx's namespace.
        let hook = match &netns {
            Some(ns) => ns.enter(|| TcpListener::bind("127.0.0.1:0"))??,
            None => TcpListener::bind("127.0.0.1:0")?,
        };
        let hook_port = hook.local_addr()?.port();
        {
            let (log, key) = (log.clone(), accepted_key.to_owned());
            std::thread::spawn(move || serve_hooks(hook, key, log));
        }
        let mut ingest = Self {
            rtmp_port: free_port()?,
            tls_port: free_port()?,
            untrusted_port: free_port()?,
            key: accepted_key.to_owned(),
            log,
            nginx: None,
            netns,
            dir,
        };
        std::fs::write(
            ingest.dir.path().join("nginx.conf"),
            ingest.config(hook_port),
        )?;
        ingest.launch()?;
        Ok(ingest)
    }

    fn config(&self, hook_port: u16) -> String {
        let dir = self.dir.path().display();
        let (rtmp, tls, untrusted) = (self.rtmp_port, self.tls_port, self.untrusted_port);
        // In a test bed, RTMPS comes over the veth pair.
        let tls_host = if self.netns.is_some() {
            "0.0.0.0"
        } else {
            "127.0.0.1"
        };
        // Behind a test bed the link can vanish without a FIN: like a real ingest, drop a
        // publisher that sent nothing for a while, or its stale session would refuse the
        // reconnect ("Already publishing").
        let drop_idle = if self.netns.is_some() {
            "\n      drop_idle_publisher 5s;"
        } else {
            ""
        };
        let update = UPDATE_EVERY.as_secs();
        format!(
            r#"load_module {RTMP_MODULE};
load_module {STREAM_MODULE};
daemon off;
master_process off;
worker_processes 1;
error_log {dir}/error.log info;
pid {dir}/nginx.pid;
events {{ worker_connections 256; }}
rtmp {{
  server {{
    listen 127.0.0.1:{rtmp};
    chunk_size 4096;
    application {APP} {{
      live on;{drop_idle}
      record all;
      record_path {dir}/records;
      record_unique on;
      on_publish http://127.0.0.1:{hook_port}/on_publish;
      on_record_done http://127.0.0.1:{hook_port}/on_record_done;
      on_update http://127.0.0.1:{hook_port}/on_update;
      notify_update_timeout {update}s;
    }}
  }}
}}
stream {{
  server {{
    listen {tls_host}:{tls} ssl;
    ssl_certificate {dir}/trusted.crt;
    ssl_certificate_key {dir}/trusted.key;
    proxy_pass 127.0.0.1:{rtmp};
  }}
  server {{
    listen 127.0.0.1:{untrusted} ssl;
    ssl_certificate {dir}/untrusted.crt;
    ssl_certificate_key {dir}/untrusted.key;
    proxy_pass 127.0.0.1:{rtmp};
  }}
}}
"#
        )
    }

    fn launch(&mut self) -> Result<()> {
        let dir = self.dir.path();
        let mut command = match &self.netns {
            Some(ns) => ns.command("nginx"),
            None => Command::new("nginx"),
        };
        let mut nginx = ChildGuard::spawn(
            "nginx",
            command
                .arg("-p")
                .arg(dir)
                .arg("-c")
                .arg(dir.join("nginx.conf"))
                .arg("-e")
                .arg(dir.join("error.log"))
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        )?;
        let ports = [self.rtmp_port, self.tls_port, self.untrusted_port];
        let listening = || match &self.netns {
            Some(ns) => ns
                .enter(|| ports.iter().all(|p| port_open(*p)))
                .unwrap_or(false),
            None => ports.iter().all(|p| port_open(*p)),
        };
        let up = wait_until(Duration::from_secs(15), || !nginx.alive() || listening());
        if !up || !nginx.alive() {
            let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
            bail!(
                "nginx did not start: {}",
                log.lines().rev().take(5).collect::<Vec<_>>().join(" | ")
            );
        }
        self.nginx = Some(nginx);
        Ok(())
    }

    /// `rtmp://127.0.0.1:PORT/live/` (no TLS).
    pub fn rtmp_url(&self) -> String {
        format!("rtmp://127.0.0.1:{}/{APP}/", self.rtmp_port)
    }

    /// `rtmps://127.0.0.1:PORT/live/`, certificate from the installed test CA; behind a
    /// test bed `rtmps://ingest.cloumer.test:PORT/live/` (a name only the bed's client
    /// namespace resolves).
    pub fn rtmps_url(&self) -> String {
        let host = if self.netns.is_some() {
            crate::ca::NETBED_INGEST_HOST
        } else {
            "127.0.0.1"
        };
        format!("rtmps://{host}:{}/{APP}/", self.tls_port)
    }

    /// RTMPS with a certificate nobody trusts.
    pub fn untrusted_rtmps_url(&self) -> String {
        format!("rtmps://127.0.0.1:{}/{APP}/", self.untrusted_port)
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    /// Kills nginx like a crash (SIGKILL): connections drop without a goodbye.
    pub fn kill(&mut self) {
        if let Some(mut nginx) = self.nginx.take() {
            nginx.signal_and_wait("KILL", Duration::from_secs(5));
        }
    }

    /// Stops nginx cleanly (SIGQUIT: recordings are finished).
    pub fn stop(&mut self) {
        if let Some(mut nginx) = self.nginx.take() {
            nginx.signal_and_wait("QUIT", Duration::from_secs(10));
        }
    }

    /// Starts nginx again on the same ports; returns when it accepts connections.
    pub fn start_again(&mut self) -> Result<Instant> {
        self.launch()?;
        Ok(Instant::now())
    }

    /// From now on, close every stream [`UPDATE_EVERY`] after it started (and again after
    /// each reconnect): an ingest that accepts the key but not what it receives, as IVS
    /// does with settings over a channel type's limits.
    pub fn close_streams_after_start(&self) {
        if let Ok(mut log) = self.log.lock() {
            log.close_streams = true;
        }
    }

    /// Every `on_publish` call so far.
    pub fn publish_attempts(&self) -> Vec<PublishAttempt> {
        self.log
            .lock()
            .map(|l| l.publishes.clone())
            .unwrap_or_default()
    }

    /// Recordings nginx reported finished.
    pub fn finished_recordings(&self) -> Vec<Recording> {
        self.log
            .lock()
            .map(|l| l.recordings.clone())
            .unwrap_or_default()
    }

    /// Waits until `count` recordings are finished.
    pub fn wait_recordings(&self, count: usize, timeout: Duration) -> Result<Vec<Recording>> {
        if !wait_until(timeout, || self.finished_recordings().len() >= count) {
            bail!(
                "nginx finished {} recording(s), expected {count}; files: {:?}",
                self.finished_recordings().len(),
                self.recordings_on_disk()
            );
        }
        Ok(self.finished_recordings())
    }

    /// Every recording file in the record dir, finished or not, oldest first.
    pub fn recordings_on_disk(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.record_dir())
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
    }

    /// Where nginx writes its recordings.
    pub fn record_dir(&self) -> PathBuf {
        self.dir.path().join("records")
    }

    /// nginx's error log (for assertion messages).
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }
}

impl Drop for Ingest {
    fn drop(&mut self) {
        self.stop();
    }
}

fn write_pair(dir: &Path, name: &str, pair: &CertPair) -> Result<()> {
    std::fs::write(dir.join(format!("{name}.crt")), &pair.cert_pem)?;
    std::fs::write(dir.join(format!("{name}.key")), &pair.key_pem)?;
    Ok(())
}

/// Answers nginx-rtmp's notify calls (HTTP/1.0 POST, form body). Hand-written because it is
/// two routes for one local client; an HTTP server crate would add much for nothing here.
fn serve_hooks(listener: TcpListener, accepted_key: String, log: Arc<Mutex<HookLog>>) {
    for stream in listener.incoming().flatten() {
        if let Err(e) = answer_hook(stream, &accepted_key, &log) {
            eprintln!("testkit ingest hook: {e:#}");
        }
    }
}

fn answer_hook(mut stream: TcpStream, accepted_key: &str, log: &Mutex<HookLog>) -> Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().context("content-length")?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let form = String::from_utf8_lossy(&body).into_owned();
    let field = |name: &str| {
        form.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| percent_decode(v))
            .unwrap_or_default()
    };
    let mut ok = true;
    let mut log = log
        .lock()
        .map_err(|_| anyhow::anyhow!("hook log poisoned"))?;
    if request_line.contains("/on_publish") {
        ok = field("name") == accepted_key;
        log.publishes.push(PublishAttempt {
            at: Instant::now(),
            accepted: ok,
        });
    } else if request_line.contains("/on_update") {
        ok = !log.close_streams;
    } else if request_line.contains("/on_record_done") {
        log.recordings.push(Recording {
            path: PathBuf::from(field("path")),
        });
    }
    drop(log);
    let status = if ok { "200 OK" } else { "403 Forbidden" };
    write!(
        stream,
        "HTTP/1.0 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    Ok(())
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}
