// The shown language as a rune: templates that call `t()` (directly or through format.ts's
// helpers) read it, so they render again when the language changes. svelte-i18n's own
// stores only re-render where `$_` is used.
import { locale } from 'svelte-i18n';

export const current = $state<{ lang: string | null | undefined }>({ lang: undefined });
locale.subscribe((lang) => (current.lang = lang));
