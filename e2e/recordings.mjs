// Local recordings in the studio (issue 20, items 5 and 8): the broadcast earlier in the run
// was recorded too ("Record while live" is on by default), and "Record only" makes a
// playable file without a stream; both are listed in the panel.
import { spawnSync } from 'node:child_process';

/**
 * ffprobe's streams of a file, as "codec_type:codec_name" strings, and how long its video
 * lasts in frames (streamable Matroska, being crash-safe, has no duration in its header).
 */
function probeFile(path) {
  const r = spawnSync('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=codec_type,codec_name,nb_read_packets', '-of', 'json', path], { timeout: 30000 });
  if (r.status !== 0) throw new Error(`ffprobe ${path}: ${r.stderr}`);
  const streams = JSON.parse(r.stdout.toString()).streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video');
  return { streams: streams.map((s) => `${s.codec_type}:${s.codec_name}`), frames: Number(video?.nb_read_packets ?? 0) };
}

export async function run({ wd, step, invoke, assert }) {
  const stateOf = async () => (await wd.attribute(await wd.find('live-state'), 'data-state')) ?? (await wd.text(await wd.find('live-state'))).trim();

  await step('recordings: the broadcast was recorded while live', async () => {
    const list = await invoke('list_recordings');
    assert(list.length >= 1, 'no recording of the broadcast');
    const { streams } = probeFile(list[0].path);
    assert(streams.includes('video:h264') && streams.includes('audio:aac'), `the recording has ${streams.join(', ')}`);
    await wd.until('the list in the panel', async () => (await wd.findAll('[data-testid="recording-item"]')).length >= 1);
  });

  await step('recordings: "Record only" makes a playable file, no stream', async () => {
    const before = (await invoke('list_recordings')).length;
    await wd.click(await wd.find('record-only'));
    await wd.until('recording', async () => (await stateOf()) === 'live', 60000);
    await new Promise((r) => setTimeout(r, 4000));
    await wd.click(await wd.find('stop-live'));
    await wd.until('stopped', async () => (await stateOf()) === 'stopped', 30000);
    const items = await wd.until('the new file in the panel', async () => {
      const rows = await wd.findAll('[data-testid="recording-item"]');
      return rows.length > before ? rows : null;
    });
    const list = await invoke('list_recordings');
    const { streams, frames } = probeFile(list[0].path);
    assert(streams.includes('video:h264') && streams.includes('audio:aac'), `the recording has ${streams.join(', ')}`);
    // About 4 s at 30 fps.
    assert(frames >= 60, `the recording has ${frames} video frames`);
    assert(items.length === list.length, `the panel lists ${items.length}, the folder has ${list.length}`);
  });
}
