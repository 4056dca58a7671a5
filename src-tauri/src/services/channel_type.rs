//! The channel type of the backend in use (issue 20 #4), so that the engine checks the
//! broadcast against its IVS limits before connecting in every mode, whatever the UI let
//! through: R6 `channelType` for a CLOUMER account, GetChannel for the user's own IVS
//! channel. Unknown (custom RTMP, a seed backend that does not say): the engine's default.

use cloumer_engine::ChannelType;

use super::Services;
use super::audience::Source;

impl Services {
    pub(super) async fn channel_type(&self) -> Option<ChannelType> {
        let name = match self.channel_source().await? {
            Source::Ivs(channel) => channel
                .channel_type()
                .await
                .inspect_err(|e| tracing::warn!(error = %e, "no IVS channel type"))
                .ok()?,
            Source::Account(api) => {
                super::account::off_thread(move || async move { api.my_page().await })
                    .await
                    .inspect_err(|e| tracing::warn!(error = ?e, "no profile for the channel type"))
                    .ok()?
                    .channel_type?
            }
        };
        name.parse()
            .inspect_err(|e| tracing::warn!(channel_type = %name, "unknown channel type: {e}"))
            .ok()
    }
}
