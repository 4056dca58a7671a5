//! `ChatRooms` on IVS Chat: CreateChatToken for the channel's room; timeouts and bans kept
//! in the table ([`crate::bans`]) with IVS Chat's DisconnectUser.

use async_trait::async_trait;
use aws_sdk_ivschat::types::ChatTokenCapability;
use cloumer_protocol::chat::Capability;
use cloumer_protocol::rest::ChatTokenResponse;
use cloumer_server::media::{ChatGrant, ChatRooms, RoomRestriction};

use crate::error::Error;
use crate::table::Table;

pub struct IvsChat {
    pub ivschat: aws_sdk_ivschat::Client,
    pub table: Table,
}

fn capability(c: &Capability) -> ChatTokenCapability {
    match c {
        Capability::SendMessage => ChatTokenCapability::SendMessage,
        Capability::DeleteMessage => ChatTokenCapability::DeleteMessage,
        Capability::DisconnectUser => ChatTokenCapability::DisconnectUser,
    }
}

fn rfc3339(t: Option<&aws_sdk_ivschat::primitives::DateTime>) -> Option<String> {
    t.and_then(|t| {
        t.fmt(aws_sdk_ivschat::primitives::DateTimeFormat::DateTime)
            .ok()
    })
}

impl IvsChat {
    async fn room_arn(&self, room: &str) -> Result<String, Error> {
        self.table
            .channel_row(room)
            .await?
            .and_then(|r| r.room_arn)
            .ok_or_else(|| Error::Row {
                key: room.to_owned(),
                message: "the channel has no IVS Chat room".into(),
            })
    }
}

#[async_trait]
impl ChatRooms for IvsChat {
    async fn mint_token(&self, grant: ChatGrant) -> cloumer_server::Result<ChatTokenResponse> {
        let room_arn = self.room_arn(&grant.room).await?;
        let out = self
            .ivschat
            .create_chat_token()
            .room_identifier(room_arn)
            .user_id(grant.user_id)
            .set_capabilities(Some(grant.capabilities.iter().map(capability).collect()))
            .session_duration_in_minutes(grant.session_duration_minutes as i32)
            .set_attributes(Some(grant.attributes.into_iter().collect()))
            .send()
            .await
            .map_err(|e| Error::service("ivschat", e))?;
        Ok(ChatTokenResponse {
            token: out.token().map(str::to_owned),
            session_expiration_time: rfc3339(out.session_expiration_time()),
            token_expiration_time: rfc3339(out.token_expiration_time()),
        })
    }

    async fn restrict(
        &self,
        room: &str,
        restriction: &RoomRestriction,
        _moderator: &str,
    ) -> cloumer_server::Result<()> {
        let room_arn = self.room_arn(room).await?;
        // Stored first, so the tokens R5 mints from now on are refused before IVS closes
        // the user's connections.
        crate::bans::put(&self.table, room, restriction).await?;
        let mut disconnect = self
            .ivschat
            .disconnect_user()
            .room_identifier(room_arn)
            .user_id(&restriction.user_id);
        if !restriction.reason.is_empty() {
            disconnect = disconnect.reason(&restriction.reason);
        }
        disconnect
            .send()
            .await
            .map_err(|e| Error::service("ivschat", e))?;
        Ok(())
    }

    async fn lift(&self, room: &str, user_id: &str) -> cloumer_server::Result<bool> {
        Ok(crate::bans::lift(&self.table, room, user_id).await?)
    }

    async fn restrictions(&self, room: &str) -> cloumer_server::Result<Vec<RoomRestriction>> {
        Ok(crate::bans::list(&self.table, room).await?)
    }

    async fn restriction(
        &self,
        room: &str,
        user_id: &str,
    ) -> cloumer_server::Result<Option<RoomRestriction>> {
        Ok(crate::bans::get(&self.table, room, user_id).await?)
    }
}
