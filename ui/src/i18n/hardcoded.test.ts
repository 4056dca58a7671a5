// No user-visible English typed into a component's markup: text between tags and literal
// labels must come from the message files. A static look at every branch (the rendered
// check in test/korean.test.ts sees only the states it sets up).
import { describe, expect, it } from 'vitest';

/** The sources of the studio's and the site's components, by path. */
const studio = import.meta.glob<string>('../**/*.svelte', { query: '?raw', import: 'default', eager: true });
const site = import.meta.glob<string>('../../../web/src/**/*.svelte', { query: '?raw', import: 'default', eager: true });

/** Names and units that read the same in Korean. */
const ALLOWED = /^(CLOUMER|Cloumer|LIVE|FPS|CPU|kbps|URL|English|한국어|Language \/ 언어)$/;
/** Examples of technical values (an ARN, a URL, a pool id): one token with digits or `:/_`. */
const TECHNICAL = /^[^\s]*[\d:/_][^\s]*$/;
const english = (text: string) => /[A-Za-z]{2,}/.test(text) && !ALLOWED.test(text) && !TECHNICAL.test(text);

function hardcoded(source: string): string[] {
  const markup = source.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<style[\s\S]*?<\/style>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  const found: string[] = [];
  for (const [, text] of markup.matchAll(/[>}]([^<>{}]+)</g)) {
    const trimmed = text.trim();
    if (english(trimmed)) found.push(trimmed);
  }
  for (const [, attr, value] of markup.matchAll(/\b(aria-label|placeholder|alt|title)="([^"{]*)"/g)) {
    if (english(value)) found.push(`${attr}="${value}"`);
  }
  return found;
}

describe('no hard-coded English in markup', () => {
  for (const [path, source] of Object.entries({ ...studio, ...site })) {
    it(path.replace(/^(\.\.\/)+/, ''), () => {
      expect(hardcoded(source)).toEqual([]);
    });
  }

  it('finds English when there is some', () => {
    expect(hardcoded('<script>const a = "Hi there";</script><p>Go live</p><label><input checked={on} /> Desktop audio</label><input aria-label="Stream title" placeholder="rtmps://host:443/app/" />')).toEqual(['Go live', 'Desktop audio', 'aria-label="Stream title"']);
  });
});
