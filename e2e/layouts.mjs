// Layouts switched while live (issue 20, items 2 and 8): with test sources (a ball on black
// as the screen, a green camera), the layout buttons switch picture-in-picture -> camera ->
// be right back -> screen while live, each checked on the embedded server's HLS (a frame
// grabbed with ffmpeg: the colour of the top-left region and of the camera's corner), and
// the broadcast stays live throughout (no reconnect, no restart).
import { spawnSync } from 'node:child_process';

const W = 160;
const H = 90;

/** The newest frame of the live HLS, scaled to 160x90 RGB, or null. */
function grab(url) {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-live_start_index', '-1', '-i', url, '-frames:v', '1', '-vf', `scale=${W}:${H}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { timeout: 30000, maxBuffer: 1 << 20 });
  return r.status === 0 && r.stdout.length === W * H * 3 ? r.stdout : null;
}

/** Mean colour of an 8x8 square centred on (cx, cy) of a 160x90 frame. */
function mean(rgb, cx, cy) {
  const sum = [0, 0, 0];
  for (let y = cy - 4; y < cy + 4; y++) for (let x = cx - 4; x < cx + 4; x++) for (let c = 0; c < 3; c++) sum[c] += rgb[(y * W + x) * 3 + c];
  return sum.map((s) => Math.round(s / 64));
}

/** What a region shows, as a person would name it. */
function seen([r, g, b]) {
  const near = (want) => Math.abs(r - want[0]) <= 25 && Math.abs(g - want[1]) <= 25 && Math.abs(b - want[2]) <= 25;
  if (near([30, 42, 58])) return 'card';
  if (g > 100 && r < 80 && b < 80) return 'green';
  if (r < 25 && g < 25 && b < 25) return 'black';
  return `rgb(${r},${g},${b})`;
}

/** (top-left region, camera corner): the 1280x720 canvas' default corner is bottom right. */
const regions = (rgb) => [seen(mean(rgb, 12, 10)), seen(mean(rgb, 137, 75))];

export async function run({ wd, step, invoke, assert }) {
  const stateOf = async () => (await wd.text(await wd.find('live-state'))).trim();
  // Settings changed behind the window's back: the window reads them again.
  const reload = async () => {
    await wd.script('location.reload()');
    await new Promise((r) => setTimeout(r, 1000));
    await wd.until('the studio again', () => wd.find('layout-pip'), 30000);
  };
  const pressed = async (id) => (await wd.attribute(await wd.find(id), 'aria-pressed')) === 'true';

  await step('layouts: switched while live, each checked on the ingest', async () => {
    const settings = await invoke('get_settings');
    // A camera chosen with test sources is the green test camera.
    await invoke('save_settings', { settings: { ...settings, layout: 'pip', sources: { ...settings.sources, camera: 'e2e-camera' } } });
    await reload();
    await wd.click(await wd.find('go-live'));
    await wd.until('live', async () => (await stateOf()) === 'live', 90000);
    const url = String(await wd.property(await wd.find('playback-url'), 'textContent')).trim();
    let states = new Set();
    const steps = [
      ['layout-pip', ['black', 'green']],
      ['layout-camera', ['green', 'green']],
      ['layout-brb', ['card', 'card']],
      ['layout-screen', ['black', 'black']],
    ];
    for (const [id, wanted] of steps) {
      await wd.click(await wd.find(id));
      await wd.until(`${id} pressed`, () => pressed(id), 10000);
      let last = null;
      await wd
        .until(`${id} on the ingest`, async () => {
          states.add(await stateOf());
          const rgb = grab(url);
          last = rgb ? regions(rgb) : 'no frame';
          return Array.isArray(last) && last[0] === wanted[0] && last[1] === wanted[1];
        }, 45000)
        .catch((e) => {
          throw new Error(`${e.message}: the ingest shows ${JSON.stringify(last)}, wanted ${JSON.stringify(wanted)}`);
        });
      console.log(`     ${id}: ${JSON.stringify(last)} on the ingest`);
    }
    states = [...states];
    assert(states.length === 1 && states[0] === 'live', `the broadcast left "live" while switching: ${states.join(', ')}`);
    await wd.click(await wd.find('stop-live'));
    await wd.until('stopped', async () => (await stateOf()) === 'stopped', 60000);
    // Later steps expect the first run's sources and layout.
    await invoke('save_settings', { settings: { ...(await invoke('get_settings')), layout: 'pip', sources: { ...settings.sources } } });
    await reload();
  });
}
