// The studio's Help menu (issue 21 #5): "Open logs" hands the logs folder to the desktop's
// opener (e2e/run.sh puts a stand-in xdg-open first on PATH, which writes down what it was
// asked to open), and "Export diagnostics" writes a zip with the logs, versions, encoder
// probe and settings, in which the account's stream key appears nowhere.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The zip's entries and all their text (Python's zipfile: no extra package needed). */
function readZip(path) {
  const script = 'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nprint("\\n".join(z.namelist()))\nprint("=====")\nfor n in z.namelist(): print(z.read(n).decode("utf-8", "replace"))';
  const r = spawnSync('python3', ['-c', script, path]);
  if (r.status !== 0) throw new Error(`cannot read ${path}: ${r.stderr}`);
  const [names, text] = r.stdout.toString().split('\n=====\n');
  return { names: names.split('\n').filter(Boolean), text };
}

export async function run({ wd, step, invoke, assert, work }) {
  await step('help: open the logs folder, export diagnostics without secrets', async () => {
    await wd.click(await wd.find('support-menu'));
    await wd.click(await wd.find('open-logs'));
    const opened = join(work, 'opened');
    const asked = await wd.until('the desktop opener', () => existsSync(opened) && readFileSync(opened, 'utf8').trim());
    const { logDir } = await invoke('app_info');
    assert(asked === logDir, `"Open logs" opened ${asked}, the logs are in ${logDir}`);

    await wd.click(await wd.find('export-diagnostics'));
    const result = await wd.until(
      'the export',
      async () => {
        const text = (await wd.text(await wd.find('diagnostics-result'))).trim();
        return text.includes('.zip') ? text : null;
      },
      60000,
    );
    const path = /(\/\S+\.zip)/.exec(result)?.[1];
    assert(path && existsSync(path), `no zip where the studio says: ${result}`);
    const { names, text } = readZip(path);
    for (const name of ['versions.txt', 'encoders.json', 'settings.json'])
      assert(names.includes(name), `${name} missing from ${names.join(', ')}`);
    assert(names.some((n) => n.startsWith('logs/')), `no logs in ${names.join(', ')}`);
    assert(/Cloumer Studio \d+\.\d+\.\d+/.test(text) && /GStreamer 1\./.test(text), 'versions.txt names the app and GStreamer');
    assert(text.includes('x264'), 'the encoder probe lists x264');
    const key = await invoke('reveal_stream_key');
    assert(key.length > 8 && !text.includes(key), 'the stream key is in the export');
    await wd.click(await wd.find('support-menu'));
  });
}
