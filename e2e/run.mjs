#!/usr/bin/env node
// End-to-end check of the real Cloumer Studio binary through tauri-driver + WebKitWebDriver.
// Try it locally (one click, no form) -> title -> avatar -> go live (test sources; the embedded
// server's HLS is probed with ffprobe) -> chat send / HTML as text / delete -> stop.
// Screenshots of each screen go to docs/screenshots/.
//
// Run it through e2e/run.sh, which builds the app and prepares the private desktop this
// expects (DISPLAY on Xvfb, PulseAudio, HOME/XDG_* in a fresh temp dir, E2E_WORK, STUDIO_BIN).
// Exits 1 on any failed step, 2 when the environment is not what it needs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { WebDriver } from './webdriver.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shots = join(root, 'docs/screenshots');
const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).stdout.toString().trim();

function broken(reason) {
  console.error(`e2e: ${reason}`);
  process.exit(2);
}

const bin = process.env.STUDIO_BIN;
const work = process.env.E2E_WORK;
if (!bin || !work || !process.env.DISPLAY) broken('run me through e2e/run.sh (STUDIO_BIN, E2E_WORK and DISPLAY unset)');
if (!existsSync(bin)) broken(`no app binary at ${bin}`);
const driverBin = which('tauri-driver') || broken('tauri-driver is missing: cargo install tauri-driver --locked');
const nativeDriver = which('WebKitWebDriver') || '/usr/bin/WebKitWebDriver';

const freePort = () =>
  new Promise((ok, fail) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
    srv.on('error', fail);
  });

const children = [];
function start(cmd, args) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.output = '';
  const keep = (d) => (child.output = (child.output + d).slice(-20000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  children.push(child);
  return child;
}
function stopAll() {
  for (const c of children.reverse()) if (c.exitCode === null) c.kill('SIGTERM');
}
process.on('exit', stopAll);
process.on('SIGINT', () => process.exit(130));

const results = [];
let failedOnce = false;
// E2E_STEPS=N runs only the first N steps (scripts/package-test.sh: the installed package
// reaches its first screen).
const stepsLimit = Number(process.env.E2E_STEPS || 0);
async function step(name, fn) {
  const t0 = Date.now();
  if (stepsLimit && results.length >= stepsLimit) return;
  // Later steps depend on earlier ones: after a failure, report them as not run.
  if (failedOnce) {
    results.push([name, false]);
    console.log(`skip ${name} (an earlier step failed)`);
    return;
  }
  try {
    await fn();
    results.push([name, true]);
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failedOnce = true;
    results.push([name, false]);
    console.log(`FAIL ${name}: ${e.message}`);
    await shot(`failed-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`, join(root, 'target/e2e-failed'));
  }
}
/** Screenshot of the whole 1440x900 screen, after the last change had time to paint. */
async function shot(name, dir = shots) {
  await sleep(700);
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('import', ['-window', 'root', join(dir, `${name}.png`)]);
  if (r.status !== 0) console.log(`screenshot ${name} failed: ${r.stderr}`);
}
const assert = (cond, msg) => {
  if (!cond) throw new Error(msg);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The embedded server's HLS has a video stream: ffprobe's JSON of it, or null. */
function probeHls(url) {
  const r = spawnSync('ffprobe', ['-v', 'error', '-rw_timeout', '10000000', '-show_entries', 'stream=codec_type,codec_name,width,height', '-of', 'json', url], { timeout: 30000 });
  if (r.status !== 0) return null;
  const streams = JSON.parse(r.stdout.toString()).streams ?? [];
  return streams.some((s) => s.codec_type === 'video') ? streams : null;
}

const port = await freePort();
const nativePort = await freePort();
const driver = start(driverBin, ['--port', String(port), '--native-port', String(nativePort), '--native-driver', nativeDriver]);
const wd = new WebDriver(`http://127.0.0.1:${port}`);
await wd.until('tauri-driver', () => fetch(`http://127.0.0.1:${port}/status`).then((r) => r.ok), 30000).catch(() => {
  console.log(driver.output);
  broken('tauri-driver did not answer');
});

const avatar = join(work, 'avatar.png');
spawnSync('convert', ['-size', '96x96', 'gradient:#f472b6-#7c3aed', avatar]);

try {
  await wd.start({ 'tauri:options': { application: bin } });
  const count = async (sel) => (await wd.findAll(sel)).length;
  const textOf = async (id) => (await wd.text(await wd.find(id))).trim();
  /** Calls one of the studio's commands from inside its window, as the UI does. */
  const invoke = (cmd, args) => wd.script('return window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1])', [cmd, args]);

  await step('first screen offers "Try it locally"', async () => {
    await wd.until('backend-local', () => wd.find('backend-local'));
    // The version a support request would quote: the package's, when one is tested.
    const version = await wd.until('app-version', async () => /\d+\.\d+\.\d+/.exec(await textOf('app-version'))?.[0]);
    const expected = process.env.E2E_EXPECT_VERSION;
    assert(!expected || version === expected, `the first screen shows version ${version}, the package is ${expected}`);
    await shot('01-welcome');
    await wd.click(await wd.find('backend-local'));
  });

  await step('one click: the studio on the embedded backend, no form', async () => {
    // The local account is made by the studio itself (named after the system user, its
    // password only in the credential store): the studio follows the click directly.
    await wd.until('studio', () => wd.find('title-input'), 60000);
    for (const id of ['go-live', 'chat-input', 'title-save', 'stop-live', 'live-state', 'chat-send'])
      await wd.find(id);
    assert((await wd.findAll('[data-testid="login-password"]')).length === 0, 'no sign-up form may show');
    const { account } = await invoke('app_info');
    assert(account?.email?.endsWith('@localhost'), `the local account's e-mail: ${JSON.stringify(account)}`);
    // Named after the system user (the studio reads $USER, $LOGNAME, then the passwd entry).
    const user = process.env.USER || process.env.LOGNAME || (await import('node:os')).userInfo().username;
    assert(account.nickname === user, `the local account's nickname is "${account.nickname}", the system user "${user}"`);
    assert((await textOf('live-state')) === 'idle', 'live-state should start idle');
    await wd.until('profile loaded', async () => String(await wd.property(await wd.find('playback-url'), 'textContent')).startsWith('http'), 30000);
    await shot('03-studio');
  });

  await step('stream key hidden by default', async () => {
    const key = await wd.find('stream-key');
    assert((await wd.property(key, 'type')) === 'password', 'stream key input must be type=password');
    const value = String(await wd.property(key, 'value')).replace(/•/g, '');
    assert(value.length <= 4, `stream key shows more than 4 characters: ${value.length}`);
  });

  await step('save the title', async () => {
    const input = await wd.find('title-input');
    await wd.clear(input);
    await wd.type(input, 'First stream from Cloumer Studio');
    await wd.click(await wd.find('title-save'));
    await wd.until('title saved', async () => (await textOf('title-save')) === 'Saved', 20000);
  });

  await step('upload an avatar', async () => {
    const img = await wd.find('profile-avatar');
    const before = await wd.property(img, 'src');
    await wd.type(await wd.find('avatar-input'), avatar);
    await wd.click(await wd.find('avatar-save'));
    await wd.until('avatar src changes', async () => {
      const src = await wd.property(await wd.find('profile-avatar'), 'src');
      return src && src !== before && !src.startsWith('blob:');
    }, 30000);
    await shot('04-profile');
  });

  await step('go live with test sources to the embedded ingest', async () => {
    await wd.click(await wd.find('go-live'));
    await wd.until('live', async () => (await textOf('live-state')) === 'live', 90000);
    await wd.until('stats', async () => (await textOf('stats-bitrate')) !== '—', 30000);
    // The preview shows what goes out. On X11 the studio paints it natively over the
    // canvas (its frame counter keeps going up) and the canvas keeps a still under it;
    // elsewhere the canvas draws every frame (480x270 from the 720p canvas).
    const canvasFrames = async () => {
      const [canvas] = await wd.findAll('[data-testid="preview"] canvas');
      if (!canvas || !(await wd.property(canvas, 'width'))) return 0;
      return Number(await wd.script('return arguments[0].dataset.frames || 0', [{ 'element-6066-11e4-a52e-4f735466cecf': canvas }]));
    };
    await wd.until('a preview picture in the canvas', canvasFrames, 30000);
    const native = (await invoke('preview_frames_painted')) !== null;
    const shown = async () => (native ? Number(await invoke('preview_frames_painted')) : canvasFrames());
    const first = await wd.until('a preview frame shown', shown, 30000);
    await wd.until(`more preview frames shown (${native ? 'native window' : 'canvas'})`, async () => (await shown()) >= first + 5, 10000);
    // The embedded server really receives it: its HLS playback has the video.
    // textContent: the URL may be cut by an ellipsis on screen.
    const url = String(await wd.property(await wd.find('playback-url'), 'textContent')).trim();
    assert(url.startsWith('http'), `no playback URL shown (got "${url}")`);
    const streams = await wd.until(`HLS video at ${url}`, async () => probeHls(url), 60000);
    const video = streams.find((s) => s.codec_type === 'video');
    assert(video.codec_name === 'h264' && video.width === 1280 && video.height === 720, `unexpected video on the ingest: ${JSON.stringify(video)}`);
    console.log(`     ingest: ${streams.map((s) => `${s.codec_type} ${s.codec_name}${s.width ? ` ${s.width}x${s.height}` : ''}`).join(', ')}`);
    await shot('05-live');
    // The web view's screenshot has the canvas' still; the screen has what the user sees,
    // the natively painted preview included.
    if (native) spawnSync('import', ['-window', 'root', join(shots, '05-live-screen.png')]);
  });

  await step('chat: send, HTML as text, delete', async () => {
    const input = await wd.find('chat-input');
    await wd.type(input, 'hello from e2e');
    await wd.click(await wd.find('chat-send'));
    await wd.until('one chat-message', async () => (await count('[data-testid="chat-message"]')) === 1, 30000);
    await wd.type(input, '<b>not bold</b>\uE007');
    await wd.until('two chat-messages', async () => (await count('[data-testid="chat-message"]')) === 2, 30000);
    const rows = await wd.findAll('[data-testid="chat-message"]');
    assert((await wd.text(rows[1])).includes('<b>not bold</b>'), 'HTML must show as text');
    assert((await wd.findAll('b', rows[1])).length === 0, 'no <b> element may be created');
    await shot('06-chat');
    const del = (await wd.findAll('[data-testid="chat-delete"]', rows[0]))[0];
    assert(del, 'chat-delete must be inside the message row');
    await wd.script('arguments[0].click()', [{ 'element-6066-11e4-a52e-4f735466cecf': del }]);
    await wd.until('message deleted', async () => (await count('[data-testid="chat-message"]')) === 1, 30000);
  });

  await step('stop', async () => {
    await wd.click(await wd.find('stop-live'));
    await wd.until('stopped', async () => (await textOf('live-state')) === 'stopped', 60000);
    await shot('07-stopped');
  });

  await step('restart: signed back in from the stored session, no password', async () => {
    await wd.quit();
    await sleep(1000);
    await wd.start({ 'tauri:options': { application: bin } });
    await wd.until('studio after restart', () => wd.find('title-input'), 90000);
    assert((await wd.findAll('[data-testid="login-password"]')).length === 0, 'the password form must not show');
    await wd.until('the saved title back from the backend', async () => (await wd.property(await wd.find('title-input'), 'value')) === 'First stream from Cloumer Studio', 30000);
    await shot('08-restored');
  });
  await (await import('./support.mjs')).run({ wd, step, invoke, assert, work });
  await (await import('./recordings.mjs')).run({ wd, step, invoke, assert });
  await (await import('./layouts.mjs')).run({ wd, step, invoke, assert });
  await (await import('./sources.mjs')).run({ wd, step, shot, invoke, assert, bin });
  await (await import('./korean.mjs')).run({ wd, step, shot, invoke, bin, sleep, assert, work });
  await (await import('./accounts.mjs')).run({ wd, step, shot, invoke, assert });
  await (await import('./moderation.mjs')).run({ wd, step, shot, invoke, assert });
} catch (e) {
  results.push(['session', false]);
  console.log(`FAIL session: ${e.message}`);
} finally {
  await wd.quit();
  stopAll();
}
if (results.some(([, ok]) => !ok)) {
  console.log('--- tauri-driver / app output (tail) ---');
  console.log(driver.output.slice(-6000));
  const logs = join(process.env.XDG_STATE_HOME ?? join(process.env.HOME, '.local/state'), 'cloumer-studio/logs');
  for (const f of existsSync(logs) ? readdirSync(logs) : []) {
    console.log(`--- ${f} (tail) ---`);
    console.log(readFileSync(join(logs, f), 'utf8').slice(-6000));
  }
}

const passed = results.filter(([, ok]) => ok).length;
const failed = results.length - passed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
