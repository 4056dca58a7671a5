//! Layout and video sources changed while a session runs (issue 20 #2): saved in the
//! settings, then applied to the running sessions (live and preview) in place. The engine
//! only moves compositor inputs or swaps one source's bin, so the stream stays connected.

use cloumer_engine::VideoSources;

use super::Services;
use super::engine_map::engine_error;
use crate::error::Result;
use crate::types::{LayoutChoice, Settings};

impl Services {
    /// Saves the layout and switches the running sessions to it.
    pub async fn set_layout(&self, layout: LayoutChoice) -> Result<Settings> {
        let before = self.settings.get();
        let settings = self.settings.update(|s| s.layout = layout)?;
        self.apply_or_restore(before).await?;
        Ok(settings)
    }

    /// Saves the settings; a new screen, camera, microphone, desktop-audio device, layout
    /// or camera corner reaches the running sessions at once (the rest applies from the
    /// next start).
    pub async fn save_settings(&self, settings: Settings) -> Result<Settings> {
        let before = self.settings.get();
        let saved = self.settings.save(settings)?;
        self.apply_or_restore(before).await?;
        Ok(saved)
    }

    /// Applies the settings just saved. If the running sessions refuse them (a device that
    /// cannot be opened: the engine leaves the old source in place), the sources and layout
    /// they still use are saved back, so the settings, the sessions and the next start agree
    /// (the UI keeps showing the old choice, with the error); the rest of the change stays.
    async fn apply_or_restore(&self, before: Settings) -> Result<()> {
        let Err(refused) = self.apply_to_running().await else {
            return Ok(());
        };
        let restored = self.settings.update(|s| {
            s.sources = before.sources;
            s.pip = before.pip;
            s.layout = before.layout;
        });
        match restored {
            // A session that took the change before another refused it goes back too.
            Ok(_) => {
                if let Err(e) = self.apply_to_running().await {
                    tracing::warn!("could not return the running sessions to their sources: {e}");
                }
            }
            Err(e) => tracing::warn!("could not save the sources back: {e}"),
        }
        Err(refused)
    }

    /// Settings just saved reach the engine through the same config a start would use.
    async fn apply_to_running(&self) -> Result<()> {
        let wanted = self.session_config(None);
        for slot in [&self.broadcast.session, &self.broadcast.preview] {
            let slot = slot.lock().await;
            let Some(session) = slot.as_ref().filter(|s| !s.state().borrow().is_terminal()) else {
                continue;
            };
            let sources = VideoSources {
                screen: wanted.sources.screen.clone(),
                camera: wanted.sources.camera.clone(),
            };
            // Unchanged sources are left alone by the engine.
            session
                .set_video_sources(sources)
                .await
                .map_err(engine_error)?;
            // The same audio sources in the same order: a device chosen anew is swapped in
            // (unchanged ones are left alone). Desktop audio switched on or off changes the
            // mix itself and waits for the next start.
            if session.config().sources.audio.len() == wanted.sources.audio.len() {
                for (index, source) in wanted.sources.audio.iter().enumerate() {
                    session
                        .set_audio_device(index, source.kind.clone())
                        .await
                        .map_err(engine_error)?;
                }
            }
            session
                .set_layout(wanted.layout)
                .await
                .map_err(engine_error)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// The studio's preview session (test sources) takes a layout switch and a camera
    /// chosen while it runs: saved, applied, and the same session keeps running throughout
    /// (the engine test `layout_switch` checks the picture itself on an ingest).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn layout_and_camera_changes_reach_the_running_session_without_a_restart() {
        let dir = tempfile::tempdir().expect("temp dir");
        let services = crate::services::preview_on_test_sources(dir.path()).await;
        let (state, mut transitions) = {
            let slot = services.broadcast.preview.lock().await;
            let session = slot.as_ref().expect("preview session");
            (session.state(), session.transitions())
        };

        let saved = services
            .set_layout(LayoutChoice::BeRightBack)
            .await
            .expect("be right back");
        assert_eq!(saved.layout, LayoutChoice::BeRightBack);
        let mut with_camera = saved.clone();
        with_camera.sources.camera = Some("/dev/video-test".into());
        with_camera.layout = LayoutChoice::Pip;
        let saved = services
            .save_settings(with_camera)
            .await
            .expect("a camera added live");
        assert_eq!(saved.layout, LayoutChoice::Pip);
        assert_eq!(services.settings.get().layout, LayoutChoice::Pip);
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(state.borrow().name(), "live", "the session stopped");
        while let Ok(s) = transitions.try_recv() {
            assert_eq!(s.name(), "live", "the session changed state: {s:?}");
        }
        services.stop_preview().await;
    }

    /// A screen that cannot be opened, chosen while the preview runs: refused with the
    /// reason, the preview goes on, and the settings still name what it shows (the next
    /// start would otherwise fail on the refused screen).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_screen_that_cannot_be_opened_is_refused_and_not_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let services = crate::services::preview_on_test_sources(dir.path()).await;
        let state = {
            let slot = services.broadcast.preview.lock().await;
            slot.as_ref().expect("preview session").state()
        };
        let before = services.settings.get();

        let mut wanted = before.clone();
        wanted.sources.test_sources = false;
        wanted.sources.screen = Some(":97".into());
        wanted.quality = crate::types::QualityPreset::P1080;
        let refused = services.save_settings(wanted).await;
        let message = refused
            .expect_err("a missing X display is refused")
            .to_string();
        assert!(message.contains(":97"), "{message}");

        let now = services.settings.get();
        assert_eq!(now.sources, before.sources, "the refused screen was kept");
        // The rest of the change stays.
        assert_eq!(now.quality, crate::types::QualityPreset::P1080);
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(state.borrow().name(), "live", "the preview stopped");
        services.stop_preview().await;
    }
}
