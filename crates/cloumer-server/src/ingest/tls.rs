//! The RTMPS ingest's TLS identity: a configured PEM certificate and key, or a self-signed
//! one generated once into `<data_dir>/tls/` and reused on every start, so a client that
//! trusts it (the backend profile's `ingest_certificate`) keeps trusting it.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::{Error, Result};

/// File names under `<data_dir>/tls/`.
const CERT_FILE: &str = "ingest-cert.pem";
const KEY_FILE: &str = "ingest-key.pem";
/// The names the generated certificate covers, one a line: a later start for another
/// listen host regenerates instead of presenting a certificate that does not name it.
const NAMES_FILE: &str = "ingest-cert.names";

/// Where the RTMPS certificate comes from.
#[derive(Debug, Clone, Default)]
pub enum TlsSource {
    /// Self-signed, generated into `<data_dir>/tls/` on first use and reused.
    #[default]
    Generated,
    /// A PEM certificate chain and its PEM private key.
    Files { cert: PathBuf, key: PathBuf },
}

/// A loaded identity: the acceptor and the certificate file clients can trust.
pub(crate) struct TlsIdentity {
    pub acceptor: TlsAcceptor,
    pub cert_path: PathBuf,
}

/// Loads (or first generates) the identity. Blocking: file I/O and key generation.
pub(crate) fn load(source: &TlsSource, data_dir: &Path, host: IpAddr) -> Result<TlsIdentity> {
    let (cert_path, key_path) = match source {
        TlsSource::Files { cert, key } => (cert.clone(), key.clone()),
        TlsSource::Generated => ensure_generated(&data_dir.join("tls"), host)?,
    };
    // Clients read this path from the backend profile, from any working directory.
    let cert_path = std::fs::canonicalize(&cert_path).map_err(|e| tls_err(&cert_path, e))?;
    let config = server_config(&cert_path, &key_path)?;
    Ok(TlsIdentity {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        cert_path,
    })
}

/// A rustls server configuration from a PEM certificate chain and its PEM private key:
/// the RTMPS ingest's and the HTTPS listener's (which adds its ALPN). Blocking: file I/O.
pub(crate) fn server_config(cert_path: &Path, key_path: &Path) -> Result<rustls::ServerConfig> {
    let chain = CertificateDer::pem_file_iter(cert_path)
        .and_then(|certs| certs.collect::<std::result::Result<Vec<_>, _>>())
        .map_err(|e| tls_err(cert_path, e))?;
    if chain.is_empty() {
        return Err(Error::Config(format!(
            "{}: no PEM certificate in the file",
            cert_path.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(key_path).map_err(|e| tls_err(key_path, e))?;
    // An explicit provider: several crates in a build may enable different rustls
    // backends, and then rustls cannot pick a process default on its own.
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(chain, key))
        .map_err(|e| Error::Config(format!("{}: {e}", cert_path.display())))
}

fn tls_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Config(format!("{}: {e}", path.display()))
}

/// The names a generated certificate must cover for a listener on `host`.
fn wanted_names(host: IpAddr) -> Vec<String> {
    let mut names: Vec<String> = ["localhost", "127.0.0.1", "::1"]
        .into_iter()
        .map(String::from)
        .collect();
    // 0.0.0.0 / :: are no address a client dials: nothing to add for them.
    if !host.is_unspecified() && !names.contains(&host.to_string()) {
        names.push(host.to_string());
    }
    names
}

/// The generated certificate and key paths, generating them when missing or when they do
/// not name `host`.
fn ensure_generated(dir: &Path, host: IpAddr) -> Result<(PathBuf, PathBuf)> {
    let (cert, key, names_file) = (
        dir.join(CERT_FILE),
        dir.join(KEY_FILE),
        dir.join(NAMES_FILE),
    );
    let wanted = wanted_names(host);
    if cert.exists() && key.exists() {
        let covered = match std::fs::read_to_string(&names_file) {
            Ok(text) => wanted.iter().all(|n| text.lines().any(|l| l == n)),
            // Placed there by hand: trust the operator.
            Err(_) => true,
        };
        if covered {
            return Ok((cert, key));
        }
        tracing::info!(%host, "the RTMPS certificate does not name the listen host: generating a new one");
    }
    std::fs::create_dir_all(dir)?;
    let generated = rcgen::generate_simple_self_signed(wanted.clone())
        .map_err(|e| Error::Crypto(format!("RTMPS certificate generation: {e}")))?;
    crate::private_file::write(&key, generated.signing_key.serialize_pem().as_bytes(), true)?;
    std::fs::write(&cert, generated.cert.pem())?;
    std::fs::write(&names_file, wanted.join("\n") + "\n")?;
    tracing::info!(cert = %cert.display(), "generated a self-signed RTMPS certificate");
    Ok((cert, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cover_loopback_and_the_listen_host() {
        let names = wanted_names("10.1.2.3".parse().unwrap());
        assert_eq!(names, ["localhost", "127.0.0.1", "::1", "10.1.2.3"]);
        assert_eq!(wanted_names("0.0.0.0".parse().unwrap()).len(), 3);
        assert_eq!(wanted_names("127.0.0.1".parse().unwrap()).len(), 3);
    }

    #[test]
    fn generated_once_then_reused_unless_the_host_changes() {
        let dir = tempfile::tempdir().unwrap();
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        let (cert, key) = ensure_generated(dir.path(), loopback).unwrap();
        let first = std::fs::read(&cert).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        ensure_generated(dir.path(), loopback).unwrap();
        assert_eq!(std::fs::read(&cert).unwrap(), first, "reused");
        ensure_generated(dir.path(), "10.1.2.3".parse().unwrap()).unwrap();
        assert_ne!(
            std::fs::read(&cert).unwrap(),
            first,
            "regenerated for a new host"
        );
    }
}
