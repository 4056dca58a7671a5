//! `Media` and `StreamKeys` on IVS: the URLs recorded on the channel row at creation,
//! stream keys read and rotated with IVS's own calls (never stored by us), StopStream.

use async_trait::async_trait;
use cloumer_protocol::rest::StreamStatus;
use cloumer_server::media::{Media, StreamKeys};

use crate::error::Error;
use crate::table::Table;

type ServerResult<T> = cloumer_server::Result<T>;

pub struct IvsMedia {
    pub ivs: aws_sdk_ivs::Client,
    pub table: Table,
}

impl IvsMedia {
    async fn row(&self, channel: &str) -> Result<crate::table::ChannelRow, Error> {
        self.table
            .channel_row(channel)
            .await?
            .ok_or_else(|| Error::Row {
                key: channel.to_owned(),
                message: "no such channel".into(),
            })
    }

    async fn arn(&self, channel: &str) -> Result<String, Error> {
        self.row(channel)
            .await?
            .channel_arn
            .ok_or_else(|| Error::Row {
                key: channel.to_owned(),
                message: "the channel has no IVS channel yet".into(),
            })
    }

    /// The ARNs of the channel's stream keys (IVS allows one per channel by default).
    async fn key_arns(&self, channel_arn: &str) -> Result<Vec<String>, Error> {
        let out = self
            .ivs
            .list_stream_keys()
            .channel_arn(channel_arn)
            .send()
            .await
            .map_err(|e| Error::service("ivs", e))?;
        Ok(out
            .stream_keys()
            .iter()
            .filter_map(|k| k.arn().map(str::to_owned))
            .collect())
    }
}

/// The secret of a stream key IVS answered with.
fn key_value(key: Option<&aws_sdk_ivs::types::StreamKey>) -> String {
    key.and_then(|k| k.value()).unwrap_or_default().to_owned()
}

#[async_trait]
impl Media for IvsMedia {
    async fn playback_url(&self, channel: &str) -> ServerResult<String> {
        Ok(self.row(channel).await?.playback_url.unwrap_or_default())
    }

    async fn ingest_url(&self, channel: &str) -> ServerResult<String> {
        let endpoint = self.row(channel).await?.ingest_endpoint.unwrap_or_default();
        Ok(format!("rtmps://{endpoint}:443/app/"))
    }

    async fn stop_stream(&self, channel: &str) -> ServerResult<()> {
        let arn = self.arn(channel).await?;
        match self.ivs.stop_stream().channel_arn(arn).send().await {
            Ok(_) => Ok(()),
            // Off the air already: what the caller wanted.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_channel_not_broadcasting()) =>
            {
                Ok(())
            }
            Err(e) => Err(Error::service("ivs", e).into()),
        }
    }

    /// GetStream as IVS answers it (the owner's health and audience while live).
    async fn stream_status(&self, channel: &str) -> ServerResult<Option<StreamStatus>> {
        let arn = self.arn(channel).await?;
        let answer = self.ivs.get_stream().channel_arn(arn).send().await;
        Ok(Some(stream_status(answer)?))
    }

    /// IVS's own count (GetStream `viewerCount`). R2 is public and lists every live
    /// channel: a count IVS cannot give (not broadcasting, throttled, not permitted) is
    /// left out rather than failing the listing.
    async fn viewer_count(&self, channel: &str) -> ServerResult<Option<u64>> {
        let arn = self.arn(channel).await?;
        match self.ivs.get_stream().channel_arn(arn).send().await {
            Ok(out) => Ok(out
                .stream()
                .and_then(|s| u64::try_from(s.viewer_count()).ok())),
            Err(e) => {
                if !e
                    .as_service_error()
                    .is_some_and(|e| e.is_channel_not_broadcasting())
                {
                    tracing::warn!(%channel, error = %Error::service("ivs", e), "no viewer count");
                }
                Ok(None)
            }
        }
    }
}

/// IVS's stream description, or `OFFLINE` when IVS answers ChannelNotBroadcasting.
fn stream_status(
    answer: Result<
        aws_sdk_ivs::operation::get_stream::GetStreamOutput,
        aws_sdk_ivs::error::SdkError<aws_sdk_ivs::operation::get_stream::GetStreamError>,
    >,
) -> Result<StreamStatus, Error> {
    let stream = match answer {
        Ok(out) => out.stream,
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_channel_not_broadcasting()) =>
        {
            None
        }
        Err(e) => return Err(Error::service("ivs", e)),
    };
    let Some(s) = stream else {
        return Ok(StreamStatus::offline(None));
    };
    Ok(StreamStatus {
        state: s.state().map_or("OFFLINE", |x| x.as_str()).to_owned(),
        health: s.health().map_or("UNKNOWN", |x| x.as_str()).to_owned(),
        viewer_count: u64::try_from(s.viewer_count()).ok(),
        start_time: s
            .start_time()
            .and_then(|t| t.fmt(aws_sdk_ivs::primitives::DateTimeFormat::DateTime).ok()),
    })
}

#[async_trait]
impl StreamKeys for IvsMedia {
    async fn stream_key(&self, channel: &str) -> ServerResult<String> {
        let arn = self.arn(channel).await?;
        let Some(key_arn) = self.key_arns(&arn).await?.into_iter().next() else {
            return Err(Error::Row {
                key: channel.to_owned(),
                message: "the IVS channel has no stream key".into(),
            }
            .into());
        };
        let out = self
            .ivs
            .get_stream_key()
            .arn(key_arn)
            .send()
            .await
            .map_err(|e| Error::service("ivs", e))?;
        Ok(key_value(out.stream_key()))
    }

    /// DeleteStreamKey then CreateStreamKey: IVS allows one key per channel, and deleting
    /// it is what makes the old key stop working.
    async fn rotate(&self, channel: &str) -> ServerResult<String> {
        let arn = self.arn(channel).await?;
        for key_arn in self.key_arns(&arn).await? {
            self.ivs
                .delete_stream_key()
                .arn(key_arn)
                .send()
                .await
                .map_err(|e| Error::service("ivs", e))?;
        }
        let out = self
            .ivs
            .create_stream_key()
            .channel_arn(arn)
            .send()
            .await
            .map_err(|e| Error::service("ivs", e))?;
        Ok(key_value(out.stream_key()))
    }
}
