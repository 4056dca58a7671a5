//! The caller on AWS: API Gateway's Cognito authorizer verified the ID token; its claims
//! arrive in the request context. Only `sub` (and the display `nickname`) are read: the
//! channel comes from our table, never from `custom:chanelName` (W1).

use async_trait::async_trait;
use axum::http::request::Parts;
use cloumer_server::identity::{Identify, Identity};
use lambda_http::request::RequestContext;

pub struct AuthorizerClaims;

#[async_trait]
impl Identify for AuthorizerClaims {
    async fn identify(&self, parts: &Parts) -> cloumer_server::Result<Option<Identity>> {
        let Some(RequestContext::ApiGatewayV1(context)) = parts.extensions.get::<RequestContext>()
        else {
            return Ok(None);
        };
        let Some(claims) = context.authorizer.fields.get("claims") else {
            return Ok(None);
        };
        let claim = |name: &str| claims.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        Ok(claim("sub").filter(|s| !s.is_empty()).map(|sub| Identity {
            nickname: claim("nickname").unwrap_or_default(),
            sub,
        }))
    }
}
