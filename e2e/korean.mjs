// The studio in Korean (issue 21): switch the language in the studio, check its texts
// changed, restart and find Korean restored from the settings file, check Hangul really
// renders (the bundled Noto Sans KR: run.sh hides every CJK font of the system, as on a
// fresh Debian desktop), then switch back to English for the scenarios that follow.
// Screenshots of the Korean studio go to docs/screenshots/ko-*.png.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export async function run({ wd, step, shot, invoke, bin, sleep, assert, work }) {
  const textOf = async (id) => (await wd.text(await wd.find(id))).trim();

  /** Picks a language in the studio's switch as a user does (its option, clicked). */
  async function pick(lang) {
    const [option] = await wd.findAll(`[data-testid="lang-switch"] option[value="${lang}"]`);
    assert(option, `the language switch has no option "${lang}"`);
    await wd.click(option);
    // Some WebDriver builds leave the native popup open: fall back to choosing it the way the popup would.
    if ((await wd.property(await wd.find('lang-switch'), 'value')) !== lang) {
      await wd.script("const s = arguments[0]; s.value = arguments[1]; s.dispatchEvent(new Event('change', { bubbles: true }));", [{ [ELEMENT]: await wd.find('lang-switch') }, lang]);
    }
  }

  /**
   * The probe's cells as the screen shows them. WebDriver's own screenshots hang in this
   * WebKitGTK set-up (run.mjs uses X's too): the screen is grabbed and the probe found by
   * its magenta background, the cells cut out at their known offsets.
   */
  function cutCells(dir, ids, { pad, width, height, gap, scale }) {
    const screen = join(dir, 'screen.png');
    spawnSync('import', ['-window', 'root', screen]);
    const box = spawnSync('convert', [screen, '-fuzz', '5%', '-fill', 'black', '+opaque', '#ff00ff', '-format', '%@', 'info:']).stdout.toString();
    const m = /^(\d+)x(\d+)\+(\d+)\+(\d+)/.exec(box);
    if (!m) throw new Error(`the probe is not on the screen (${box})`);
    const [x, y] = [Number(m[3]), Number(m[4])];
    const px = (v) => Math.round(v * scale);
    ids.forEach((id, i) => {
      const geometry = `${px(width)}x${px(height)}+${x + px(pad + i * (width + gap))}+${y + px(pad)}`;
      spawnSync('convert', [screen, '-crop', geometry, '+repage', join(dir, `${id}.png`)]);
    });
  }

  /** Pixels that differ between two same-sized PNGs (ImageMagick; anti-aliasing noise ignored). */
  function differingPixels(a, b) {
    const r = spawnSync('compare', ['-metric', 'AE', '-fuzz', '10%', a, b, 'null:']);
    const n = Number.parseFloat(r.stderr.toString());
    if (!Number.isFinite(n)) throw new Error(`compare failed: ${r.stderr}`);
    return n;
  }

  await step('korean: switch the studio to Korean', async () => {
    await wd.until('the language switch', () => wd.find('lang-switch'), 30000);
    await pick('ko');
    await wd.until('go-live reads 방송 시작', async () => (await textOf('go-live')) === '방송 시작', 10000);
    assert((await textOf('stop-live')) === '방송 종료', `stop-live reads "${await textOf('stop-live')}"`);
    assert((await textOf('title-save')) === '제목 저장', `title-save reads "${await textOf('title-save')}"`);
    assert((await wd.script('return document.documentElement.lang')) === 'ko', 'the page language must be ko');
    const settings = await invoke('get_settings', {});
    assert(settings.language === 'ko', `settings.language is ${JSON.stringify(settings.language)}`);
    await shot('ko-01-studio');
  });

  await step('korean: restored from the settings after a restart', async () => {
    await wd.quit();
    await sleep(1000);
    await wd.start({ 'tauri:options': { application: bin } });
    await wd.until('studio after restart', () => wd.find('go-live'), 90000);
    await wd.until('Korean restored', async () => (await textOf('go-live')) === '방송 시작', 20000);
    await shot('ko-02-restored');
  });

  await step('korean: Hangul renders with the bundled font, not as empty boxes', async () => {
    const fonts = spawnSync('fc-list', [':lang=ko', 'family']).stdout.toString().trim();
    assert(!fonts, `a system CJK font is visible, the check would prove nothing: ${fonts}`);
    // Three same-sized cells in the studio's font: Hangul, as many unassigned private-use
    // code points (drawn as boxes, or nothing), and nothing at all.
    await wd.script(`
      const probe = document.createElement('div');
      probe.id = 'hangul-probe';
      probe.style.cssText = 'position:fixed;left:16px;top:64px;z-index:2147483647;background:#ff00ff;color:#fff;padding:8px;display:flex;gap:8px;font-size:32px;line-height:48px';
      for (const [id, text] of [['hangul', '방송 시작'], ['pua', '\\uE000\\uE001 \\uE002\\uE003'], ['blank', '']]) {
        const cell = document.createElement('span');
        cell.dataset.testid = 'probe-' + id;
        cell.textContent = text;
        cell.style.cssText = 'display:inline-block;width:200px;height:48px;overflow:hidden;white-space:nowrap';
        probe.append(cell);
      }
      document.body.append(probe);`);
    await wd.timeouts({ script: 30000 });
    const loaded = await wd.scriptAsync(`
      const done = arguments[arguments.length - 1];
      document.fonts.ready.then(() => done([...document.fonts]
        .filter((f) => f.family.replace(/["']/g, '') === 'Noto Sans KR Variable' && f.status === 'loaded').length));`);
    assert(loaded > 0, 'no subset of the bundled Noto Sans KR was loaded for the Hangul shown');
    await sleep(500);
    const dir = join(work, 'hangul');
    mkdirSync(dir, { recursive: true });
    const file = (id) => join(dir, `${id}.png`);
    const scale = Number(await wd.script('return window.devicePixelRatio')) || 1;
    cutCells(dir, ['hangul', 'pua', 'blank'], { pad: 8, width: 200, height: 48, gap: 8, scale });
    const vsBoxes = differingPixels(file('hangul'), file('pua'));
    const vsBlank = differingPixels(file('hangul'), file('blank'));
    console.log(`     Hangul cell: ${vsBoxes} px differ from boxes, ${vsBlank} px from blank; ${loaded} Noto Sans KR subsets loaded`);
    assert(vsBoxes > 300, `Hangul looks like the boxes of unassigned code points (${vsBoxes} px differ)`);
    assert(vsBlank > 300, `Hangul looks like a blank cell (${vsBlank} px differ)`);
    await shot('ko-03-hangul-probe');
    await wd.script("document.getElementById('hangul-probe').remove()");
  });

  await step('korean: back to English', async () => {
    await pick('en');
    await wd.until('go-live reads Go live', async () => (await textOf('go-live')) === 'Go live', 10000);
    assert((await invoke('get_settings', {})).language === 'en', 'settings.language must be en');
  });
}
