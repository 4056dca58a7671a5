//! Additive moderation routes: the channels the caller moderates, another channel's
//! moderators, and chat timeouts and bans (`/stream/v1/chat-restrictions`).

use cloumer_protocol::chat::{MAX_REASON_CODE_POINTS, reason_fits};
use cloumer_protocol::rest::{ChatRestriction, Moderator, RestrictUser, limits, paths};
use reqwest::Method;
use secrecy::SecretString;

use super::{Call, RestClient, decode, decode_unit, encode_query_value};
use crate::{Error, Result};

/// How long a user is kept out of a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restriction {
    /// For this many seconds (1..=[`limits::CHAT_TIMEOUT_MAX_SECS`]).
    Timeout(u64),
    /// Until lifted.
    Ban,
}

impl RestClient {
    /// The channels the caller moderates (not their own).
    pub async fn moderated_channels(&self, id_token: &SecretString) -> Result<Vec<Moderator>> {
        self.json(Call::get(paths::MODERATED_CHANNELS).auth(id_token))
            .await
    }

    /// The moderators of `channel` (the caller owns or moderates it).
    pub async fn moderators_of(
        &self,
        id_token: &SecretString,
        channel: &str,
    ) -> Result<Vec<Moderator>> {
        self.json(
            Call::get(paths::MODERATORS)
                .query("channel", channel)
                .auth(id_token),
        )
        .await
    }

    /// Adds (`on`) or removes `moderator` as a moderator of `channel` (the caller owns it).
    pub async fn set_moderator_of(
        &self,
        id_token: &SecretString,
        channel: &str,
        moderator: &str,
        on: bool,
    ) -> Result<Vec<Moderator>> {
        let method = if on { Method::PUT } else { Method::DELETE };
        let call = Call::with(method, paths::moderator(&encode_query_value(moderator)))
            .query("channel", channel)
            .auth(id_token);
        let (status, bytes) = self.send(&call, |r| r).await?;
        decode(&call.path, status, &bytes)
    }

    /// The timeouts and bans in force in `channel`'s chat.
    pub async fn chat_restrictions(
        &self,
        id_token: &SecretString,
        channel: &str,
    ) -> Result<Vec<ChatRestriction>> {
        let path = paths::chat_restrictions(&encode_query_value(channel));
        self.json(Call::get(path).auth(id_token)).await
    }

    /// Times out or bans `user_id` in `channel`'s chat (they are disconnected at once).
    /// Checked here first: nothing is sent for a duration or reason the server refuses.
    pub async fn restrict_chat_user(
        &self,
        id_token: &SecretString,
        channel: &str,
        user_id: &str,
        restriction: Restriction,
        reason: &str,
    ) -> Result<ChatRestriction> {
        let duration_seconds = match restriction {
            Restriction::Timeout(secs @ 1..=limits::CHAT_TIMEOUT_MAX_SECS) => Some(secs),
            Restriction::Timeout(_) => {
                return Err(Error::Invalid {
                    field: Some("durationSeconds".into()),
                    message: format!(
                        "a timeout lasts 1 to {} seconds",
                        limits::CHAT_TIMEOUT_MAX_SECS
                    ),
                });
            }
            Restriction::Ban => None,
        };
        if !reason_fits(reason) {
            return Err(Error::Invalid {
                field: Some("reason".into()),
                message: format!("at most {MAX_REASON_CODE_POINTS} characters"),
            });
        }
        let body = RestrictUser {
            duration_seconds,
            reason: reason.to_owned(),
        };
        let path =
            paths::chat_restriction(&encode_query_value(channel), &encode_query_value(user_id));
        let (status, bytes) = self
            .send(&Call::with(Method::PUT, path.clone()).auth(id_token), |r| {
                r.json(&body)
            })
            .await?;
        decode(&path, status, &bytes)
    }

    /// Lifts `user_id`'s timeout or ban in `channel`'s chat.
    pub async fn lift_chat_restriction(
        &self,
        id_token: &SecretString,
        channel: &str,
        user_id: &str,
    ) -> Result<()> {
        let path =
            paths::chat_restriction(&encode_query_value(channel), &encode_query_value(user_id));
        let (status, bytes) = self
            .send(
                &Call::with(Method::DELETE, path.clone()).auth(id_token),
                |r| r,
            )
            .await?;
        decode_unit(&path, status, &bytes)
    }
}
