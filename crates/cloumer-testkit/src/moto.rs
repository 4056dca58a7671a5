//! moto (`moto_server`) as the stand-in for AWS: started on a free port, killed on drop.
//! It comes from the test venv (target/test-venv/bin, which scripts/test.sh puts on PATH).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Result, bail};

use crate::process::{ChildGuard, free_port, wait_until, which};

#[derive(Debug)]
pub struct MotoServer {
    _child: ChildGuard,
    /// `http://127.0.0.1:<port>`: what `AWS_ENDPOINT_URL` points an SDK at.
    pub endpoint: String,
}

impl MotoServer {
    pub fn start() -> Result<Self> {
        let Some(server) = which("moto_server") else {
            bail!(
                "moto_server is not on PATH (scripts/setup.sh installs it into target/test-venv; \
                 scripts/test.sh puts target/test-venv/bin on PATH)"
            );
        };
        let port = free_port()?;
        let child = ChildGuard::spawn(
            "moto_server",
            Command::new(server)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        )?;
        if !wait_until(Duration::from_secs(60), || answers_http(port)) {
            bail!("moto_server did not answer on port {port} within 60 s");
        }
        Ok(Self {
            _child: child,
            endpoint: format!("http://127.0.0.1:{port}"),
        })
    }
}

/// Whether an HTTP server answers on the port. An open port is not enough: a connect
/// probe can succeed before moto serves (or, to an unbound ephemeral port, connect the
/// socket to itself), and an SDK's first call then fails with "dispatch failure".
fn answers_http(port: u16) -> bool {
    let timeout = Duration::from_secs(2);
    let Ok(mut stream) = TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), timeout) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(timeout));
    let mut head = [0u8; 8];
    stream
        .write_all(b"GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_ok()
        && stream.read_exact(&mut head).is_ok()
        && head.starts_with(b"HTTP/1.")
}
