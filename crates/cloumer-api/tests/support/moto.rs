//! moto (`moto_server`) as a stand-in for AWS: started on a free port, stopped on drop.
//! moto comes from the test venv (target/test-venv/bin, which scripts/test.sh puts on
//! PATH); when it is missing, [`Moto::start`] says why and the test skips.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

pub struct Moto {
    child: Child,
    pub endpoint: String,
    /// The venv's python (next to moto_server), which has boto3.
    python: PathBuf,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

impl Moto {
    pub fn start() -> Result<Self> {
        let Some(server) = on_path("moto_server") else {
            bail!(
                "moto_server is not on PATH (scripts/setup.sh installs it into target/test-venv; \
                 scripts/test.sh puts target/test-venv/bin on PATH)"
            );
        };
        let python = server.with_file_name("python3");
        if !python.is_file() {
            bail!("no python3 next to {} (boto3 is needed)", server.display());
        }
        let port = cloumer_testkit::free_port()?;
        let child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", server.display()))?;
        let moto = Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            python,
        };
        let up = cloumer_testkit::wait_until(Duration::from_secs(60), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        if !up {
            bail!("moto_server did not listen on port {port} within 60 s");
        }
        Ok(moto)
    }

    /// Runs support/moto_setup.py with `args`; returns its stdout.
    pub fn setup(&self, args: &[&str]) -> Result<String> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/moto_setup.py");
        let out = Command::new(&self.python)
            .arg(script)
            .args(args)
            .env("MOTO_ENDPOINT", &self.endpoint)
            .output()
            .context("running moto_setup.py")?;
        if !out.status.success() {
            bail!(
                "moto_setup.py {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}
