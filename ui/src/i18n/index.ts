/// <reference types="vite/client" />
// The studio's languages (Korean and English) through svelte-i18n (ICU messages: plurals,
// numbers, dates). Contract for everyone who adds strings:
// - one JSON file per area and language: `<area>.<lang>.json` next to this file (lang `en`
//   and `ko`); every file found here is registered, so adding an area is adding two files;
// - keys are `<area>.<name>` (the file's own keys are the `<name>` part, nesting allowed);
// - in components: `import { _ } from 'svelte-i18n'` then `{$_('area.name', { values })}`;
//   in plain .ts modules: `t('area.name', { values })` from here.
// The key-parity test (parity.test.ts) checks every area has the same keys in both languages.
import { get } from 'svelte/store';
import { addMessages, format, init, locale, unwrapFunctionStore } from 'svelte-i18n';
import { current } from './current.svelte';
import { LANGS, groupByLang, pickLang, preferredLangs, type Dict, type Lang } from '../../../shared-ts/i18n-files';

export { LANGS, type Dict, type Lang };

/** The messages per language, as `{ area: { name: text } }` (a few KiB, in the bundle). */
export const messages = groupByLang(import.meta.glob<Dict>('./*.json', { eager: true, import: 'default' }));
for (const lang of LANGS) addMessages(lang, messages[lang]);

/** The language the system asks for (the webview follows the desktop's locale). */
export function systemLang(): Lang {
  return pickLang(null, preferredLangs());
}

init({ fallbackLocale: 'en', initialLocale: systemLang() });

/** Shows the studio in `choice` (`null`: follow the system). */
export function applyLang(choice: string | null | undefined): Lang {
  const lang = pickLang(choice, preferredLangs());
  void locale.set(lang);
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  return lang;
}

/** The current language. */
export function currentLang(): Lang {
  return pickLang(current.lang ?? get(locale), preferredLangs());
}

/** Whether `key` has a message (checked in English, which every key has: see parity.test.ts). */
export function hasMessage(key: string): boolean {
  let node: string | Dict | undefined = messages.en;
  for (const part of key.split('.')) node = typeof node === 'object' ? node[part] : undefined;
  return typeof node === 'string';
}

const translate = unwrapFunctionStore(format);

/**
 * Translates outside `$_` (stores cannot be read with `$` in .ts files). Reads the language
 * rune, so a template showing its result follows a language switch.
 */
export const t: typeof translate = ((id: Parameters<typeof translate>[0], options?: Parameters<typeof translate>[1]) => {
  void current.lang;
  return translate(id, options);
}) as typeof translate;
