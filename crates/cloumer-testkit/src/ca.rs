//! A test certificate authority in the system trust store, so `rtmps://` to the local
//! ingest validates exactly like a real ingest (TLS validation is never switched off).
//!
//! One CA per machine, kept in `/var/lib/cloumer-testkit` (or `$CLOUMER_TESTKIT_DIR`) and
//! installed once with `update-ca-certificates`: parallel tests share it under a file lock
//! instead of racing to install CAs of their own. Its key only ever signs `127.0.0.1`
//! test certificates and [`NETBED_INGEST_HOST`] (a reserved `.test` name that resolves
//! only inside a test bed's namespace); remove it with `TestCa::uninstall` or by deleting
//! `/usr/local/share/ca-certificates/cloumer-test-ca.crt` and rerunning update-ca-certificates.

use std::fs;

/// The name of a test bed's ingest ([`crate::NetBed`]): `.test` is reserved (RFC 6761),
/// so it never names anything outside the bed.
pub const NETBED_INGEST_HOST: &str = "ingest.cloumer.test";
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};

const INSTALLED_CERT: &str = "/usr/local/share/ca-certificates/cloumer-test-ca.crt";
const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";
const CA_NAME: &str = "Cloumer Test CA (tests only)";

/// A PEM certificate and its private key.
#[derive(Debug, Clone)]
pub struct CertPair {
    pub cert_pem: String,
    pub key_pem: String,
}

#[derive(Debug)]
pub struct TestCa {
    cert_pem: String,
    key: KeyPair,
}

impl TestCa {
    /// Loads (or makes) the machine's test CA and makes sure the system trusts it. Needs
    /// root the first time; otherwise it fails with the reason.
    pub fn installed() -> Result<Self> {
        let dir = state_dir();
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let lock = fs::File::create(dir.join(".lock"))?;
        lock.lock().context("locking the test CA")?;
        let ca = Self::load_or_create(&dir)?;
        ca.install()?;
        Ok(ca)
    }

    fn load_or_create(dir: &Path) -> Result<Self> {
        let (cert_path, key_path) = (dir.join("ca.pem"), dir.join("ca.key"));
        if let (Ok(cert_pem), Ok(key_pem)) = (
            fs::read_to_string(&cert_path),
            fs::read_to_string(&key_path),
        ) {
            return Ok(Self {
                cert_pem,
                key: KeyPair::from_pem(&key_pem)?,
            });
        }
        let key = KeyPair::generate()?;
        let cert_pem = ca_params().self_signed(&key)?.pem();
        fs::write(&cert_path, &cert_pem)?;
        write_private(&key_path, &key.serialize_pem())?;
        Ok(Self { cert_pem, key })
    }

    fn install(&self) -> Result<()> {
        let bundle = fs::read_to_string(SYSTEM_BUNDLE).unwrap_or_default();
        let body = pem_body(&self.cert_pem);
        if bundle.contains(&body) {
            return Ok(());
        }
        if !crate::process::is_root() {
            bail!("the test CA is not in the system trust store and installing it needs root");
        }
        crate::require_programs(&["update-ca-certificates"])?;
        fs::create_dir_all(Path::new(INSTALLED_CERT).parent().context("path")?)?;
        fs::write(INSTALLED_CERT, &self.cert_pem)?;
        let status = Command::new("update-ca-certificates")
            .output()
            .context("running update-ca-certificates")?;
        if !status.status.success() {
            bail!(
                "update-ca-certificates failed: {}",
                String::from_utf8_lossy(&status.stderr)
            );
        }
        Ok(())
    }

    /// A certificate for `127.0.0.1` and `localhost`, signed by this CA.
    pub fn issue_localhost(&self) -> Result<CertPair> {
        self.issue(leaf_params()?)
    }

    /// A certificate for [`NETBED_INGEST_HOST`], the ingest of a constrained-network test
    /// bed. (GLib resolves `localhost` itself, never through `/etc/hosts`, so the bed
    /// cannot reuse the localhost certificate.)
    pub fn issue_netbed(&self) -> Result<CertPair> {
        let mut params = CertificateParams::new(vec![NETBED_INGEST_HOST.to_owned()])?;
        params
            .distinguished_name
            .push(DnType::CommonName, NETBED_INGEST_HOST);
        params.not_before = rcgen::date_time_ymd(2024, 1, 1);
        params.not_after = rcgen::date_time_ymd(2040, 1, 1);
        self.issue(params)
    }

    fn issue(&self, leaf: CertificateParams) -> Result<CertPair> {
        let params = ca_params();
        let issuer = Issuer::from_params(&params, &self.key);
        let key = KeyPair::generate()?;
        let cert = leaf.signed_by(&key, &issuer)?;
        Ok(CertPair {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }

    /// A self-signed `127.0.0.1` certificate no trust store knows (for TLS failure tests).
    pub fn untrusted_localhost() -> Result<CertPair> {
        let key = KeyPair::generate()?;
        let cert = leaf_params()?.self_signed(&key)?;
        Ok(CertPair {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }

    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// Removes the CA from the system trust store (the kit reinstalls it when needed).
    pub fn uninstall() -> Result<()> {
        if Path::new(INSTALLED_CERT).exists() {
            fs::remove_file(INSTALLED_CERT)?;
            Command::new("update-ca-certificates")
                .arg("--fresh")
                .output()?;
        }
        Ok(())
    }
}

fn state_dir() -> PathBuf {
    std::env::var_os("CLOUMER_TESTKIT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/lib/cloumer-testkit"))
}

/// The CA's parameters; rebuilt identically to sign with the stored key.
fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, CA_NAME);
    dn.push(DnType::OrganizationName, "Cloumer tests");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2040, 1, 1);
    params
}

fn leaf_params() -> Result<CertificateParams> {
    let mut params = CertificateParams::new(vec!["localhost".to_owned()])?;
    params
        .subject_alt_names
        .push(SanType::IpAddress([127, 0, 0, 1].into()));
    params
        .distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2040, 1, 1);
    Ok(params)
}

fn pem_body(pem: &str) -> String {
    pem.lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn write_private(path: &Path, content: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(content.as_bytes())?;
    Ok(())
}
