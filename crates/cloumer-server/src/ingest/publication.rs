//! A publish in progress: claiming the channel, the recording and HLS outputs, the media
//! that flows into them, and finishing (always: Stream End must be recorded however the
//! connection ends).

use std::sync::Arc;

use tokio::io::{AsyncWriteExt, BufWriter};
use tokio::sync::Notify;

use super::activity::Activity;
use super::hls::HlsPipeline;
use super::limits::LimitCheck;
use super::{ChannelGrant, IngestContext, Outputs, flv};
use crate::{Error, Result};

pub(crate) struct Publication {
    pub channel: String,
    pub session_id: String,
    /// `None` with [`Outputs::Discard`].
    recording: Option<BufWriter<tokio::fs::File>>,
    hls: Option<HlsPipeline>,
    pub limits: LimitCheck,
    /// Notified to end this publish from outside (stream-key rotation, StopStream).
    pub stop: Arc<Notify>,
    /// Start and last media, for GetStream's health.
    activity: Arc<Activity>,
}

/// Claims the channel and opens the recording and the HLS pipeline.
pub(crate) async fn begin(
    grant: &ChannelGrant,
    context: &IngestContext,
) -> Result<Publication, String> {
    let stop = Arc::new(Notify::new());
    let activity = Arc::new(Activity::default());
    if !context.claim(&grant.channel, stop.clone(), activity.clone()) {
        return Err("the channel already has a publisher".into());
    }
    match open_outputs(grant, context, stop, activity).await {
        Ok(publication) => {
            context
                .hooks
                .stream_started(&publication.channel, &publication.session_id)
                .await;
            tracing::info!(channel = %grant.channel, session = %publication.session_id, "stream started");
            Ok(publication)
        }
        Err(e) => {
            context.release(&grant.channel);
            Err(format!("cannot open outputs: {e}"))
        }
    }
}

async fn open_outputs(
    grant: &ChannelGrant,
    context: &IngestContext,
    stop: Arc<Notify>,
    activity: Arc<Activity>,
) -> Result<Publication> {
    let session_id = uuid::Uuid::new_v4().simple().to_string();
    let (recording, hls) = match context.outputs {
        Outputs::Files => {
            let recordings = context.data_dir.join("recordings").join(&grant.channel);
            tokio::fs::create_dir_all(&recordings).await?;
            let file =
                tokio::fs::File::create(recordings.join(format!("{session_id}.flv"))).await?;
            let mut recording = BufWriter::with_capacity(256 * 1024, file);
            recording.write_all(&flv::header()).await?;
            let hls_dir = context.data_dir.join("hls").join(&grant.channel);
            let hls = tokio::task::spawn_blocking(move || HlsPipeline::start(&hls_dir))
                .await
                .map_err(|e| Error::Ingest(format!("HLS start task: {e}")))??;
            hls.push(flv::header());
            (Some(recording), Some(hls))
        }
        Outputs::Discard => (None, None),
    };
    Ok(Publication {
        channel: grant.channel.clone(),
        session_id,
        recording,
        hls,
        limits: LimitCheck::new(grant.channel_type),
        stop,
        activity,
    })
}

impl Publication {
    /// Records one audio or video message and hands it to HLS; `Err(reason)` when the input
    /// goes over the channel's limits.
    pub async fn media(
        &mut self,
        kind: u8,
        timestamp: u32,
        data: &[u8],
    ) -> Result<Result<(), String>> {
        if let Err(reason) = self.limits.bytes(data.len()) {
            return Ok(Err(reason));
        }
        self.activity.media();
        let tag = flv::tag(kind, timestamp, data);
        if let Some(recording) = &mut self.recording {
            recording.write_all(&tag).await?;
        }
        if let Some(hls) = &self.hls {
            if let Some(error) = hls.error() {
                tracing::error!(channel = %self.channel, %error, "HLS pipeline failed; recording continues");
                // Dropping it stops it (a blocking state change): off the async workers.
                if let Some(failed) = self.hls.take() {
                    tokio::task::spawn_blocking(move || drop(failed));
                }
            } else {
                hls.push(tag);
            }
        }
        Ok(Ok(()))
    }

    /// Flushes the recording, finalizes HLS, frees the channel and reports Stream End.
    pub async fn finish(mut self, context: &IngestContext) {
        if let Some(recording) = &mut self.recording
            && let Err(e) = recording.flush().await
        {
            tracing::error!(channel = %self.channel, error = %e, "recording flush failed");
        }
        if let Some(hls) = self.hls.take() {
            let _ = tokio::task::spawn_blocking(move || hls.finish()).await;
        }
        context.release(&self.channel);
        context
            .hooks
            .stream_ended(&self.channel, &self.session_id)
            .await;
        tracing::info!(channel = %self.channel, session = %self.session_id, "stream ended");
    }
}
