//! A small client for the Cognito Identity Provider JSON protocol (unsigned calls of a
//! public app client), spoken with reqwest directly: the few operations we need do not
//! justify aws-sdk-cognitoidentityprovider's compile time. The same code talks to AWS,
//! to moto and to `cloumer serve`'s Cognito-compatible endpoint.

use std::collections::BTreeMap;
use std::time::Duration;

use cloumer_protocol::cognito::{
    AccessTokenRequest, AttributeType, AuthResponse, AuthenticationResult, CONTENT_TYPE,
    ConfirmForgotPasswordRequest, ConfirmSignUpRequest, ErrorBody, InitiateAuthRequest,
    RespondToAuthChallengeRequest, SignUpRequest, SignUpResponse, TARGET_PREFIX,
    UpdateUserAttributesRequest, UsernameRequest,
};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::backend::{BackendProfile, is_self_hosted};
use crate::error::AuthErrorKind;
use crate::session::Tokens;
use crate::{Error, Result};

/// Why password reset is refused against a seed profile (its post-confirmation trigger
/// ignores the trigger source, so a reset would provision a second channel, bug W4).
pub const PASSWORD_RESET_REFUSED: &str = "password reset is not offered on this backend: it \
     would create a second channel for your account (a known bug of the CLOUMER AWS \
     deployment); ask the operator to reset your password";

/// What a sign-up produced.
#[derive(Debug, Clone)]
pub struct SignUpOutcome {
    /// Already confirmed (no code needed).
    pub confirmed: bool,
    /// Where the code went (masked e-mail), when the pool said.
    pub code_destination: Option<String>,
}

/// Cognito client for one backend profile.
#[derive(Clone)]
pub struct CognitoClient {
    http: reqwest::Client,
    endpoint: String,
    client_id: String,
    user_pool_id: String,
    self_hosted: bool,
    /// Whether `log_in` may send the password itself when the pool refuses SRP.
    password_fallback: bool,
}

impl std::fmt::Debug for CognitoClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CognitoClient")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl CognitoClient {
    pub fn new(profile: &BackendProfile) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("cloumer/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Transport {
                url: profile.cognito_endpoint(),
                message: e.to_string(),
            })?;
        Ok(Self {
            http,
            endpoint: profile.cognito_endpoint(),
            client_id: profile.client_id.clone(),
            user_pool_id: profile.user_pool_id.clone(),
            self_hosted: is_self_hosted(profile),
            password_fallback: profile.allow_password_auth,
        })
    }

    async fn call<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        op: &str,
        body: &Req,
    ) -> Result<Resp> {
        let response = self
            .http
            .post(&self.endpoint)
            .header("X-Amz-Target", format!("{TARGET_PREFIX}{op}"))
            .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
            .json(body)
            .send()
            .await
            .map_err(|e| Error::transport(&self.endpoint, e))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| Error::transport(&self.endpoint, e))?;
        if !status.is_success() {
            if let Ok(err) = serde_json::from_slice::<ErrorBody>(&bytes) {
                return Err(Error::Auth {
                    kind: err.kind,
                    message: err.message,
                });
            }
            return Err(Error::Server {
                status: status.as_u16(),
                path: format!("Cognito {op}"),
                message: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
            });
        }
        let bytes = if bytes.is_empty() {
            &b"{}"[..]
        } else {
            &bytes[..]
        };
        serde_json::from_slice(bytes).map_err(|e| Error::Decode {
            path: format!("Cognito {op}"),
            message: e.to_string(),
        })
    }

    /// Signs up with user name = e-mail and the attributes `email` + `nickname`. Never sends
    /// `custom:chanelName`: the backend assigns the channel.
    pub async fn sign_up(
        &self,
        email: &str,
        password: &SecretString,
        nickname: &str,
    ) -> Result<SignUpOutcome> {
        let request = SignUpRequest {
            client_id: self.client_id.clone(),
            username: email.to_owned(),
            password: password.expose_secret().to_owned(),
            user_attributes: vec![
                AttributeType {
                    name: "email".into(),
                    value: email.to_owned(),
                },
                AttributeType {
                    name: "nickname".into(),
                    value: nickname.to_owned(),
                },
            ],
        };
        let answer: SignUpResponse = self.call("SignUp", &request).await?;
        Ok(SignUpOutcome {
            confirmed: answer.user_confirmed,
            code_destination: answer.code_delivery_details.map(|d| d.destination),
        })
    }

    pub async fn confirm_sign_up(&self, email: &str, code: &str) -> Result<()> {
        let request = ConfirmSignUpRequest {
            client_id: self.client_id.clone(),
            username: email.to_owned(),
            confirmation_code: code.trim().to_owned(),
            force_alias_creation: Some(true),
        };
        let _: serde_json::Value = self.call("ConfirmSignUp", &request).await?;
        Ok(())
    }

    pub async fn resend_code(&self, email: &str) -> Result<()> {
        let request = UsernameRequest {
            client_id: self.client_id.clone(),
            username: email.to_owned(),
        };
        let _: serde_json::Value = self.call("ResendConfirmationCode", &request).await?;
        Ok(())
    }

    /// Logs in with USER_SRP_AUTH: the password never leaves the machine. Only when the
    /// pool refuses SRP *and* the profile says `allow_password_auth = true` does it send
    /// the password with USER_PASSWORD_AUTH, and then only over HTTPS or to this machine:
    /// otherwise anything that answers "no SRP here" (a spoofed or plain-HTTP endpoint)
    /// would be handed the password.
    pub async fn log_in(&self, username: &str, password: &SecretString) -> Result<Tokens> {
        let refusal = match self.log_in_srp(username, password).await {
            Err(e) if srp_refused(&e) => e,
            other => return other,
        };
        if !self.password_fallback {
            return Err(Error::Refused(format!(
                "the sign-in server refused SRP ({refusal}); to send the password itself \
                 instead, add `allow_password_auth = true` to the backend profile"
            )));
        }
        if !password_may_travel_to(&self.endpoint) {
            return Err(Error::Refused(format!(
                "the sign-in server refused SRP and {} is neither HTTPS nor this machine: \
                 the password is not sent over plain HTTP",
                self.endpoint
            )));
        }
        tracing::info!(error = %refusal, "SRP refused by the pool, using USER_PASSWORD_AUTH as the profile allows");
        self.log_in_password(username, password).await
    }

    /// USER_PASSWORD_AUTH (password sent over TLS).
    pub async fn log_in_password(&self, username: &str, password: &SecretString) -> Result<Tokens> {
        let mut params = BTreeMap::new();
        params.insert("USERNAME".to_owned(), username.to_owned());
        params.insert("PASSWORD".to_owned(), password.expose_secret().to_owned());
        let answer = self.initiate("USER_PASSWORD_AUTH", params).await?;
        self.finish(username, answer)
    }

    /// USER_SRP_AUTH with the PASSWORD_VERIFIER challenge (aws-cognito-srp does the maths).
    pub async fn log_in_srp(&self, username: &str, password: &SecretString) -> Result<Tokens> {
        use aws_cognito_srp::{SrpClient, User};
        let srp = SrpClient::new(
            User::new(&self.user_pool_id, username, password.expose_secret()),
            &self.client_id,
            None,
        );
        let start = srp.get_auth_parameters();
        let mut params = BTreeMap::new();
        params.insert("USERNAME".to_owned(), username.to_owned());
        params.insert("SRP_A".to_owned(), start.a);
        let answer = self.initiate("USER_SRP_AUTH", params).await?;
        if answer.challenge_name.as_deref() != Some("PASSWORD_VERIFIER") {
            return self.finish(username, answer);
        }
        let challenge = answer.challenge_parameters.unwrap_or_default();
        let get = |k: &str| {
            challenge.get(k).cloned().ok_or_else(|| Error::Decode {
                path: "Cognito InitiateAuth".into(),
                message: format!("PASSWORD_VERIFIER challenge without {k}"),
            })
        };
        let user_id = get("USER_ID_FOR_SRP")?;
        let verified = srp
            .verify(
                &get("SECRET_BLOCK")?,
                &user_id,
                &get("SALT")?,
                &get("SRP_B")?,
            )
            .map_err(|e| Error::Decode {
                path: "Cognito SRP".into(),
                message: e.to_string(),
            })?;
        let mut responses = BTreeMap::new();
        responses.insert("USERNAME".to_owned(), user_id);
        responses.insert(
            "PASSWORD_CLAIM_SECRET_BLOCK".to_owned(),
            verified.password_claim_secret_block,
        );
        responses.insert(
            "PASSWORD_CLAIM_SIGNATURE".to_owned(),
            verified.password_claim_signature,
        );
        responses.insert("TIMESTAMP".to_owned(), verified.timestamp);
        let request = RespondToAuthChallengeRequest {
            challenge_name: "PASSWORD_VERIFIER".into(),
            client_id: self.client_id.clone(),
            challenge_responses: responses,
            session: answer.session,
        };
        let answer: AuthResponse = match self.call("RespondToAuthChallenge", &request).await {
            // InitiateAuth found the user, so this means the endpoint cannot finish SRP
            // (moto looks USER_ID_FOR_SRP up as a user name): a Decode error, which makes
            // `log_in` fall back to the password flow.
            Err(Error::Auth {
                kind: AuthErrorKind::UserNotFound,
                message,
            }) => {
                return Err(Error::Decode {
                    path: "Cognito SRP".into(),
                    message: format!("the pool refused its own USER_ID_FOR_SRP: {message}"),
                });
            }
            other => other?,
        };
        self.finish(username, answer)
    }

    /// Answers NEW_PASSWORD_REQUIRED with the user's new password.
    pub async fn set_new_password(
        &self,
        username: &str,
        session: &str,
        new_password: &SecretString,
    ) -> Result<Tokens> {
        let mut responses = BTreeMap::new();
        responses.insert("USERNAME".to_owned(), username.to_owned());
        responses.insert(
            "NEW_PASSWORD".to_owned(),
            new_password.expose_secret().to_owned(),
        );
        let request = RespondToAuthChallengeRequest {
            challenge_name: "NEW_PASSWORD_REQUIRED".into(),
            client_id: self.client_id.clone(),
            challenge_responses: responses,
            session: Some(session.to_owned()),
        };
        let answer: AuthResponse = self.call("RespondToAuthChallenge", &request).await?;
        self.finish(username, answer)
    }

    /// REFRESH_TOKEN_AUTH; the answer carries no new refresh token, so the old one stays.
    pub async fn refresh(&self, refresh_token: &SecretString) -> Result<Tokens> {
        let mut params = BTreeMap::new();
        params.insert(
            "REFRESH_TOKEN".to_owned(),
            refresh_token.expose_secret().to_owned(),
        );
        let answer = self.initiate("REFRESH_TOKEN_AUTH", params).await?;
        let mut tokens = self.finish("", answer)?;
        if tokens.refresh_token.is_none() {
            tokens.refresh_token = Some(refresh_token.clone());
        }
        Ok(tokens)
    }

    /// GlobalSignOut: revokes every refresh token of the user.
    pub async fn global_sign_out(&self, access_token: &SecretString) -> Result<()> {
        let request = AccessTokenRequest {
            access_token: access_token.expose_secret().to_owned(),
        };
        let _: serde_json::Value = self.call("GlobalSignOut", &request).await?;
        Ok(())
    }

    /// UpdateUserAttributes with the nickname alone (the name others see in chat).
    pub async fn update_nickname(&self, access_token: &SecretString, nickname: &str) -> Result<()> {
        let request = UpdateUserAttributesRequest {
            access_token: access_token.expose_secret().to_owned(),
            user_attributes: vec![AttributeType {
                name: "nickname".into(),
                value: nickname.to_owned(),
            }],
        };
        let _: serde_json::Value = self.call("UpdateUserAttributes", &request).await?;
        Ok(())
    }

    /// ForgotPassword. Refused against the seed's deployment: its post-confirmation
    /// trigger ignores the trigger source and would give the user a second channel.
    pub async fn forgot_password(&self, email: &str) -> Result<()> {
        self.check_password_reset()?;
        let request = UsernameRequest {
            client_id: self.client_id.clone(),
            username: email.to_owned(),
        };
        let _: serde_json::Value = self.call("ForgotPassword", &request).await?;
        Ok(())
    }

    pub async fn confirm_forgot_password(
        &self,
        email: &str,
        code: &str,
        new_password: &SecretString,
    ) -> Result<()> {
        self.check_password_reset()?;
        let request = ConfirmForgotPasswordRequest {
            client_id: self.client_id.clone(),
            username: email.to_owned(),
            confirmation_code: code.trim().to_owned(),
            password: new_password.expose_secret().to_owned(),
        };
        let _: serde_json::Value = self.call("ConfirmForgotPassword", &request).await?;
        Ok(())
    }

    /// `Err(Refused)` when this backend must not be offered a password reset (a seed
    /// profile, see [`crate::backend::is_self_hosted`]); lets a UI hide the feature.
    pub fn check_password_reset(&self) -> Result<()> {
        if self.self_hosted {
            return Ok(());
        }
        Err(Error::Refused(PASSWORD_RESET_REFUSED.into()))
    }

    async fn initiate(&self, flow: &str, params: BTreeMap<String, String>) -> Result<AuthResponse> {
        let request = InitiateAuthRequest {
            auth_flow: flow.to_owned(),
            client_id: self.client_id.clone(),
            auth_parameters: params,
        };
        self.call("InitiateAuth", &request).await
    }

    fn finish(&self, username: &str, answer: AuthResponse) -> Result<Tokens> {
        if let Some(result) = answer.authentication_result {
            return Ok(Tokens::from_result(result));
        }
        match answer.challenge_name.as_deref() {
            Some("NEW_PASSWORD_REQUIRED") => Err(Error::NewPasswordRequired {
                session: answer.session.unwrap_or_default(),
                username: username.to_owned(),
            }),
            Some(other) => Err(Error::Auth {
                kind: AuthErrorKind::Other(other.to_owned()),
                message: format!(
                    "the pool asks for challenge {other}, which Cloumer does not support"
                ),
            }),
            None => Err(Error::Decode {
                path: "Cognito InitiateAuth".into(),
                message: "neither tokens nor a challenge".into(),
            }),
        }
    }
}

impl Tokens {
    pub(crate) fn from_result(r: AuthenticationResult) -> Self {
        let expires_at = time::OffsetDateTime::now_utc() + Duration::from_secs(r.expires_in);
        Self {
            id_token: SecretString::from(r.id_token),
            access_token: SecretString::from(r.access_token),
            refresh_token: r.refresh_token.map(SecretString::from),
            expires_at,
        }
    }
}

/// Whether an SRP attempt failed because the endpoint does not do SRP (as opposed to a
/// wrong password or an unknown user, which end the login).
fn srp_refused(e: &Error) -> bool {
    match e {
        // Every kind but the ones that judge the user (wrong password, unknown or
        // unconfirmed user, throttling, ...): those end the login instead.
        Error::Auth { kind, .. } => matches!(
            kind,
            AuthErrorKind::InvalidParameter
                | AuthErrorKind::ResourceNotFound
                | AuthErrorKind::Serialization
                | AuthErrorKind::UnknownOperation
                | AuthErrorKind::InternalError
                | AuthErrorKind::Other(_)
        ),
        Error::Server { status, .. } => *status == 400 || *status == 501,
        // The exchange ended without tokens or a known challenge (moto accepts
        // PASSWORD_VERIFIER without checking it and returns nothing).
        Error::Decode { .. } => true,
        _ => false,
    }
}

/// A password may be sent to `endpoint` only under TLS, or to a loopback address.
fn password_may_travel_to(endpoint: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(endpoint) else {
        return false;
    };
    match (url.scheme(), url.host()) {
        ("https", Some(_)) => true,
        ("http", Some(url::Host::Ipv4(ip))) => ip.is_loopback(),
        ("http", Some(url::Host::Ipv6(ip))) => ip.is_loopback(),
        ("http", Some(url::Host::Domain(name))) => name.eq_ignore_ascii_case("localhost"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_travels_only_under_tls_or_to_this_machine() {
        for (endpoint, ok) in [
            ("https://cognito-idp.ap-northeast-2.amazonaws.com/", true),
            ("http://127.0.0.1:8787/cognito/", true),
            ("http://127.9.9.9/cognito/", true),
            ("http://[::1]:8787/cognito/", true),
            ("http://LOCALHOST:8787/", true),
            ("http://192.168.0.10:8787/cognito/", false),
            ("http://cloumer.example.com/cognito/", false),
            ("http://localhost.example.com/", false),
            ("ftp://127.0.0.1/", false),
            ("not a url", false),
        ] {
            assert_eq!(password_may_travel_to(endpoint), ok, "{endpoint}");
        }
    }

    #[test]
    fn only_an_endpoint_without_srp_counts_as_refusing_it() {
        let auth = |kind| Error::Auth {
            kind,
            message: String::new(),
        };
        assert!(srp_refused(&auth(AuthErrorKind::InvalidParameter)));
        assert!(!srp_refused(&auth(AuthErrorKind::NotAuthorized)));
        assert!(!srp_refused(&auth(AuthErrorKind::UserNotFound)));
        assert!(!srp_refused(&Error::Transport {
            url: String::new(),
            message: String::new()
        }));
    }
}
