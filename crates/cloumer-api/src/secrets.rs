//! Secrets (tokens, cached stream keys) live in the OS credential store via `keyring`:
//! macOS Keychain, Windows Credential Manager, the Secret Service on Linux desktops.
//!
//! Headless Linux has no Secret Service (no D-Bus session, or no keyring daemon). There
//! we deliberately fall back to the kernel key retention service (keyutils: the session
//! keyring, linked to the user's persistent keyring), which keeps secrets in kernel
//! memory, never on disk, and survives between commands of one login. It is chosen
//! only when the Secret Service cannot be reached, and the choice is logged. Set
//! `CLOUMER_CREDENTIAL_STORE=keyutils` or `=secret-service` to pick one explicitly.
//! There is no plain-file fallback.

use keyring::Entry;
use keyring::credential::CredentialBuilder;
use secrecy::{ExposeSecret, SecretString};

use crate::{Error, Result};

/// Env var to force a store on Linux: `keyutils` or `secret-service`.
pub const STORE_ENV: &str = "CLOUMER_CREDENTIAL_STORE";
const SERVICE: &str = "cloumer";

/// Which store holds the secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// The platform's native store (Keychain, Credential Manager, Secret Service).
    Native,
    /// Linux kernel keyutils (headless fallback).
    KernelKeyring,
}

/// A handle on the credential store, scoped to one backend (so two backends' sessions
/// never overwrite each other).
pub struct SecretStore {
    builder: Box<CredentialBuilder>,
    kind: StoreKind,
    scope: String,
}

impl std::fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretStore").field("kind", &self.kind).field("scope", &self.scope).finish()
    }
}

impl SecretStore {
    /// Opens the store for `scope` (e.g. `<user_pool_id>/<client_id>`).
    pub fn open(scope: &str) -> Result<Self> {
        let (builder, kind) = choose_builder()?;
        Ok(Self { builder, kind, scope: scope.to_owned() })
    }

    pub fn kind(&self) -> StoreKind {
        self.kind
    }

    fn entry(&self, name: &str) -> Result<Entry> {
        let user = format!("{}:{name}", self.scope);
        let credential = self
            .builder
            .build(None, SERVICE, &user)
            .map_err(|e| Error::CredentialStore(e.to_string()))?;
        Ok(Entry::new_with_credential(credential))
    }

    pub fn set(&self, name: &str, secret: &SecretString) -> Result<()> {
        self.entry(name)?
            .set_password(secret.expose_secret())
            .map_err(|e| Error::CredentialStore(e.to_string()))
    }

    pub fn get(&self, name: &str) -> Result<Option<SecretString>> {
        match self.entry(name)?.get_password() {
            Ok(s) => Ok(Some(SecretString::from(s))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(Error::CredentialStore(e.to_string())),
        }
    }

    pub fn delete(&self, name: &str) -> Result<()> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(Error::CredentialStore(e.to_string())),
        }
    }
}

#[cfg(target_os = "linux")]
fn choose_builder() -> Result<(Box<CredentialBuilder>, StoreKind)> {
    let forced = std::env::var(STORE_ENV).unwrap_or_default();
    match forced.as_str() {
        "keyutils" => return Ok((keyring::keyutils::default_credential_builder(), StoreKind::KernelKeyring)),
        "secret-service" => return Ok((keyring::secret_service::default_credential_builder(), StoreKind::Native)),
        "" => {}
        other => {
            return Err(Error::CredentialStore(format!(
                "{STORE_ENV}={other}: expected `keyutils` or `secret-service`"
            )));
        }
    }
    if secret_service_reachable() {
        Ok((keyring::secret_service::default_credential_builder(), StoreKind::Native))
    } else {
        tracing::info!("no Secret Service on the session bus: keeping secrets in the kernel keyring (keyutils)");
        Ok((keyring::keyutils::default_credential_builder(), StoreKind::KernelKeyring))
    }
}

/// A probe lookup: the Secret Service answers "no entry" when it works.
#[cfg(target_os = "linux")]
fn secret_service_reachable() -> bool {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return false;
    }
    let builder = keyring::secret_service::default_credential_builder();
    let Ok(credential) = builder.build(None, SERVICE, "probe") else { return false };
    matches!(Entry::new_with_credential(credential).get_password(), Ok(_) | Err(keyring::Error::NoEntry))
}

#[cfg(target_os = "macos")]
fn choose_builder() -> Result<(Box<CredentialBuilder>, StoreKind)> {
    Ok((keyring::macos::default_credential_builder(), StoreKind::Native))
}

#[cfg(target_os = "windows")]
fn choose_builder() -> Result<(Box<CredentialBuilder>, StoreKind)> {
    Ok((keyring::windows::default_credential_builder(), StoreKind::Native))
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn choose_builder() -> Result<(Box<CredentialBuilder>, StoreKind)> {
    Err(Error::CredentialStore("no supported credential store on this platform".into()))
}
