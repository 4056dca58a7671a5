//! Secrets (tokens, cached stream keys) live in the OS credential store via `keyring`:
//! macOS Keychain, Windows Credential Manager, the Secret Service on Linux desktops.
//!
//! Headless Linux has no Secret Service (no D-Bus session, or no keyring daemon). There
//! we deliberately fall back to the kernel key retention service: keys in the user's
//! *persistent keyring* (keyctl_get_persistent), which keeps secrets in kernel memory,
//! never on disk, shared by every process of the user (so `cloumer login` in one shell
//! serves `cloumer profile` in another) until it expires after days without use
//! (/proc/sys/kernel/keys/persistent_keyring_expiry). keyring's own keyutils store
//! searches only the process's session keyring, which a process started without one
//! (cron, a CI job, a tool shell) gets fresh and empty: hence this small store. It is chosen
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
    backend: Backend,
    kind: StoreKind,
    scope: String,
}

impl std::fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretStore")
            .field("kind", &self.kind)
            .field("scope", &self.scope)
            .finish()
    }
}

impl SecretStore {
    /// Opens the store for `scope` (e.g. `<user_pool_id>/<client_id>`).
    pub fn open(scope: &str) -> Result<Self> {
        let (backend, kind) = choose_backend()?;
        Ok(Self {
            backend,
            kind,
            scope: scope.to_owned(),
        })
    }

    pub fn kind(&self) -> StoreKind {
        self.kind
    }

    fn user(&self, name: &str) -> String {
        format!("{}:{name}", self.scope)
    }

    fn entry(&self, builder: &CredentialBuilder, name: &str) -> Result<Entry> {
        let credential = builder
            .build(None, SERVICE, &self.user(name))
            .map_err(|e| Error::CredentialStore(e.to_string()))?;
        Ok(Entry::new_with_credential(credential))
    }

    pub fn set(&self, name: &str, secret: &SecretString) -> Result<()> {
        match &self.backend {
            Backend::Keyring(b) => self
                .entry(b.as_ref(), name)?
                .set_password(secret.expose_secret())
                .map_err(|e| Error::CredentialStore(e.to_string())),
            #[cfg(target_os = "linux")]
            Backend::Kernel(k) => k.set(&self.user(name), secret.expose_secret()),
        }
    }

    pub fn get(&self, name: &str) -> Result<Option<SecretString>> {
        match &self.backend {
            Backend::Keyring(b) => match self.entry(b.as_ref(), name)?.get_password() {
                Ok(s) => Ok(Some(SecretString::from(s))),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(Error::CredentialStore(e.to_string())),
            },
            #[cfg(target_os = "linux")]
            Backend::Kernel(k) => k.get(&self.user(name)),
        }
    }

    pub fn delete(&self, name: &str) -> Result<()> {
        match &self.backend {
            Backend::Keyring(b) => match self.entry(b.as_ref(), name)?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(Error::CredentialStore(e.to_string())),
            },
            #[cfg(target_os = "linux")]
            Backend::Kernel(k) => k.delete(&self.user(name)),
        }
    }
}

enum Backend {
    Keyring(Box<CredentialBuilder>),
    #[cfg(target_os = "linux")]
    Kernel(kernel::PersistentKeyring),
}

#[cfg(target_os = "linux")]
mod kernel {
    use linux_keyutils::{KeyError, KeyRing, KeyRingIdentifier};
    use secrecy::SecretString;

    use crate::{Error, Result};

    fn err(e: KeyError) -> Error {
        Error::CredentialStore(format!("kernel keyring: {e:?}"))
    }

    /// The user's persistent keyring (see the module docs).
    pub struct PersistentKeyring(KeyRing);

    impl PersistentKeyring {
        pub fn open() -> Result<Self> {
            // Link it under the user keyring (shared by all the user's processes).
            KeyRing::get_persistent(KeyRingIdentifier::User)
                .map(Self)
                .map_err(err)
        }

        fn description(user: &str) -> String {
            format!("cloumer:{user}")
        }

        pub fn set(&self, user: &str, secret: &str) -> Result<()> {
            if secret.is_empty() {
                return self.delete(user);
            }
            // add_key replaces the payload of an existing key with the same description.
            self.0
                .add_key(&Self::description(user), secret.as_bytes())
                .map(|_| ())
                .map_err(err)
        }

        pub fn get(&self, user: &str) -> Result<Option<SecretString>> {
            match self.0.search(&Self::description(user)) {
                Ok(key) => {
                    let bytes = key.read_to_vec().map_err(err)?;
                    let text = String::from_utf8(bytes)
                        .map_err(|_| Error::CredentialStore("kernel keyring: not UTF-8".into()))?;
                    Ok(Some(SecretString::from(text)))
                }
                Err(KeyError::KeyDoesNotExist)
                | Err(KeyError::KeyRevoked)
                | Err(KeyError::KeyExpired) => Ok(None),
                Err(e) => Err(err(e)),
            }
        }

        pub fn delete(&self, user: &str) -> Result<()> {
            match self.0.search(&Self::description(user)) {
                Ok(key) => key.invalidate().map_err(err),
                Err(KeyError::KeyDoesNotExist)
                | Err(KeyError::KeyRevoked)
                | Err(KeyError::KeyExpired) => Ok(()),
                Err(e) => Err(err(e)),
            }
        }
    }
}

#[cfg(target_os = "linux")]
fn choose_backend() -> Result<(Backend, StoreKind)> {
    let forced = std::env::var(STORE_ENV).unwrap_or_default();
    match forced.as_str() {
        "keyutils" => {
            return Ok((
                Backend::Kernel(kernel::PersistentKeyring::open()?),
                StoreKind::KernelKeyring,
            ));
        }
        "secret-service" => {
            return Ok((
                Backend::Keyring(keyring::secret_service::default_credential_builder()),
                StoreKind::Native,
            ));
        }
        "" => {}
        other => {
            return Err(Error::CredentialStore(format!(
                "{STORE_ENV}={other}: expected `keyutils` or `secret-service`"
            )));
        }
    }
    if secret_service_reachable() {
        Ok((
            Backend::Keyring(keyring::secret_service::default_credential_builder()),
            StoreKind::Native,
        ))
    } else {
        tracing::info!(
            "no Secret Service on the session bus: keeping secrets in the kernel keyring (keyutils)"
        );
        Ok((
            Backend::Kernel(kernel::PersistentKeyring::open()?),
            StoreKind::KernelKeyring,
        ))
    }
}

/// A probe lookup: the Secret Service answers "no entry" when it works.
#[cfg(target_os = "linux")]
fn secret_service_reachable() -> bool {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return false;
    }
    let builder = keyring::secret_service::default_credential_builder();
    let Ok(credential) = builder.build(None, SERVICE, "probe") else {
        return false;
    };
    matches!(
        Entry::new_with_credential(credential).get_password(),
        Ok(_) | Err(keyring::Error::NoEntry)
    )
}

#[cfg(target_os = "macos")]
fn choose_backend() -> Result<(Backend, StoreKind)> {
    Ok((
        Backend::Keyring(keyring::macos::default_credential_builder()),
        StoreKind::Native,
    ))
}

#[cfg(target_os = "windows")]
fn choose_backend() -> Result<(Backend, StoreKind)> {
    Ok((
        Backend::Keyring(keyring::windows::default_credential_builder()),
        StoreKind::Native,
    ))
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn choose_backend() -> Result<(Backend, StoreKind)> {
    Err(Error::CredentialStore(
        "no supported credential store on this platform".into(),
    ))
}
