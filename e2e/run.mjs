#!/usr/bin/env node
// End-to-end check of the real Cloumer Studio binary: Xvfb + tauri-driver + WebKitWebDriver.
// Try it locally -> sign up -> title -> avatar -> go live (test sources, embedded ingest)
// -> chat send / HTML as text / delete -> stop. Screenshots go to docs/screenshots/.
// Skips (exit 0, printed reason) when a prerequisite is missing; exits 1 on any failure.
//
//   node e2e/run.mjs            (after scripts/build-app.sh)
//   STUDIO_BIN=/path/to/cloumer-studio node e2e/run.mjs
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { WebDriver } from './webdriver.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shots = join(root, 'docs/screenshots');
const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).stdout.toString().trim();

function skip(reason) {
  console.log(`SKIP e2e: ${reason}`);
  process.exit(0);
}

const bin = process.env.STUDIO_BIN ?? join(root, 'target/release/cloumer-studio');
const driverBin = which('tauri-driver') || (existsSync(join(homedir(), '.cargo/bin/tauri-driver')) ? join(homedir(), '.cargo/bin/tauri-driver') : '');
const nativeDriver = which('WebKitWebDriver') || '/usr/bin/WebKitWebDriver';
if (!existsSync(bin)) skip(`no app binary at ${bin}: run scripts/build-app.sh`);
if (!driverBin) skip('tauri-driver is missing: cargo install tauri-driver --locked');
if (!existsSync(nativeDriver)) skip('WebKitWebDriver is missing: apt-get install webkit2gtk-driver');
if (!which('Xvfb')) skip('Xvfb is missing: apt-get install xvfb');
const canShoot = !!which('import');

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
function start(cmd, args, env) {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.output = '';
  child.stdout.on('data', (d) => (child.output += d));
  child.stderr.on('data', (d) => (child.output += d));
  children.push(child);
  return child;
}
function stopAll() {
  for (const c of children.reverse()) if (c.exitCode === null) c.kill('SIGTERM');
}
process.on('exit', stopAll);
process.on('SIGINT', () => process.exit(130));

const home = mkdtempSync(join(tmpdir(), 'studio-e2e-'));
const runtime = join(home, 'run');
mkdirSync(runtime, { mode: 0o700 });
const display = `:${90 + Math.floor(Math.random() * 200)}`;
const env = {
  ...process.env,
  HOME: home,
  XDG_CONFIG_HOME: join(home, 'config'),
  XDG_DATA_HOME: join(home, 'data'),
  XDG_CACHE_HOME: join(home, 'cache'),
  XDG_STATE_HOME: join(home, 'state'),
  XDG_RUNTIME_DIR: runtime,
  DISPLAY: display,
  CLOUMER_STUDIO_TEST_SOURCES: '1',
  // No GPU here: WebKit's compositing would only cost CPU.
  WEBKIT_DISABLE_COMPOSITING_MODE: '1',
  RUST_LOG: process.env.RUST_LOG ?? 'info',
};

const results = [];
async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push([name, true]);
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push([name, false]);
    console.log(`FAIL ${name}: ${e.message}`);
  }
}
function shot(name) {
  if (!canShoot) return;
  mkdirSync(shots, { recursive: true });
  spawnSync('import', ['-window', 'root', join(shots, `${name}.png`)], { env });
}
const assert = (cond, msg) => {
  if (!cond) throw new Error(msg);
};

const xvfb = start('Xvfb', [display, '-screen', '0', '1440x900x24', '-nolisten', 'tcp'], env);
await new Promise((r) => setTimeout(r, 1000));
if (xvfb.exitCode !== null) skip(`Xvfb did not start: ${xvfb.output}`);
const port = await freePort();
const nativePort = await freePort();
const driver = start(driverBin, ['--port', String(port), '--native-port', String(nativePort), '--native-driver', nativeDriver], env);
const wd = new WebDriver(`http://127.0.0.1:${port}`);
await wd.until('tauri-driver', () => fetch(`http://127.0.0.1:${port}/status`).then((r) => r.ok), 20000).catch(() => {
  console.log(driver.output);
  skip('tauri-driver did not answer');
});

const avatar = join(home, 'avatar.png');
spawnSync('convert', ['-size', '96x96', 'gradient:#f472b6-#7c3aed', avatar]);

try {
  await wd.start({ 'tauri:options': { application: bin } });
  const count = async (sel) => (await wd.findAll(sel)).length;
  const textOf = async (id) => (await wd.text(await wd.find(id))).trim();

  await step('first screen offers "Try it locally"', async () => {
    await wd.until('backend-local', () => wd.find('backend-local'));
    shot('01-welcome');
    await wd.click(await wd.find('backend-local'));
  });

  await step('sign up against the embedded backend', async () => {
    const email = await wd.until('login form', () => wd.find('login-email'), 60000);
    await wd.type(email, 'streamer@example.com');
    await wd.type(await wd.find('login-password'), 'Corr3ct-Horse-Battery');
    await wd.type(await wd.find('signup-nickname'), 'Streamer');
    shot('02-sign-up');
    await wd.click(await wd.find('signup-submit'));
    await wd.until('studio', () => wd.find('title-input'), 60000);
    for (const id of ['title-save', 'go-live', 'stop-live', 'live-state', 'chat-input', 'chat-send'])
      await wd.find(id);
    assert((await textOf('live-state')) === 'idle', 'live-state should start idle');
    shot('03-studio');
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
    shot('04-profile');
  });

  await step('go live with test sources to the embedded ingest', async () => {
    await wd.click(await wd.find('go-live'));
    await wd.until('live', async () => (await textOf('live-state')) === 'live', 90000);
    await wd.until('stats', async () => (await textOf('stats-bitrate')) !== '—', 30000);
    shot('05-live');
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
    shot('06-chat');
    const del = (await wd.findAll('[data-testid="chat-delete"]', rows[0]))[0];
    assert(del, 'chat-delete must be inside the message row');
    await wd.script('arguments[0].click()', [{ 'element-6066-11e4-a52e-4f735466cecf': del }]);
    await wd.until('message deleted', async () => (await count('[data-testid="chat-message"]')) === 1, 30000);
  });

  await step('stop', async () => {
    await wd.click(await wd.find('stop-live'));
    await wd.until('stopped', async () => (await textOf('live-state')) === 'stopped', 60000);
    shot('07-stopped');
  });
} catch (e) {
  results.push(['session', false]);
  console.log(`FAIL session: ${e.message}`);
  console.log(driver.output.slice(-4000));
} finally {
  await wd.quit();
  stopAll();
  rmSync(home, { recursive: true, force: true });
}

const passed = results.filter(([, ok]) => ok).length;
const failed = results.length - passed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
