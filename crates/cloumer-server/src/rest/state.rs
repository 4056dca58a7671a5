//! What the REST handlers run over: one implementation of each seam, chosen by the home
//! (`cloumer serve` or the AWS Lambda).

use std::sync::Arc;

use crate::identity::Identify;
use crate::media::{ChatRooms, Media, StreamKeys};
use crate::store::{AvatarStore, ChannelStore, ModeratorStore};

pub struct RestState {
    pub channels: Arc<dyn ChannelStore>,
    pub moderators: Arc<dyn ModeratorStore>,
    pub avatars: Arc<dyn AvatarStore>,
    pub chat: Arc<dyn ChatRooms>,
    /// Playback and ingest URLs, StopStream (the local ingest, or IVS).
    pub media: Arc<dyn Media>,
    pub stream_keys: Arc<dyn StreamKeys>,
    pub identity: Arc<dyn Identify>,
    /// Where avatar files are served from, without a trailing slash: an avatar's URL is
    /// `<avatar_base_url>/<file>`.
    pub avatar_base_url: String,
}

impl RestState {
    /// The public URL of an avatar file, or of the default image.
    pub fn avatar_url(&self, file: Option<&str>) -> String {
        format!(
            "{}/{}",
            self.avatar_base_url,
            file.unwrap_or(super::avatar::DEFAULT_AVATAR)
        )
    }
}

pub type SharedRest = Arc<RestState>;
