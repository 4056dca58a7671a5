#!/usr/bin/env node
// Benchmark (not a test) of Cloumer Studio's targets (issue 5): idle CPU, CPU of a live
// 720p30 job vs `cloumer live` doing the same job, and the RSS of the app + its WebKit
// processes. Run through bench/studio/run.sh, which builds what this needs.
//
// The job: the testkit display (moving ball, plus the studio's own window) and the testkit
// PulseAudio tone, 720p30 x264 3500 kbps + AAC, into the testkit's nginx-rtmp ingest. The
// studio reaches it as a "Custom RTMP(S) server"; `cloumer live` runs with the same size,
// rate, bitrate, encoder, screen and microphone while the studio sits idle on the same
// screen, so both capture the same pixels.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import net from 'node:net';
import { WebDriver } from '../../e2e/webdriver.mjs';
import { measure, pidsNamed } from './proc.mjs';

const { values: opt } = parseArgs({
  options: {
    app: { type: 'string' },
    cloumer: { type: 'string' },
    env: { type: 'string' },
    seconds: { type: 'string', default: '30' },
    out: { type: 'string', default: 'bench/studio/results.json' },
  },
});
const seconds = Number(opt.seconds);
const KEY = 'sk_bench_studio';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.error('bench:', ...a);

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
process.on('exit', () => {
  for (const c of children.reverse()) if (c.exitCode === null) c.kill('SIGTERM');
});

// The shared test bed: Xvfb with moving content, a PulseAudio tone, nginx-rtmp.
const testkit = spawn(opt.env, [KEY], { stdio: ['pipe', 'pipe', 'inherit'] });
children.push(testkit);
const bed = JSON.parse(await new Promise((ok) => createInterface({ input: testkit.stdout }).once('line', ok)));
log(`test bed on ${bed.display}, ingest ${bed.rtmp_url}`);

const home = mkdtempSync(join(tmpdir(), 'studio-bench-'));
const env = {
  ...process.env,
  ...bed.pulse_env,
  DISPLAY: bed.display,
  HOME: home,
  XDG_CONFIG_HOME: join(home, 'config'),
  XDG_DATA_HOME: join(home, 'data'),
  XDG_CACHE_HOME: join(home, 'cache'),
  XDG_STATE_HOME: join(home, 'state'),
  CLOUMER_CREDENTIAL_STORE: 'keyutils',
  WEBKIT_DISABLE_COMPOSITING_MODE: '1',
  RUST_LOG: 'warn',
};
delete env.CLOUMER_STUDIO_TEST_SOURCES;
mkdirSync(join(home, 'config/cloumer-studio'), { recursive: true });
// Same microphone as `cloumer live --mic`; default screen = DISPLAY; 720p30 preset.
writeFileSync(join(home, 'config/cloumer-studio/settings.json'), JSON.stringify({ sources: { microphone: bed.mic }, quality: '720p30' }));

const port = await freePort();
const driver = spawn('tauri-driver', ['--port', String(port), '--native-port', String(await freePort())], { env, stdio: 'ignore' });
children.push(driver);
const wd = new WebDriver(`http://127.0.0.1:${port}`);
await wd.until('tauri-driver', () => fetch(`http://127.0.0.1:${port}/status`).then((r) => r.ok), 30000);
await wd.start({ 'tauri:options': { application: opt.app } });

const results = { date: new Date().toISOString(), commit: process.env.BENCH_COMMIT ?? null, seconds, job: '720p30 x264 3500 kbps + AAC, screen + mic, to nginx-rtmp' };
try {
  // Custom RTMP(S) destination: no account, the studio screen comes up at once.
  await wd.until('first screen', () => wd.find('backend-local'), 60000);
  const choices = await wd.findAll('button.choice');
  await wd.click(choices[choices.length - 1]);
  const url = await wd.until('RTMP form', async () => (await wd.findAll('input[placeholder="rtmps://host:443/app/"]'))[0], 10000);
  await wd.clear(url);
  await wd.type(url, bed.rtmp_url);
  await wd.type((await wd.findAll('form input[type="password"]'))[0], KEY);
  await wd.click((await wd.findAll('form button[type="submit"]'))[0]);
  await wd.until('studio', () => wd.find('go-live'), 30000);
  const [app] = pidsNamed('cloumer-studio');
  if (!app) throw new Error('no cloumer-studio process found');

  log('idle: settling 15 s');
  await sleep(15000);
  results.studio_idle = await measure(app, seconds);
  log('idle', results.studio_idle);

  // `cloumer live` on the same job while the studio sits idle on the same screen.
  const cli = spawn(opt.cloumer, ['live', '--to', bed.rtmp_url, '--screen', bed.display, '--mic', bed.mic, '--size', '1280x720', '--fps', '30', '--bitrate', '3500', '--encoder', 'x264', '--duration', String(seconds + 25)], { env: { ...env, CLOUMER_STREAM_KEY: KEY }, stdio: 'ignore' });
  children.push(cli);
  await sleep(10000);
  results.cloumer_live = await measure(cli.pid, seconds);
  log('cloumer live', results.cloumer_live);
  cli.kill('SIGINT');
  await new Promise((r) => cli.once('exit', r));
  await sleep(3000);

  await wd.click(await wd.find('go-live'));
  await wd.until('live', async () => (await wd.text(await wd.find('live-state'))).trim() === 'live', 60000);
  log('studio live: settling 10 s');
  await sleep(10000);
  results.studio_live = await measure(app, seconds);
  log('studio live', results.studio_live);
  await wd.click(await wd.find('stop-live'));
  await wd.until('stopped', async () => (await wd.text(await wd.find('live-state'))).trim() === 'stopped', 30000);
  results.live_cpu_ratio = Math.round((100 * results.studio_live.cpu_percent) / results.cloumer_live.cpu_percent) / 100;
} finally {
  await wd.quit();
  testkit.stdin.end();
  rmSync(home, { recursive: true, force: true });
}
writeFileSync(opt.out, JSON.stringify(results, null, 2) + '\n');
console.log(JSON.stringify(results, null, 2));
