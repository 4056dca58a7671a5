//! Test kit: a real nginx-rtmp ingest (started by the test, as root with a temp prefix) whose
//! `on_publish` asks a tiny HTTP server in the test that accepts exactly one stream key.

// Every test binary includes this kit and uses a different part of it.
#![allow(dead_code)]

pub mod pipeline;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const RTMP_MODULE: &str = "/usr/lib/nginx/modules/ngx_rtmp_module.so";
pub const STREAM_MODULE: &str = "/usr/lib/nginx/modules/ngx_stream_module.so";

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// Why the RTMP tests cannot run here, if they cannot.
pub fn missing_prerequisite() -> Option<String> {
    if !Path::new(RTMP_MODULE).exists() {
        return Some(format!(
            "{RTMP_MODULE} missing (apt install libnginx-mod-rtmp)"
        ));
    }
    if Command::new("nginx").arg("-v").output().is_err() {
        return Some("nginx not installed".into());
    }
    if Command::new("ffprobe").arg("-version").output().is_err() {
        return Some("ffprobe not installed (apt install ffmpeg)".into());
    }
    for element in ["x264enc", "avenc_aac", "flvmux", "rtmp2sink"] {
        if gst::ElementFactory::find(element).is_none() {
            return Some(format!("GStreamer element {element} missing"));
        }
    }
    None
}

/// Initializes GStreamer and our elements; false (with the reason printed) when the RTMP
/// tests cannot run on this machine.
pub fn init_rtmp() -> bool {
    gst::init().expect("gst init");
    gstcloumer::plugin_register_static().expect("register");
    if let Some(why) = missing_prerequisite() {
        cloumer_testkit::skip(why);
        return false;
    }
    true
}

/// Answers nginx-rtmp's `on_publish` POSTs: 2xx for `accepted_key`, 403 otherwise.
fn serve_on_publish(listener: TcpListener, accepted_key: String) {
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        // Read headers, then the form body of Content-Length bytes.
        loop {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
            let text = String::from_utf8_lossy(&request);
            if let Some(header_end) = text.find("\r\n\r\n") {
                let len = text[..header_end]
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                if request.len() >= header_end + 4 + len {
                    break;
                }
            }
        }
        let text = String::from_utf8_lossy(&request);
        let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
        let ok = body
            .split('&')
            .any(|kv| kv == format!("name={accepted_key}"));
        let status = if ok {
            "204 No Content"
        } else {
            "403 Forbidden"
        };
        let _ = write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
    }
}

pub struct Nginx {
    pub dir: tempfile::TempDir,
    pub port: u16,
    /// RTMPS port (nginx `stream` TLS listener in front of RTMP) with a self-signed,
    /// therefore untrusted, certificate for "localhost".
    pub tls_port: Option<u16>,
    child: Option<Child>,
}

/// A self-signed certificate for localhost (not in any trust store).
fn self_signed_cert(dir: &Path) -> bool {
    Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Nginx {
    /// Starts nginx-rtmp recording everything published to `app` into `dir/rec`.
    pub fn start(accepted_key: &str) -> Nginx {
        Self::start_opts(accepted_key, false)
    }

    /// Like `start`, plus an RTMPS listener with an untrusted certificate (`tls_port`).
    /// None if openssl or the nginx stream module is missing.
    pub fn start_with_untrusted_tls(accepted_key: &str) -> Option<Nginx> {
        if !Path::new(STREAM_MODULE).exists() {
            eprintln!("{STREAM_MODULE} missing (apt install libnginx-mod-stream)");
            return None;
        }
        Some(Self::start_opts(accepted_key, true))
    }

    fn start_opts(accepted_key: &str, tls: bool) -> Nginx {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("rec")).expect("rec dir");
        std::fs::create_dir_all(dir.path().join("tmp")).expect("tmp dir");
        let listener = TcpListener::bind("127.0.0.1:0").expect("on_publish listener");
        let hook_port = listener.local_addr().expect("addr").port();
        let key = accepted_key.to_owned();
        std::thread::spawn(move || serve_on_publish(listener, key));

        let port = free_port();
        let d = dir.path().display();
        let mut tls_port = None;
        let mut tls_conf = String::new();
        if tls {
            assert!(self_signed_cert(dir.path()), "openssl req failed");
            let p = free_port();
            tls_port = Some(p);
            tls_conf = format!(
                "load_module {STREAM_MODULE};\nstream {{ server {{ listen 127.0.0.1:{p} ssl; \
                 ssl_certificate {d}/cert.pem; ssl_certificate_key {d}/key.pem; \
                 proxy_pass 127.0.0.1:{port}; }} }}\n"
            );
        }
        let conf = format!(
            r#"load_module {RTMP_MODULE};
user root;
daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 64; }}
rtmp {{
  server {{
    listen 127.0.0.1:{port};
    application app {{
      live on;
      record all;
      record_path {d}/rec;
      record_unique on;
      on_publish http://127.0.0.1:{hook_port}/on_publish;
    }}
  }}
}}
"#
        );
        // load_module must come first in the file.
        let conf = match tls_conf.split_once('\n') {
            Some((load, rest)) => format!("{load}\n{conf}{rest}"),
            None => conf,
        };
        std::fs::write(dir.path().join("nginx.conf"), conf).expect("write conf");
        let mut nginx = Nginx {
            dir,
            port,
            tls_port,
            child: None,
        };
        nginx.restart();
        nginx
    }

    pub fn url(&self) -> String {
        format!("rtmp://127.0.0.1:{}/app/", self.port)
    }

    /// (Re)starts the server and waits until it accepts connections.
    pub fn restart(&mut self) {
        let child = Command::new("nginx")
            .arg("-p")
            .arg(self.dir.path())
            .arg("-c")
            .arg(self.dir.path().join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn nginx");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nginx did not start: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the server hard (connections reset), like a crashed or restarted ingest.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }

    /// The recorded FLV files, oldest first.
    pub fn recordings(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path().join("rec"))
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort();
        files
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `ffprobe -show_streams` as `codec_type=codec_name` pairs, e.g. "video=h264".
pub fn ffprobe_streams(file: &Path) -> Vec<String> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type,codec_name,profile",
        ])
        .args(["-of", "csv=p=0"])
        .arg(file)
        .output()
        .expect("ffprobe");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Start times of the first video and the first audio stream, in seconds.
pub fn ffprobe_start_times(file: &Path) -> (f64, f64) {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type,start_time",
        ])
        .args(["-of", "csv=p=0"])
        .arg(file)
        .output()
        .expect("ffprobe");
    let text = String::from_utf8_lossy(&out.stdout);
    let start = |kind: &str| {
        text.lines()
            .find_map(|l| {
                let (t, s) = l.split_once(',')?;
                (t == kind).then(|| s.trim().parse::<f64>().ok())?
            })
            .unwrap_or(f64::NAN)
    };
    (start("video"), start("audio"))
}

/// Presentation times of the video keyframes in `file`, in seconds.
pub fn ffprobe_keyframes(file: &Path) -> Vec<f64> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-skip_frame",
            "nokey",
        ])
        .args(["-show_entries", "frame=pts_time", "-of", "csv=p=0"])
        .arg(file)
        .output()
        .expect("ffprobe");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().trim_end_matches(',').parse().ok())
        .collect()
}
