// Every key exists in both languages, in every area, with the same placeholders.
import { describe, expect, it } from 'vitest';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { groupByLang } from '../../../shared-ts/i18n-files';
import { messages, type Dict } from './index';

/** The web site's messages (web/src/i18n/), laid out like the studio's. */
const web = groupByLang(import.meta.glob<Dict>('../../../web/src/i18n/*.json', { eager: true, import: 'default' }));

/** `{ a: { b: 'x' } }` as `{ 'a.b': 'x' }`. */
function flatten(dict: Dict, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(dict)) {
    if (typeof v === 'object') Object.assign(out, flatten(v, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

/** The ICU arguments a message uses (`{n}`, `{n, plural, …}`), sorted; throws on bad syntax. */
function args(text: string): string[] {
  const names = new Set<string>();
  const walk = (elements: MessageFormatElement[]) => {
    for (const el of elements) {
      if (el.type !== TYPE.literal && el.type !== TYPE.pound && 'value' in el) names.add(String(el.value));
      if ('options' in el) for (const option of Object.values(el.options)) walk(option.value);
      if (el.type === TYPE.tag) walk(el.children);
    }
  };
  walk(parse(text));
  return [...names].sort();
}

for (const [app, all, required] of [['studio', messages, 'common'], ['web site', web, 'site']] as const) {
  describe(`${app}: i18n key parity`, () => {
    const areas = [...new Set([...Object.keys(all.en), ...Object.keys(all.ko)])].sort();

    it(`has at least the ${required} area`, () => {
      expect(areas).toContain(required);
    });

    for (const area of areas) {
      it(`area "${area}" has the same keys and placeholders in en and ko`, () => {
        const en = flatten(all.en[area] ?? {});
        const ko = flatten(all.ko[area] ?? {});
        expect(Object.keys(ko).sort()).toEqual(Object.keys(en).sort());
        for (const key of Object.keys(en)) {
          expect(args(ko[key] ?? ''), `${area}.${key}`).toEqual(args(en[key]));
          expect(en[key].trim(), `${area}.${key} (en) is empty`).not.toBe('');
          expect((ko[key] ?? '').trim(), `${area}.${key} (ko) is empty`).not.toBe('');
        }
      });
    }
  });
}
