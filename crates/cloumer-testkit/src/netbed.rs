//! A constrained network for streaming tests: two network namespaces made for the test
//! (the broadcaster's and the ingest's) joined by a veth pair, with `tc tbf` shaping the
//! broadcaster's uplink. Helpers change the rate and take the link down and up while a
//! test runs. The addresses exist only on that veth pair; everything is removed on `Drop`
//! (also when the test panics).
//!
//! ```text
//!   namespace <name>c                          namespace <name>i
//!   cloumer live ─ <name>a 10.77.0.2 ══ tbf ══ <name>b 10.77.0.1 ─ nginx (RTMPS -> RTMP)
//!   /etc/hosts: ingest.cloumer.test = 10.77.0.1
//! ```
//! Inside the broadcaster's namespace `ingest.cloumer.test` names the ingest (`ip netns
//! exec` mounts `/etc/netns/<ns>/hosts` over `/etc/hosts`); the test CA signs that
//! reserved name (RFC 6761 `.test`), which resolves nowhere else.
//!
//! This kernel has `tbf`, `htb` and `pfifo` but no `netem`: bandwidth only, no delay/loss.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::{Context, Result, bail};

/// The ingest's address on the veth pair.
pub const INGEST_ADDR: &str = "10.77.0.1";
const CLIENT_ADDR: &str = "10.77.0.2";

/// One namespace made by the test.
#[derive(Debug, Clone)]
pub struct Namespace {
    name: String,
}

impl Namespace {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `program` run inside this namespace (`ip netns exec NAME program`).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.name]).arg(program);
        cmd
    }

    /// Runs `f` on a thread that joined this namespace: sockets it makes live there.
    pub fn enter<T: Send>(&self, f: impl FnOnce() -> T + Send) -> Result<T> {
        let path = format!("/run/netns/{}", self.name);
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let ns = std::fs::File::open(&path).with_context(|| path.clone())?;
                    use std::os::fd::AsRawFd;
                    // SAFETY: setns on an fd we hold open; it only changes this thread's
                    // network namespace (the thread ends with the scope).
                    let rc = unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) };
                    if rc != 0 {
                        bail!("setns {path}: {}", std::io::Error::last_os_error());
                    }
                    Ok(f())
                })
                .join()
                .map_err(|_| anyhow::anyhow!("a thread in namespace {path} panicked"))?
        })
    }
}

/// The two namespaces, the shaped veth pair, and the hosts file.
#[derive(Debug)]
pub struct NetBed {
    client: Namespace,
    ingest: Namespace,
    client_if: String,
    hosts_dir: PathBuf,
}

impl NetBed {
    /// Makes the namespaces and the link, `rate_kbit` on the uplink. Fails with the reason
    /// (for a skip) when namespaces cannot be made here (not root, no `ip`/`tc`).
    pub fn new(rate_kbit: u32) -> Result<Self> {
        crate::require_programs(&["ip", "tc"])?;
        static NEXT: AtomicU32 = AtomicU32::new(0);
        // Interface names are at most 15 bytes.
        let base = format!(
            "clm{}x{}",
            std::process::id() % 100_000,
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let client = Namespace {
            name: format!("{base}c"),
        };
        ip(&["netns", "add", &client.name]).context(
            "cannot make a network namespace (the constrained-network tests run as root)",
        )?;
        let ingest = Namespace {
            name: format!("{base}i"),
        };
        let mut bed = NetBed {
            hosts_dir: PathBuf::from(format!("/etc/netns/{}", client.name)),
            client_if: format!("{base}a"),
            client,
            ingest,
        };
        ip(&["netns", "add", &bed.ingest.name])?;
        bed.wire(rate_kbit)?;
        Ok(bed)
    }

    fn wire(&mut self, rate_kbit: u32) -> Result<()> {
        let (c, i) = (self.client.name.clone(), self.ingest.name.clone());
        let ingest_if = format!("{}b", &self.client_if[..self.client_if.len() - 1]);
        let client_if = self.client_if.clone();
        ip(&[
            "link", "add", &client_if, "netns", &c, "type", "veth", "peer", "name", &ingest_if,
            "netns", &i,
        ])?;
        ip(&[
            "-n",
            &c,
            "addr",
            "add",
            &format!("{CLIENT_ADDR}/24"),
            "dev",
            &client_if,
        ])?;
        ip(&[
            "-n",
            &i,
            "addr",
            "add",
            &format!("{INGEST_ADDR}/24"),
            "dev",
            &ingest_if,
        ])?;
        for (ns, dev) in [
            (&c, &client_if),
            (&i, &ingest_if),
            (&c, &"lo".to_owned()),
            (&i, &"lo".to_owned()),
        ] {
            ip(&["-n", ns, "link", "set", dev, "up"])?;
        }
        std::fs::create_dir_all(&self.hosts_dir)?;
        std::fs::write(
            self.hosts_dir.join("hosts"),
            format!("{INGEST_ADDR} {}\n", crate::ca::NETBED_INGEST_HOST),
        )?;
        self.shape("add", rate_kbit)
    }

    /// The broadcaster's side: run `cloumer live` with [`Namespace::command`].
    pub fn client(&self) -> &Namespace {
        &self.client
    }

    /// The ingest's side.
    pub fn ingest(&self) -> &Namespace {
        &self.ingest
    }

    /// Changes the uplink's rate now.
    pub fn set_rate_kbit(&self, rate_kbit: u32) -> Result<()> {
        self.shape("change", rate_kbit)
    }

    /// Takes the uplink down (packets go nowhere; connections stall, then time out).
    pub fn link_down(&self) -> Result<()> {
        ip(&[
            "-n",
            &self.client.name,
            "link",
            "set",
            &self.client_if,
            "down",
        ])
    }

    pub fn link_up(&self) -> Result<()> {
        ip(&[
            "-n",
            &self.client.name,
            "link",
            "set",
            &self.client_if,
            "up",
        ])
    }

    /// `tc qdisc add|change ... tbf`: a bucket of 10 ms of rate (at least two full
    /// packets) and 200 ms of queue, like a home router's upstream.
    fn shape(&self, verb: &str, rate_kbit: u32) -> Result<()> {
        let burst_bytes = (rate_kbit as u64 * 1000 / 8 / 100).max(3100);
        let status = Command::new("tc")
            .args([
                "-n",
                &self.client.name,
                "qdisc",
                verb,
                "dev",
                &self.client_if,
            ])
            .args(["root", "tbf", "rate", &format!("{rate_kbit}kbit")])
            .args(["burst", &burst_bytes.to_string(), "latency", "200ms"])
            .status()
            .context("tc")?;
        if !status.success() {
            bail!("tc qdisc {verb} tbf {rate_kbit}kbit failed ({status})");
        }
        Ok(())
    }
}

impl Drop for NetBed {
    fn drop(&mut self) {
        // Deleting a namespace deletes the veth end in it, and with it the pair.
        let _ = ip(&["netns", "del", &self.client.name]);
        let _ = ip(&["netns", "del", &self.ingest.name]);
        let _ = std::fs::remove_dir_all(&self.hosts_dir);
    }
}

fn ip(args: &[&str]) -> Result<()> {
    let output = Command::new("ip").args(args).output().context("ip")?;
    if !output.status.success() {
        bail!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}
