import { mount } from 'svelte';
import './i18n';
// Hangul without a CJK font installed: the browser loads only the subsets a page shows.
// One variable font (every weight, woff2 only).
import '@fontsource-variable/noto-sans-kr';
import './app.css';
import App from './App.svelte';

export default mount(App, { target: document.getElementById('app')! });
