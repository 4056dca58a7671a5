//! What the desktop app shows: the live preview (small JPEGs, >= 15 fps) and one level
//! meter per audio source, both only with `BroadcastConfig::preview`.

mod support;

use std::time::Duration;

use cloumer_engine::{PipelineBuilder, ScreenSource, SessionHandle, names};
use cloumer_testkit::probe;
use gst::prelude::*;
use support::{config, distinct_frame_rate, first_frame, wait_running};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_frames_arrive_at_15_fps_as_small_jpegs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let recording = dir.path().join("with-preview.mkv");
    let handle = SessionHandle::spawn(config(true, Some(&recording))).expect("spawn");
    let mut preview = handle.preview();
    wait_running(&handle).await;
    first_frame(&mut preview).await;

    let (fps, frame) = distinct_frame_rate(&mut preview, Duration::from_secs(4)).await;
    assert!(fps >= 14.0, "preview at {fps:.1} fps");
    assert!(fps <= 16.5, "preview over its 15 fps cap: {fps:.1} fps");
    assert_eq!((frame.width, frame.height), (480, 270), "{frame:?}");

    assert!(
        frame.jpeg.starts_with(&[0xFF, 0xD8]),
        "no JPEG start marker"
    );
    assert!(frame.jpeg.len() < 100_000, "{} bytes", frame.jpeg.len());
    let jpeg = dir.path().join("frame.jpg");
    std::fs::write(&jpeg, &frame.jpeg).expect("write");
    let decoded = probe::stream(&jpeg, "video").expect("ffprobe decodes the frame");
    assert_eq!(decoded["codec_name"], "mjpeg", "{decoded}");
    assert_eq!(decoded["width"], 480, "{decoded}");
    assert_eq!(decoded["height"], 270, "{decoded}");

    assert_eq!(handle.stop().await.name(), "stopped");
    // The preview branch did not disturb the encoded output.
    let frames = probe::decoded_video_frames(&recording).expect("recording decodes");
    assert!(frames >= 90, "{frames} frames recorded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn levels_follow_the_tones_and_read_silence_when_muted() {
    // No output at all: the studio before going live.
    let handle = SessionHandle::spawn(config(true, None)).expect("a preview-only session");
    let mut levels = handle.audio_levels();
    assert_eq!(levels.borrow().len(), 2);
    wait_running(&handle).await;

    let loud = |l: &cloumer_engine::AudioLevel| l.rms_db > -30.0 && l.peak_db > -30.0;
    tokio::time::timeout(
        Duration::from_secs(10),
        levels.wait_for(|l| l.iter().all(loud)),
    )
    .await
    .unwrap_or_else(|_| panic!("both tones audible: {:?}", handle.audio_levels().borrow()))
    .expect("levels channel");
    let first = handle.audio_levels().borrow()[0].clone();
    assert_eq!(first.source, "test-tone");
    assert!(
        first.peak_db <= 0.0 && first.peak_db >= first.rms_db,
        "{first:?}"
    );

    handle
        .set_audio_volume(0, 1.0, true)
        .await
        .expect("mute the first tone");
    tokio::time::timeout(
        Duration::from_secs(5),
        levels.wait_for(|l| l[0].rms_db < -60.0 && l[0].peak_db < -60.0),
    )
    .await
    .unwrap_or_else(|_| panic!("muted source silent: {:?}", handle.audio_levels().borrow()))
    .expect("levels channel");
    // Give the meters a few more intervals: the muted one stays silent, the other loud.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let now = handle.audio_levels().borrow().clone();
    assert!(now[0].rms_db < -60.0, "{now:?}");
    assert!(loud(&now[1]), "{now:?}");

    assert_eq!(handle.stop().await.name(), "stopped");
}

#[test]
fn without_preview_there_is_no_preview_branch_and_no_meter() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = config(false, Some(&dir.path().join("x.mkv")));
    let built = PipelineBuilder::new(&plain).build().expect("build");
    for name in [names::CANVAS_TEE, names::PREVIEW_SINK] {
        assert!(built.pipeline.by_name(name).is_none(), "{name} built");
    }
    assert!(built.pipeline.by_name(&names::audio_level(0)).is_none());

    let with = config(true, Some(&dir.path().join("y.mkv")));
    let built = PipelineBuilder::new(&with).build().expect("build");
    for name in [names::CANVAS_TEE, names::PREVIEW_SINK, names::VIDEO_ENCODER] {
        assert!(built.pipeline.by_name(name).is_some(), "no {name}");
    }
    assert!(built.pipeline.by_name(&names::audio_level(1)).is_some());
}

#[test]
fn no_output_is_allowed_only_with_a_preview() {
    let err = SessionHandle::spawn(config(false, None)).expect_err("nothing to do");
    assert_eq!(err.kind(), "config");
    let with = config(true, None);
    let built = PipelineBuilder::new(&with)
        .build()
        .expect("preview-only build");
    assert!(
        built.pipeline.by_name(names::VIDEO_ENCODER).is_none(),
        "encodes for nobody"
    );
    assert!(!built.streaming && !built.recording);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_frames_are_made_while_nobody_watches() {
    // Preview only: the studio before going live, window hidden then shown again.
    let handle = SessionHandle::spawn(config(true, None)).expect("spawn");
    let subscriber = handle.preview_subscriber();
    wait_running(&handle).await;
    let first = |mut rx: tokio::sync::watch::Receiver<Option<cloumer_engine::PreviewFrame>>| async move {
        tokio::time::timeout(Duration::from_secs(10), rx.wait_for(Option::is_some))
            .await
            .expect("a preview frame within 10 s")
            .expect("preview channel")
            .clone()
            .expect("a frame")
    };
    let before = first(subscriber.subscribe())
        .await
        .pts
        .expect("timestamped");

    // Nobody subscribed for 1.5 s: had the branch gone on making frames (15 a second), the
    // latest one would be about 1.5 s newer than the one seen before.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut rx = subscriber.subscribe();
    let kept = rx
        .borrow_and_update()
        .as_ref()
        .and_then(|f| f.pts)
        .expect("the last frame");
    assert!(
        kept.saturating_sub(before) < Duration::from_millis(500),
        "frames were made while nobody watched: {before:?} then {kept:?}"
    );

    // Watching again: new frames flow.
    tokio::time::timeout(
        Duration::from_secs(5),
        rx.wait_for(|f| f.as_ref().and_then(|f| f.pts) > Some(kept + Duration::from_millis(500))),
    )
    .await
    .expect("new frames within 5 s")
    .expect("preview channel");
    // ...at the preview's rate, not faster: a rate limiter that counted the frames it never
    // saw while nobody watched would let every canvas frame through until it caught up.
    let (fps, _) = distinct_frame_rate(&mut rx, Duration::from_secs(2)).await;
    assert!(fps <= 16.5, "after a pause the preview ran at {fps:.1} fps");
    drop(subscriber);
    assert_eq!(handle.stop().await.name(), "stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_still_picture_is_sent_once_not_fifteen_times_a_second() {
    let mut still = config(true, None);
    // (Not smpte: its corner of snow changes every frame.)
    still.sources.screen = Some(ScreenSource::TestPattern {
        pattern: "pinwheel".into(),
    });
    let handle = SessionHandle::spawn(still).expect("spawn");
    let mut preview = handle.preview();
    wait_running(&handle).await;
    first_frame(&mut preview).await;
    // Let the start settle (the first canvas frames may differ), then expect silence.
    tokio::time::sleep(Duration::from_millis(500)).await;
    preview.borrow_and_update();
    let again = tokio::time::timeout(Duration::from_millis(1500), preview.changed()).await;
    assert!(again.is_err(), "the same picture was sent again");
    assert_eq!(handle.stop().await.name(), "stopped");
}
