//! moto (`moto_server`) as the stand-in for AWS: started on a free port, killed on drop.
//! It comes from the test venv (target/test-venv/bin, which scripts/test.sh puts on PATH).

use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Result, bail};

use crate::process::{ChildGuard, free_port, port_open, wait_until, which};

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
        if !wait_until(Duration::from_secs(60), || port_open(port)) {
            bail!("moto_server did not listen on port {port} within 60 s");
        }
        Ok(Self {
            _child: child,
            endpoint: format!("http://127.0.0.1:{port}"),
        })
    }
}
