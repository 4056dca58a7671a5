import '@testing-library/jest-dom/vitest';
import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach } from 'vitest';
import { applyLang } from './i18n';

// Tests read the English texts unless they switch the language themselves.
applyLang('en');

afterEach(() => clearMocks());
