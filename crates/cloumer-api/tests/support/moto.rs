//! moto (`moto_server`, started by the testkit's [`MotoServer`]) plus the venv's python
//! for support/moto_setup.py (boto3); when moto is missing, [`Moto::start`] says why and
//! the test skips.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use cloumer_testkit::MotoServer;

pub struct Moto {
    _server: MotoServer,
    pub endpoint: String,
    /// The venv's python (next to moto_server), which has boto3.
    python: PathBuf,
}

impl Moto {
    pub fn start() -> Result<Self> {
        let server = MotoServer::start()?;
        let python = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .find(|dir| dir.join("moto_server").is_file())
            .map(|dir| dir.join("python3"))
            .filter(|python| python.is_file())
            .context("no python3 next to moto_server (boto3 is needed)")?;
        Ok(Self {
            endpoint: server.endpoint.clone(),
            _server: server,
            python,
        })
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
