// The message-file layout the studio (ui/) and the web site (web/) share: one JSON file per
// area and language, `<area>.<lang>.json`, whose keys become `<area>.<name>`.

export const LANGS = ['en', 'ko'] as const;
export type Lang = (typeof LANGS)[number];

/** A message file: texts, possibly nested. */
export type Dict = { [key: string]: string | Dict };

/** Groups `import.meta.glob` results by language, each file under its area's name. */
export function groupByLang(files: Record<string, Dict>): Record<Lang, Record<string, Dict>> {
  const out: Record<Lang, Record<string, Dict>> = { en: {}, ko: {} };
  for (const [path, dict] of Object.entries(files)) {
    const match = /\/([a-z][\w-]*)\.(en|ko)\.json$/.exec(path);
    if (!match) throw new Error(`i18n file ${path} is not named <area>.<en|ko>.json`);
    out[match[2] as Lang][match[1]] = dict;
  }
  return out;
}

/** A saved choice when it is a language we speak, else the first preferred one's. */
export function pickLang(choice: string | null | undefined, preferred: readonly string[]): Lang {
  if ((LANGS as readonly string[]).includes(choice ?? '')) return choice as Lang;
  return (preferred[0] ?? 'en').toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

/** The browser's (or webview's, which follows the desktop's locale) preferred languages. */
export function preferredLangs(): readonly string[] {
  if (typeof navigator === 'undefined') return [];
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}
