import { mount } from 'svelte';
import './i18n';
import App from './App.svelte';
// Hangul on machines without a CJK font: subsets load only for the characters shown.
import '@fontsource/noto-sans-kr/400.css';
import './app.css';

const target = document.getElementById('app');
if (target) mount(App, { target });
