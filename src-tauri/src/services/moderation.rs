//! Moderation of the open chat room beyond delete and kick: timeouts, bans, the room's
//! moderators (the open channel's, not always one's own), and the channels the user
//! moderates. Each is one `cloumer-api` call under the signed-in session.

use super::Services;
use super::account::off_thread;
use crate::error::{AppError, Result};
use crate::types::{ChatRestrictionInfo, ModeratorInfo};
use cloumer_api::rest::Restriction;
use cloumer_protocol::rest::{ChatRestriction, Moderator};

fn moderator_info(list: Vec<Moderator>) -> Vec<ModeratorInfo> {
    list.into_iter()
        .map(|m| ModeratorInfo {
            channel: m.chanel_name,
            nickname: m.nickname,
        })
        .collect()
}

fn restriction_info(r: ChatRestriction) -> ChatRestrictionInfo {
    ChatRestrictionInfo {
        user_id: r.user_id,
        until: r.until,
        reason: r.reason,
    }
}

impl Services {
    async fn open_room(&self) -> Result<String> {
        self.chat
            .channel
            .lock()
            .await
            .clone()
            .ok_or_else(|| AppError::Chat {
                message: "open a chat first".into(),
            })
    }

    /// Times out (`seconds`) or bans (`None`) `user_id` in the open room.
    pub async fn chat_restrict(
        &self,
        user_id: String,
        seconds: Option<u64>,
    ) -> Result<ChatRestrictionInfo> {
        let api = self.signed_in().await?;
        let channel = self.open_room().await?;
        let restriction = seconds.map_or(Restriction::Ban, Restriction::Timeout);
        let r = off_thread(move || async move {
            let rest = api.rest();
            api.session()
                .authorized(async |t| {
                    rest.restrict_chat_user(&t, &channel, &user_id, restriction, "")
                        .await
                })
                .await
        })
        .await?;
        Ok(restriction_info(r))
    }

    pub async fn chat_lift(&self, user_id: String) -> Result<Vec<ChatRestrictionInfo>> {
        let api = self.signed_in().await?;
        let channel = self.open_room().await?;
        off_thread(move || async move {
            let rest = api.rest();
            api.session()
                .authorized(async |t| rest.lift_chat_restriction(&t, &channel, &user_id).await)
                .await
        })
        .await?;
        self.chat_restrictions().await
    }

    pub async fn chat_restrictions(&self) -> Result<Vec<ChatRestrictionInfo>> {
        let api = self.signed_in().await?;
        let channel = self.open_room().await?;
        let list = off_thread(move || async move {
            let rest = api.rest();
            api.session()
                .authorized(async |t| rest.chat_restrictions(&t, &channel).await)
                .await
        })
        .await?;
        Ok(list.into_iter().map(restriction_info).collect())
    }

    /// The open room's moderators.
    pub async fn chat_moderators(&self) -> Result<Vec<ModeratorInfo>> {
        let api = self.signed_in().await?;
        let channel = self.open_room().await?;
        let list = off_thread(move || async move {
            let rest = api.rest();
            api.session()
                .authorized(async |t| rest.moderators_of(&t, &channel).await)
                .await
        })
        .await?;
        Ok(moderator_info(list))
    }

    /// Adds or removes a moderator of the open room (its owner only: the server says 403
    /// to others).
    pub async fn chat_set_moderator(
        &self,
        moderator: String,
        on: bool,
    ) -> Result<Vec<ModeratorInfo>> {
        let api = self.signed_in().await?;
        let channel = self.open_room().await?;
        let moderator = moderator.trim().to_owned();
        let list = off_thread(move || async move {
            let rest = api.rest();
            api.session()
                .authorized(async |t| rest.set_moderator_of(&t, &channel, &moderator, on).await)
                .await
        })
        .await?;
        Ok(moderator_info(list))
    }

    /// The channels the user moderates.
    pub async fn moderated_channels(&self) -> Result<Vec<ModeratorInfo>> {
        let api = self.signed_in().await?;
        let list = off_thread(move || async move {
            let rest = api.rest();
            api.session()
                .authorized(async |t| rest.moderated_channels(&t).await)
                .await
        })
        .await?;
        Ok(moderator_info(list))
    }
}
