//! Extra trust for a self-hosted RTMPS ingest whose certificate no public CA signed.
//!
//! `rtmp2sink` connects through GIO (`GSocketClient` with TLS), and a GIO TLS connection
//! verifies the server against the TLS backend's *default database* whenever nobody set one
//! on the connection (rtmp2sink never does). So the only way to add trust for rtmp2sink
//! without switching validation off is to replace that process-wide default with a
//! `GTlsFileDatabase` whose anchors are the system's CA bundle plus the extra certificates.
//! Validation itself (chain, expiry, host name) stays exactly as strict as before.
//!
//! Consequences, on purpose:
//! * Trust is only ever *added*, for the lifetime of the process: a later session without a
//!   trusted certificate does not remove what an earlier one added (GIO has one default
//!   database; removing could break a session that is still streaming).
//! * Only GIO TLS in this process is affected (not rustls/reqwest, not other processes).

use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use gio::prelude::*;

use crate::error::{ConfigError, Error, Result};

/// What this process trusts beyond the system store, and the bundle file GIO reads it from.
struct ExtraTrust {
    /// PEM blocks added so far, in the order they were added.
    anchors: Vec<String>,
    /// GIO (glib-networking) reads the anchors file lazily, at the first handshake, so the
    /// file must outlive the database; replaced (and the old one removed) on every change.
    _bundle: Option<BundleFile>,
}

static EXTRA_TRUST: Mutex<ExtraTrust> = Mutex::new(ExtraTrust {
    anchors: Vec::new(),
    _bundle: None,
});

const PEM_BEGIN: &str = "-----BEGIN CERTIFICATE-----";

/// Reads the PEM certificate(s) at `path` and checks that GIO can parse them. Used by
/// validation (so a bad file is a config error before anything starts) and by
/// [`trust_additionally`].
pub(crate) fn read_certificate(path: &Path) -> std::result::Result<String, ConfigError> {
    let pem = std::fs::read_to_string(path).map_err(|e| {
        ConfigError(format!(
            "cannot read the trusted certificate {}: {e}",
            path.display()
        ))
    })?;
    if !pem.contains(PEM_BEGIN) {
        return Err(ConfigError(format!(
            "{} is not a PEM certificate (no `{PEM_BEGIN}` line): export the ingest's certificate in PEM form",
            path.display()
        )));
    }
    gio::TlsCertificate::from_pem(&pem).map_err(|e| {
        ConfigError(format!(
            "{} is not a usable PEM certificate: {e}",
            path.display()
        ))
    })?;
    Ok(pem)
}

/// Trusts the certificate(s) in `path` in addition to the system trust store for every GIO
/// TLS connection this process makes from now on (see the module docs).
pub(crate) fn trust_additionally(path: &Path) -> Result<()> {
    let pem = read_certificate(path)?;
    let mut trust = EXTRA_TRUST
        .lock()
        .map_err(|_| Error::Tls("the trusted certificate list is poisoned".into()))?;
    if trust.anchors.iter().any(|known| known == &pem) {
        return Ok(());
    }
    let mut anchors = trust.anchors.clone();
    anchors.push(pem);
    let bundle = BundleFile::write(&system_bundle()?, &anchors)?;
    let database = gio::TlsFileDatabase::new(bundle.path())
        .map_err(|e| Error::Tls(format!("GIO refused the combined CA bundle: {e}")))?;
    gio::TlsBackend::default().set_default_database(Some(&database));
    *trust = ExtraTrust {
        anchors,
        _bundle: Some(bundle),
    };
    tracing::info!(
        certificate = %path.display(),
        "TLS: trusting this certificate in addition to the system trust store"
    );
    Ok(())
}

/// The combined anchors file (system bundle + extra certificates). GIO only loads anchors
/// from a path. On Linux the file is anonymous (unlinked at once, reached through
/// `/proc/self/fd`), so nothing is left behind whatever way the process ends; elsewhere it
/// is a named temporary file removed when replaced.
struct BundleFile {
    #[cfg(target_os = "linux")]
    file: std::fs::File,
    #[cfg(not(target_os = "linux"))]
    file: tempfile::NamedTempFile,
}

impl BundleFile {
    fn write(system: &str, extra: &[String]) -> Result<Self> {
        let failed =
            |e: std::io::Error| Error::Tls(format!("cannot write the combined CA bundle: {e}"));
        #[cfg(target_os = "linux")]
        let mut file = tempfile::tempfile().map_err(failed)?;
        #[cfg(not(target_os = "linux"))]
        let mut file = tempfile::Builder::new()
            .prefix("cloumer-trust-")
            .suffix(".pem")
            .tempfile()
            .map_err(failed)?;
        file.write_all(system.as_bytes()).map_err(failed)?;
        file.write_all(b"\n").map_err(failed)?;
        for pem in extra {
            file.write_all(pem.as_bytes()).map_err(failed)?;
            file.write_all(b"\n").map_err(failed)?;
        }
        file.flush().map_err(failed)?;
        Ok(Self { file })
    }

    #[cfg(target_os = "linux")]
    fn path(&self) -> std::path::PathBuf {
        use std::os::fd::AsRawFd;
        std::path::PathBuf::from(format!("/proc/self/fd/{}", self.file.as_raw_fd()))
    }

    #[cfg(not(target_os = "linux"))]
    fn path(&self) -> std::path::PathBuf {
        self.file.path().to_owned()
    }
}

/// The system's CA bundle (the file GIO's default database is built from on Linux), found
/// the way OpenSSL-based tools find it (`SSL_CERT_FILE`, then the distributions' paths).
fn system_bundle() -> Result<String> {
    let probe = openssl_probe::probe();
    let path = probe.cert_file.ok_or_else(|| {
        Error::Tls(
            "no system CA bundle found to add the trusted certificate to: set SSL_CERT_FILE to the system's PEM bundle"
                .into(),
        )
    })?;
    std::fs::read_to_string(&path).map_err(|e| {
        Error::Tls(format!(
            "cannot read the system CA bundle {}: {e}",
            path.display()
        ))
    })
}
