import { mount } from 'svelte';
import './i18n';
// Hangul without a CJK font installed: the browser loads only the subsets a page shows.
import '@fontsource/noto-sans-kr/400.css';
import '@fontsource/noto-sans-kr/700.css';
import './app.css';
import App from './App.svelte';

export default mount(App, { target: document.getElementById('app')! });
