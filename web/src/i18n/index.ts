/// <reference types="vite/client" />
// The site's languages (Korean and English) through svelte-i18n, laid out like the studio's:
// `<area>.<lang>.json` beside this file, keys `<area>.<name>`, `$_('area.name')` in
// components. The browser's language picks the first one; the header's switch changes it
// (remembered in localStorage: a preference, not a secret). Key parity is checked by the
// studio's vitest (ui/src/i18n/parity.test.ts covers these files too).
import { derived } from 'svelte/store';
import { addMessages, init, locale } from 'svelte-i18n';
import { LANGS, groupByLang, pickLang, preferredLangs, type Dict, type Lang } from '../../../shared-ts/i18n-files';

export type { Lang };
const KEY = 'cloumer.lang';

export const messages = groupByLang(import.meta.glob<Dict>('./*.json', { eager: true, import: 'default' }));
for (const lang of LANGS) addMessages(lang, messages[lang]);

const first = pickLang(localStorage.getItem(KEY), preferredLangs());
init({ fallbackLocale: 'en', initialLocale: first });
document.documentElement.lang = first;

/** The language shown now, as a store (`$lang` in components). */
export const lang = derived(locale, (l) => pickLang(l, preferredLangs()));

export function setLang(next: Lang) {
  void locale.set(next);
  document.documentElement.lang = next;
  localStorage.setItem(KEY, next);
}
