// The studio's languages (Korean and English) through svelte-i18n (ICU messages: plurals,
// numbers, dates). Contract for everyone who adds strings:
// - one JSON file per area and language: `<area>.<lang>.json` next to this file (lang `en`
//   and `ko`); every file found here is registered, so adding an area is adding two files;
// - keys are `<area>.<name>` (the file's own keys are the `<name>` part, nesting allowed);
// - in components: `import { _ } from 'svelte-i18n'` then `{$_('area.name', { values })}`;
//   in plain .ts modules: `t('area.name', { values })` from here.
// The key-parity test (parity.test.ts) checks every area has the same keys in both languages.
/// <reference types="vite/client" />
import { get } from 'svelte/store';
import { addMessages, format, init, locale, unwrapFunctionStore } from 'svelte-i18n';

export const LANGS = ['en', 'ko'] as const;
export type Lang = (typeof LANGS)[number];

/** Every `<area>.<lang>.json` beside this file, loaded with the bundle (a few KiB). */
/** A message file: texts, possibly nested. */
export type Dict = { [key: string]: string | Dict };
const files = import.meta.glob<Dict>('./*.json', { eager: true, import: 'default' });

/** The messages per language, as `{ area: { name: text } }`. */
export const messages: Record<Lang, Record<string, Dict>> = { en: {}, ko: {} };
for (const [path, dict] of Object.entries(files)) {
  const match = /\/([a-z][\w-]*)\.(en|ko)\.json$/.exec(path);
  if (!match) throw new Error(`i18n file ${path} is not named <area>.<en|ko>.json`);
  const [, area, lang] = match;
  messages[lang as Lang][area] = dict;
}
for (const lang of LANGS) addMessages(lang, messages[lang]);

/** The language the system asks for (the webview follows the desktop's locale). */
export function systemLang(): Lang {
  const first = (typeof navigator !== 'undefined' && (navigator.languages?.[0] ?? navigator.language)) || 'en';
  return first.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

/** A saved choice if it is one we speak, else the system's language. */
export function resolveLang(choice: string | null | undefined): Lang {
  return (LANGS as readonly string[]).includes(choice ?? '') ? (choice as Lang) : systemLang();
}

init({ fallbackLocale: 'en', initialLocale: systemLang() });

/** Shows the studio in `choice` (`null`: follow the system). */
export function applyLang(choice: string | null | undefined): Lang {
  const lang = resolveLang(choice);
  void locale.set(lang);
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  return lang;
}

/** The current language. */
export function currentLang(): Lang {
  return resolveLang(get(locale));
}

/** Translates outside components (stores cannot be read with `$` in .ts files). */
export const t = unwrapFunctionStore(format);
