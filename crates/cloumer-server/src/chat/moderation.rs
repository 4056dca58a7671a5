//! Timeouts and bans (the REST routes' [`ChatRooms`] seam, here over the restrictions
//! table) and the disconnect they share with a kick: a DISCONNECT_USER event to the room,
//! then every socket of that user closes.

use std::sync::Arc;

use cloumer_protocol::chat::{Attributes, ChatEvent, ServerFrame, events};

use super::ChatService;
use super::restrictions::{BANNED, Restriction};
use super::room::{Room, RoomSignal};
use crate::Result;
use crate::media::RoomRestriction;

/// Announces the disconnect of `user_id` to the room and closes their sockets. The
/// event carries `ModeratorId` (additive, not in IVS) so moderators' pages can say who
/// did it; `request_id` is the kicking frame's, when a socket asked.
pub(crate) fn disconnect(
    room: &Room,
    user_id: &str,
    reason: &str,
    moderator: &str,
    request_id: Option<&str>,
) -> Result<()> {
    let mut attributes = Attributes::new();
    attributes.insert("UserId".into(), user_id.to_owned());
    attributes.insert("Reason".into(), reason.to_owned());
    attributes.insert("ModeratorId".into(), moderator.to_owned());
    publish(
        room,
        &event(request_id, events::DISCONNECT_USER, attributes),
    )?;
    // Queued after the event, so the kicked user's sockets still receive it.
    room.publish(RoomSignal::Disconnect {
        user_id: Arc::from(user_id),
    });
    Ok(())
}

pub(crate) fn event(request_id: Option<&str>, name: &str, attributes: Attributes) -> ServerFrame {
    ServerFrame::Event(ChatEvent {
        id: super::new_id(),
        request_id: request_id.map(str::to_owned),
        event_name: name.to_owned(),
        attributes,
        send_time: super::now_rfc3339(),
    })
}

pub(crate) fn publish(room: &Room, frame: &ServerFrame) -> Result<()> {
    let text = serde_json::to_string(frame)?;
    room.publish(RoomSignal::Frame(text.into()));
    Ok(())
}

fn to_room_restriction(user_id: String, r: Restriction) -> RoomRestriction {
    RoomRestriction {
        user_id,
        until_ms: (r.until_ms != BANNED).then_some(r.until_ms),
        reason: r.reason,
    }
}

impl ChatService {
    pub(crate) fn restrict_user(
        &self,
        room: &str,
        restriction: &RoomRestriction,
        moderator: &str,
    ) -> Result<()> {
        let now_ms = super::now_millis();
        // Recorded before the sockets close, so a reconnect racing it is refused too.
        self.restrictions.set(
            room,
            &restriction.user_id,
            restriction.until_ms.unwrap_or(BANNED),
            &restriction.reason,
            now_ms,
        )?;
        disconnect(
            &self.rooms.get(room),
            &restriction.user_id,
            &restriction.reason,
            moderator,
            None,
        )
    }

    pub(crate) fn lift_user(&self, room: &str, user_id: &str) -> Result<bool> {
        self.restrictions.lift(room, user_id, super::now_millis())
    }

    pub(crate) fn room_restrictions(&self, room: &str) -> Result<Vec<RoomRestriction>> {
        Ok(self
            .restrictions
            .list(room, super::now_millis())?
            .into_iter()
            .map(|(user, r)| to_room_restriction(user, r))
            .collect())
    }

    pub(crate) fn user_restriction(
        &self,
        room: &str,
        user_id: &str,
    ) -> Result<Option<RoomRestriction>> {
        // Kicks keep only the WebSocket out (see `restrictions`), not R5.
        Ok(self
            .restrictions
            .active(room, user_id, super::now_millis())?
            .filter(|r| r.moderated)
            .map(|r| to_room_restriction(user_id.to_owned(), r)))
    }
}
