//! The token issuer, ready a little after the server: on a first run its 2048-bit RSA
//! signing key takes hundreds of milliseconds to generate (a prime search), which would
//! dominate start-up to ready (target < 300 ms). The key is loaded or generated in the
//! background from start-up; whatever needs it (sign-in, token checks, JWKS) waits for it.

use std::sync::Arc;

use tokio::sync::OnceCell;

use super::jwt::TokenIssuer;
use crate::db::Db;
use crate::{Error, Result};

pub struct Tokens {
    issuer: OnceCell<TokenIssuer>,
    db: Arc<Db>,
    url: String,
    client_id: String,
}

impl Tokens {
    /// Starts loading (first run: generating and storing) the signing key. `url` is the
    /// token issuer URL (`iss`).
    pub fn start(db: Arc<Db>, url: String, client_id: String) -> Arc<Self> {
        let tokens = Arc::new(Self {
            issuer: OnceCell::new(),
            db,
            url,
            client_id,
        });
        let background = tokens.clone();
        tokio::spawn(async move {
            if let Err(e) = background.get().await {
                // Callers retry the load and report the error themselves.
                tracing::error!(error = %e, "token signing key unavailable");
            }
        });
        tokens
    }

    /// The issuer, once its key is there (concurrent callers share one load).
    pub async fn get(&self) -> Result<&TokenIssuer> {
        self.issuer
            .get_or_try_init(|| async {
                let (db, url, client_id) =
                    (self.db.clone(), self.url.clone(), self.client_id.clone());
                tokio::task::spawn_blocking(move || TokenIssuer::load(&db, url, client_id))
                    .await
                    .map_err(|e| Error::Io(std::io::Error::other(e)))?
            })
            .await
    }
}
