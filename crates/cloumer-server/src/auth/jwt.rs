//! RS256 ID and access tokens, and the JWKS that publishes our key.
//!
//! Keys come from aws-lc-rs (fast RSA generation even in debug builds). Tokens are
//! *signed* here with aws-lc-rs directly because jsonwebtoken only loads PKCS#1 keys and
//! aws-lc-rs exports PKCS#8; *verification* uses jsonwebtoken (RS256 only, our key, exp,
//! iss and aud checked there).

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};

use crate::{Error, Result, db::Db, error::now_secs};

/// ID and access tokens live 60 minutes (Cognito's default).
pub const TOKEN_SECONDS: i64 = 3600;

/// Claims of an access token (Cognito's names).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: String,
    pub token_use: String,
    pub client_id: String,
    pub username: String,
    pub origin_jti: String,
    pub jti: String,
    pub iss: String,
    pub exp: i64,
    pub iat: i64,
}

/// Claims of an ID token: the seed's (`custom:chanelName`, `nickname`) plus Cognito's.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdClaims {
    pub sub: String,
    pub email: String,
    pub email_verified: bool,
    pub nickname: String,
    #[serde(
        rename = "custom:chanelName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub chanel_name: Option<String>,
    #[serde(rename = "cognito:username")]
    pub username: String,
    pub token_use: String,
    pub aud: String,
    pub origin_jti: String,
    pub jti: String,
    pub iss: String,
    pub exp: i64,
    pub iat: i64,
    pub auth_time: i64,
}

/// Who a token is for.
pub struct Subject<'a> {
    pub sub: &'a str,
    pub username: &'a str,
    pub email: &'a str,
    pub nickname: &'a str,
    pub channel: Option<&'a str>,
    pub session_id: &'a str,
}

pub struct TokenIssuer {
    key: RsaKeyPair,
    kid: String,
    decoding: DecodingKey,
    jwks: serde_json::Value,
    issuer: String,
    client_id: String,
}

impl TokenIssuer {
    /// Loads the signing key from the database, generating it on first run.
    pub fn load(db: &Db, issuer: String, client_id: String) -> Result<Self> {
        let pkcs8 = db.meta_or_insert("rsa_pkcs8", || {
            let key = RsaKeyPair::generate(KeySize::Rsa2048)
                .map_err(|_| Error::Crypto("RSA key generation failed".into()))?;
            let der = key
                .as_der()
                .map_err(|_| Error::Crypto("RSA key export failed".into()))?;
            Ok(der.as_ref().to_vec())
        })?;
        let key = RsaKeyPair::from_pkcs8(&pkcs8)
            .map_err(|e| Error::Crypto(format!("stored RSA key rejected: {e}")))?;
        let public = key.public_key();
        let n = B64URL.encode(public.modulus().big_endian_without_leading_zero());
        let e = B64URL.encode(public.exponent().big_endian_without_leading_zero());
        // The key id is a digest of the public key, stable across restarts.
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, n.as_bytes());
        let kid = B64URL.encode(&digest.as_ref()[..12]);
        let decoding = DecodingKey::from_rsa_components(&n, &e)?;
        let jwks = serde_json::json!({"keys": [{
            "kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid, "n": n, "e": e,
        }]});
        Ok(Self {
            key,
            kid,
            decoding,
            jwks,
            issuer,
            client_id,
        })
    }

    pub fn jwks(&self) -> &serde_json::Value {
        &self.jwks
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Mints (id token, access token) for a subject.
    pub fn issue(&self, s: &Subject<'_>) -> Result<(String, String)> {
        let iat = now_secs();
        let exp = iat + TOKEN_SECONDS;
        let id = IdClaims {
            sub: s.sub.into(),
            email: s.email.into(),
            email_verified: true,
            nickname: s.nickname.into(),
            chanel_name: s.channel.map(Into::into),
            username: s.username.into(),
            token_use: "id".into(),
            aud: self.client_id.clone(),
            origin_jti: s.session_id.into(),
            jti: uuid::Uuid::new_v4().to_string(),
            iss: self.issuer.clone(),
            exp,
            iat,
            auth_time: iat,
        };
        let access = AccessClaims {
            sub: s.sub.into(),
            token_use: "access".into(),
            client_id: self.client_id.clone(),
            username: s.username.into(),
            origin_jti: s.session_id.into(),
            jti: uuid::Uuid::new_v4().to_string(),
            iss: self.issuer.clone(),
            exp,
            iat,
        };
        Ok((self.sign(&id)?, self.sign(&access)?))
    }

    fn sign(&self, claims: &impl Serialize) -> Result<String> {
        let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": self.kid});
        let mut input = B64URL.encode(serde_json::to_vec(&header)?);
        input.push('.');
        input.push_str(&B64URL.encode(serde_json::to_vec(claims)?));
        let mut sig = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut sig,
            )
            .map_err(|_| Error::Crypto("RSA signing failed".into()))?;
        input.push('.');
        input.push_str(&B64URL.encode(sig));
        Ok(input)
    }

    fn validation(&self) -> Validation {
        let mut v = Validation::new(Algorithm::RS256);
        v.set_issuer(&[&self.issuer]);
        v.leeway = 5;
        v
    }

    /// Verifies an ID token: RS256 with our key, not expired, ours, `token_use = id`.
    pub fn verify_id(&self, token: &str) -> Result<IdClaims> {
        let mut v = self.validation();
        v.set_audience(&[&self.client_id]);
        let claims = jsonwebtoken::decode::<IdClaims>(token, &self.decoding, &v)?.claims;
        if claims.token_use != "id" {
            return Err(Error::Crypto("not an ID token".into()));
        }
        Ok(claims)
    }

    /// Verifies an access token: RS256 with our key, not expired, `token_use = access`.
    pub fn verify_access(&self, token: &str) -> Result<AccessClaims> {
        let mut v = self.validation();
        v.validate_aud = false;
        let claims = jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &v)?.claims;
        if claims.token_use != "access" || claims.client_id != self.client_id {
            return Err(Error::Crypto("not our access token".into()));
        }
        Ok(claims)
    }
}
