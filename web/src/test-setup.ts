import '@testing-library/jest-dom/vitest';
import { locale } from 'svelte-i18n';
import { beforeEach } from 'vitest';
import './i18n';

// Tests read the English texts unless they switch the language themselves.
beforeEach(async () => {
  await locale.set('en');
});
