// Sources in the studio (issue 20, items 1, 3, 4 and 8), checked where a viewer would
// notice: on the embedded ingest's HLS.
// - Monitors: two RandR monitors are added to the running display (xrandr --setmonitor);
//   the screen list shows them without a restart (the device watcher), and going live with
//   the right one sends that monitor (a red window fills it: the ingest's picture is red).
// - Sound outputs: a null sink loaded with pactl is offered as desktop audio at once, and
//   goes when unloaded.
// - Mute: live with the test tone, the microphone muted -> the ingest's audio is silent and
//   the studio says so (mic-muted-indicator); unmuted -> the tone is back.
// - Presets: the channel made BASIC (the embedded server's database, as an operator of
//   `cloumer serve --channel-type BASIC` would have it) refuses 1080p30 before connecting.
// (Record only making a playable file is checked in recordings.mjs.)
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { studioHelpers } from './studio.mjs';

const HALF = 720; // e2e/run.sh's display is 1440x900: two monitors of 720x900
const sh = (cmd, args) => {
  const r = spawnSync(cmd, args, { timeout: 30000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.toString();
};

/** The newest HLS segment's audio loudness (volumedetect's max_volume, dB). */
function latestMaxVolume(url) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-live_start_index', '-1', '-i', url, '-t', '1.5', '-map', '0:a:0', '-af', 'volumedetect', '-f', 'null', '-'], { timeout: 30000 });
  const db = /max_volume: (-?[\d.]+|-inf) dB/.exec(r.stderr.toString())?.[1];
  if (db === undefined) throw new Error(`no audio level from ${url}: ${r.stderr.toString().slice(-400)}`);
  return db === '-inf' ? -Infinity : Number(db);
}

/**
 * The mean colour [r, g, b] of the middle of the newest HLS segment's first picture (a
 * 720x900 monitor in a 16:9 picture is pillarboxed: only its middle is the monitor).
 */
function middleColour(url) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-live_start_index', '-1', '-i', url, '-frames:v', '1', '-vf', 'scale=16:9', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { timeout: 30000 });
  const px = r.stdout;
  if (r.status !== 0 || px.length !== 16 * 9 * 3) throw new Error(`no picture from ${url}: ${r.stderr}`);
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = 3; y < 6; y++)
    for (let x = 6; x < 10; x++, n++) for (let c = 0; c < 3; c++) sum[c] += px[(y * 16 + x) * 3 + c];
  return sum.map((v) => Math.round(v / n));
}

/** Sets the embedded server's channels to `type` (the app must not be running). */
function setChannelType(type) {
  const data = process.env.XDG_DATA_HOME ?? join(process.env.HOME, '.local/share');
  const db = join(data, 'cloumer-studio/local-server/cloumer.sqlite3');
  const script = 'import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nc.execute("UPDATE channels SET channel_type = ?", (sys.argv[2],))\nc.commit()';
  sh('python3', ['-c', script, db, type]);
}

export async function run({ wd, step, shot, invoke, assert, bin }) {
  const { textOf } = studioHelpers(wd);
  const stateOf = async () => (await wd.attribute(await wd.find('live-state'), 'data-state')) ?? (await textOf('live-state'));
  const playback = async () => String(await wd.property(await wd.find('playback-url'), 'textContent')).trim();
  const choose = async (testid, value) => {
    const [option] = await wd.findAll(`[data-testid="${testid}"] option[value="${value}"]`);
    assert(option, `no option ${value} in ${testid}`);
    await wd.click(option);
    await wd.until(`${testid} = ${value}`, async () => (await wd.property(await wd.find(testid), 'value')) === value);
  };
  const setChecked = async (testid, checked) => {
    const box = await wd.find(testid);
    if ((await wd.property(box, 'checked')) !== checked) await wd.click(box);
    await wd.until(`${testid} ${checked ? 'on' : 'off'}`, async () => (await invoke('get_settings')).sources.testSources === checked);
  };
  const goLive = async () => {
    await wd.click(await wd.find('go-live'));
    await wd.until('live', async () => (await stateOf()) === 'live', 90000);
  };
  const stop = async () => {
    await wd.click(await wd.find('stop-live'));
    await wd.until('stopped', async () => (await stateOf()) === 'stopped', 60000);
  };

  await step('sources: monitors added while the studio runs are listed; live with one sends it', async () => {
    const display = process.env.DISPLAY;
    sh('xrandr', ['--setmonitor', 'cloumer-left', `${HALF}/190x900/240+0+0`, 'none']);
    sh('xrandr', ['--setmonitor', 'cloumer-right', `${HALF}/190x900/240+${HALF}+0`, 'none']);
    // A red picture over the whole right monitor, above the studio's window.
    const red = spawn('display', ['-size', `${HALF}x900`, '-geometry', `+${HALF}+0`, 'xc:red'], { stdio: 'ignore' });
    try {
      const right = await wd.until(
        'the right monitor in the screen list (no restart)',
        async () => {
          for (const option of await wd.findAll('[data-testid="screen-source"] option')) {
            const value = await wd.property(option, 'value');
            if (value.startsWith(`${display}#monitor=`) && (await wd.text(option)).includes('cloumer-right')) return value;
          }
          return null;
        },
        15000,
      );
      await choose('screen-source', right);
      await setChecked('test-sources', false);
      await shot('sources-monitor');
      await goLive();
      const url = await playback();
      const colour = await wd.until(
        'a red picture at the ingest',
        async () => {
          const [r, g, b] = middleColour(url);
          return r > 180 && g < 80 && b < 80 ? [r, g, b] : null;
        },
        60000,
      );
      console.log(`     ingest picture of the right monitor (middle): rgb(${colour.join(', ')})`);
      await stop();
    } finally {
      red.kill();
      spawnSync('xrandr', ['--delmonitor', 'cloumer-left']);
      spawnSync('xrandr', ['--delmonitor', 'cloumer-right']);
    }
    // Back to the display and the test sources for the steps after this one.
    await choose('screen-source', '');
    await setChecked('test-sources', true);
    await wd.until(
      'the monitors gone from the list',
      async () => {
        const values = await Promise.all((await wd.findAll('[data-testid="screen-source"] option')).map((o) => wd.property(o, 'value')));
        return !values.some((v) => v.includes('#monitor='));
      },
      15000,
    );
  });

  await step('sources: a sound output loaded while the studio runs is offered as desktop audio', async () => {
    const box = await wd.find('desktop-audio');
    await wd.click(box);
    await wd.until('desktop audio on', async () => (await invoke('get_settings')).sources.desktopAudio);
    const monitors = async () => Promise.all((await wd.findAll('[data-testid="desktop-audio-device"] option')).map((o) => wd.property(o, 'value')));
    const module = sh('pactl', ['load-module', 'module-null-sink', 'sink_name=e2e_hdmi', 'sink_properties=device.description=E2E-HDMI']).trim();
    try {
      await wd.until('the new output\'s monitor in the list (no restart)', async () => (await monitors()).includes('e2e_hdmi.monitor'), 15000);
      await shot('sources-new-output');
    } finally {
      sh('pactl', ['unload-module', module]);
    }
    await wd.until('the monitor gone from the list', async () => !(await monitors()).includes('e2e_hdmi.monitor'), 15000);
    await wd.click(await wd.find('desktop-audio'));
    await wd.until('desktop audio off', async () => !(await invoke('get_settings')).sources.desktopAudio);
  });

  await step('sources: the microphone muted live is silent at the ingest', async () => {
    await goLive();
    const url = await playback();
    const heard = await wd.until('the tone at the ingest', async () => { const db = latestMaxVolume(url); return db > -30 ? db : null; }, 60000);
    assert((await wd.findAll('[data-testid="mic-muted-indicator"]')).length === 0, 'muted shown before muting');
    await wd.click(await wd.find('mic-mute'));
    await wd.until('the muted indicator', async () => (await textOf('mic-muted-indicator')).length > 0, 10000);
    await shot('sources-mic-muted');
    const silent = await wd.until('silence at the ingest', async () => { const db = latestMaxVolume(url); return db <= -80 ? db : null; }, 60000);
    await wd.click(await wd.find('mic-mute'));
    await wd.until('no muted indicator', async () => (await wd.findAll('[data-testid="mic-muted-indicator"]')).length === 0, 10000);
    const back = await wd.until('the tone back at the ingest', async () => { const db = latestMaxVolume(url); return db > -30 ? db : null; }, 60000);
    console.log(`     ingest audio: ${heard} dB, muted ${silent} dB, unmuted ${back} dB`);
    await stop();
  });

  await step('sources: a BASIC channel refuses 1080p30 before connecting', async () => {
    await choose('quality', '1080p30');
    const restart = async () => {
      await wd.quit();
      await new Promise((r) => setTimeout(r, 1000));
    };
    await restart();
    setChannelType('BASIC');
    await wd.start({ 'tauri:options': { application: bin } });
    try {
      const refusal = await wd.until('preset-refused', async () => (await textOf('preset-refused')) || null, 60000);
      assert(/BASIC/.test(refusal) && /720p30/.test(refusal), `the refusal names the type and what to choose: ${refusal}`);
      assert((await wd.property(await wd.find('go-live'), 'disabled')) === true, 'Go live must be disabled');
      await shot('sources-preset-refused');
      await choose('quality', '720p30');
      await wd.until('no refusal at 720p30', async () => (await wd.findAll('[data-testid="preset-refused"]')).length === 0);
    } finally {
      await restart();
      setChannelType('STANDARD');
      await wd.start({ 'tauri:options': { application: bin } });
    }
    await wd.until('studio again', () => wd.find('title-input'), 90000);
  });
}
