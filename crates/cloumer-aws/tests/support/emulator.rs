//! The Lambda functions as processes under a Lambda runtime emulator: cargo-lambda's
//! (`cargo lambda watch --only-lambda-apis`, the Runtime API and the Invoke API), each
//! built `bootstrap` started with the variables Lambda gives a function, and events sent
//! with `cargo lambda invoke`. The binaries ([`function_binaries`]) are the `bootstrap`s
//! `sam build` made for provided.al2023 when [`BOOTSTRAPS_ENV`] names them (CI), else the
//! ones cargo builds for this crate's integration tests (`CARGO_BIN_EXE_*`, the debug
//! profile and host target: the same `main`s, without compiling the SDK a second time).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use cloumer_aws::Env;
use serde_json::Value;

/// The directory of the bootstraps `sam build` made, `<dir>/<binary>/bootstrap` (kept by
/// scripts/aws-test.sh in target/sam-bootstraps, passed on by scripts/test.sh).
pub const BOOTSTRAPS_ENV: &str = "CLOUMER_SAM_BOOTSTRAPS";

/// The three functions: `[[bin]]` name and cargo's host build of it.
const HOST_BUILDS: [(&str, &str); 3] = [
    ("cloumer-api-fn", env!("CARGO_BIN_EXE_cloumer-api-fn")),
    (
        "cloumer-post-confirmation-fn",
        env!("CARGO_BIN_EXE_cloumer-post-confirmation-fn"),
    ),
    (
        "cloumer-stream-state-fn",
        env!("CARGO_BIN_EXE_cloumer-stream-state-fn"),
    ),
];

/// Longer than any function takes here (the functions' timeout in the template is 10 s).
const INVOKE_TIMEOUT: Duration = Duration::from_secs(60);

pub struct Emulator {
    port: u16,
    work: PathBuf,
    /// The emulator first, then the functions; all killed on drop.
    children: Vec<Child>,
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The crate's directory: `cargo lambda` knows the functions by this package's binaries.
fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The functions' binaries the test runs, `[[bin]]` name and path: the bootstraps in
/// [`BOOTSTRAPS_ENV`]'s directory when it is set, else cargo's host builds. Says on stderr
/// which ran (libtest does not capture a direct write). An error is a failure, not a skip:
/// the variable names bootstraps that are not there, or it is unset under `CI=true`, where
/// scripts/aws-test.sh builds them and the host builds would pass without testing them.
pub fn function_binaries() -> Result<Vec<(&'static str, PathBuf)>, String> {
    let dir = std::env::var_os(BOOTSTRAPS_ENV).filter(|dir| !dir.is_empty());
    let (functions, origin) = match dir {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            let functions = HOST_BUILDS
                .iter()
                .map(|(name, _)| {
                    let bootstrap = dir.join(name).join("bootstrap");
                    executable(&bootstrap).map(|()| (*name, bootstrap))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let origin = format!(
                "the bootstraps sam built (provided.al2023) in {}",
                dir.display()
            );
            (functions, origin)
        }
        None if std::env::var("CI").is_ok_and(|ci| ci == "true") => {
            return Err(format!(
                "{BOOTSTRAPS_ENV} is unset under CI=true: CI runs the bootstraps sam built \
                 (scripts/aws-test.sh keeps them in target/sam-bootstraps, scripts/test.sh \
                 passes them on)"
            ));
        }
        None => {
            let functions = HOST_BUILDS
                .iter()
                .map(|(name, exe)| (*name, PathBuf::from(exe)))
                .collect();
            let origin = format!("cargo's host builds ({BOOTSTRAPS_ENV} unset)");
            (functions, origin)
        }
    };
    let mut say = format!("emulator: running {origin}:\n");
    for (name, path) in &functions {
        say += &format!("  {name}: {}\n", path.display());
    }
    let _ = std::io::Write::write_all(&mut std::io::stderr(), say.as_bytes());
    Ok(functions)
}

fn executable(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt as _;
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() && meta.permissions().mode() & 0o111 != 0 => Ok(()),
        Ok(_) => Err(format!("{} is not an executable file", path.display())),
        Err(e) => Err(format!(
            "{}: {e} ({BOOTSTRAPS_ENV} names the bootstraps `bash scripts/aws-test.sh` keeps)",
            path.display()
        )),
    }
}

impl Emulator {
    /// Starts the emulator and the three `functions` ([`function_binaries`]) configured
    /// with `env` (the rest of their configuration, endpoints and credentials, is this
    /// process's environment). An error means cargo-lambda is missing or did not start: a
    /// skip.
    pub fn start(env: &Env, functions: &[(&str, PathBuf)]) -> anyhow::Result<Self> {
        let version = Command::new("cargo")
            .args(["lambda", "--version"])
            .output()
            .context("cargo")?;
        if !version.status.success() {
            bail!(
                "`cargo lambda` is not installed (scripts/aws-tools.sh puts it in target/aws-venv/bin)"
            );
        }
        let port = free_port()?;
        let work = std::env::temp_dir().join(format!("cloumer-emulator-{port}"));
        std::fs::create_dir_all(&work)?;
        let log = std::fs::File::create(work.join("emulator.log"))?;
        let emulator = Command::new("cargo")
            .args([
                "lambda",
                "watch",
                "--only-lambda-apis",
                "-A",
                "127.0.0.1",
                "-P",
            ])
            .arg(port.to_string())
            .current_dir(crate_dir())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("cargo lambda watch")?;
        let mut me = Self {
            port,
            work,
            children: vec![emulator],
        };
        me.wait_for_port()?;
        for (name, exe) in functions {
            me.start_function(name, exe, env)?;
        }
        Ok(me)
    }

    fn wait_for_port(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if Instant::now() > deadline || self.children[0].try_wait()?.is_some() {
                let log = std::fs::read_to_string(self.work.join("emulator.log"))?;
                bail!("cargo lambda watch did not start: {log}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(())
    }

    /// One function process, as Lambda starts a runtime: its Runtime API (the emulator's,
    /// per function name) and the variables lambda_runtime requires.
    fn start_function(&mut self, name: &str, exe: &Path, env: &Env) -> anyhow::Result<()> {
        let log = std::fs::File::create(self.work.join(format!("{name}.log")))?;
        let mut command = Command::new(exe);
        command
            .env(
                "AWS_LAMBDA_RUNTIME_API",
                format!("http://127.0.0.1:{}/.rt/{name}", self.port),
            )
            .env("AWS_LAMBDA_FUNCTION_NAME", name)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("CLOUMER_TABLE", &env.table)
            .env("CLOUMER_CHANNEL_TYPE", env.channel_type.to_string())
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        for (var, value) in [
            ("CLOUMER_AVATAR_BUCKET", &env.avatar_bucket),
            ("CLOUMER_AVATAR_BASE_URL", &env.avatar_base_url),
            ("CLOUMER_USER_POOL_ID", &env.user_pool_id),
        ] {
            if let Some(value) = value {
                command.env(var, value);
            }
        }
        self.children.push(
            command
                .spawn()
                .with_context(|| format!("start {}", exe.display()))?,
        );
        Ok(())
    }

    /// `cargo lambda invoke NAME --data-file EVENT`: the function's answer, or its error
    /// (what Lambda reports for a failed invocation).
    /// Blocks its worker thread (`block_in_place`: the test runs on a multi-thread runtime,
    /// whose other tasks keep running).
    pub fn invoke(&self, name: &str, event: &Value) -> Result<Value, String> {
        tokio::task::block_in_place(|| self.invoke_blocking(name, event))
    }

    fn invoke_blocking(&self, name: &str, event: &Value) -> Result<Value, String> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = |what: &str| self.work.join(format!("{what}-{n}"));
        std::fs::write(path("event"), event.to_string()).expect("write the event");
        let file = |what: &str| std::fs::File::create(path(what)).expect("output file");
        let mut child = Command::new("cargo")
            .args(["lambda", "invoke", name, "-A", "127.0.0.1", "-P"])
            .arg(self.port.to_string())
            .arg("--data-file")
            .arg(path("event"))
            .current_dir(crate_dir())
            .stdin(Stdio::null())
            .stdout(file("stdout"))
            .stderr(file("stderr"))
            .spawn()
            .expect("cargo lambda invoke");
        // A function that died never answers: fail the test instead of hanging CI.
        let deadline = Instant::now() + INVOKE_TIMEOUT;
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break Some(status);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let read = |what: &str| std::fs::read(path(what)).unwrap_or_default();
        let (stdout, stderr) = (read("stdout"), read("stderr"));
        if status.is_none_or(|s| !s.success()) {
            let log =
                std::fs::read_to_string(self.work.join(format!("{name}.log"))).unwrap_or_default();
            let why = if status.is_none() {
                format!("no answer in {INVOKE_TIMEOUT:?}")
            } else {
                String::from_utf8_lossy(&stderr).into_owned()
            };
            return Err(format!("{why}\n--- {name} log ---\n{log}"));
        }
        serde_json::from_slice(&stdout).map_err(|e| {
            format!(
                "{name} answered no JSON ({e}): {}",
                String::from_utf8_lossy(&stdout)
            )
        })
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        for child in self.children.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.work);
    }
}
