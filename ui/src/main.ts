import { mount } from 'svelte';
import './i18n';
import App from './App.svelte';
// Hangul on machines without a CJK font: subsets load only for the characters shown.
// One variable font (every weight, woff2 only): about 3.6 MB of subsets in the build.
import '@fontsource-variable/noto-sans-kr';
import './app.css';

const target = document.getElementById('app');
if (target) mount(App, { target });
