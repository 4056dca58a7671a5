// The studio's own components in Korean: no English sentence or word left over, in text
// or in what screen readers announce. (Auth, Welcome and ChatPanel are checked by their
// owners' tests.)
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import type { Component } from 'svelte';
import { applyLang } from '../i18n';
import { studio } from '../lib/studio.svelte';
import { banners } from '../lib/banners.svelte';
import { fakeBackend, profile, settings } from './fake-backend';
import Studio from '../components/Studio.svelte';
import LivePanel from '../components/LivePanel.svelte';
import Preview from '../components/Preview.svelte';
import StatsPanel from '../components/StatsPanel.svelte';
import ProfilePanel from '../components/ProfilePanel.svelte';
import SourcesPanel from '../components/SourcesPanel.svelte';
import Banners from '../components/Banners.svelte';
import LanguageSwitch from '../components/LanguageSwitch.svelte';
import type { LiveState } from '../lib/bindings';

/** Words that stay as they are in Korean: names, units, codecs, formats. */
const ALLOWED = new Set(['Cloumer', 'CLOUMER', 'zip', 'FPS', 'CPU', 'LIVE', 'kb', 'Mb', 'kbps', 'dBFS', 'MiB', 'URL', 'English', 'PNG', 'JPEG', 'WebP', 'GStreamer', 'x264', 'p30', 'rtmp', 'http', 'hls', 'app', 'avatars', 'default', 'png', 'm3u8', 'index']);

/** Every English word a user would read or hear in `root`, with where it was found. */
function englishLeft(root: HTMLElement): string[] {
  const found: string[] = [];
  const check = (text: string, where: string) => {
    for (const word of text.match(/[A-Za-z][A-Za-z0-9]+/g) ?? []) if (!ALLOWED.has(word)) found.push(`${where}: "${text.trim()}"`);
  };
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    // Values the backend or the user gave (URLs, the title) are not the studio's words.
    if (node.parentElement?.closest('.mono, [data-user-text]')) continue;
    check(node.textContent ?? '', `text in <${node.parentElement?.tagName.toLowerCase()}>`);
  }
  for (const el of root.querySelectorAll<HTMLElement>('*')) {
    for (const attr of ['aria-label', 'placeholder', 'alt', 'aria-valuetext']) {
      const value = el.getAttribute(attr);
      if (value) check(value, `${attr} of <${el.tagName.toLowerCase()}>`);
    }
  }
  return [...new Set(found)];
}

const liveStates: LiveState[] = [
  { state: 'idle' },
  { state: 'connecting' },
  { state: 'live', sinceMs: Date.now() - 65_000 },
  { state: 'reconnecting', attempt: 2 },
  { state: 'stopping' },
  { state: 'stopped', reason: 'requested' },
  { state: 'stopped', reason: 'sourcesEnded' },
];

beforeEach(() => {
  fakeBackend();
  applyLang('ko');
  studio.settings = structuredClone({ ...settings, language: 'ko', sources: { ...settings.sources, camera: 'cam0', desktopAudio: true, microphoneControl: { volume: 1, muted: true } } });
  studio.profile = { ...profile };
  studio.account = null;
  studio.backend = { kind: 'local', label: 'This computer', hasAccounts: true };
  studio.devices = [];
  studio.live = { state: 'idle' };
  studio.stats = [{ bitrateKbps: 2500, fps: 30, droppedFrames: 3, encoder: 'x264', cpuPercent: 41, viewerCount: 1200, health: null, targetBitrateKbps: 2400, backlogMs: 1800, congested: true }];
  banners.clear();
});
afterEach(() => applyLang('en'));

describe('the studio in Korean', () => {
  const components: [string, Component][] = [
    ['Studio', Studio as Component],
    ['Preview', Preview as Component],
    ['StatsPanel', StatsPanel as Component],
    ['ProfilePanel', ProfilePanel as Component],
    ['SourcesPanel', SourcesPanel as Component],
    ['LanguageSwitch', LanguageSwitch as Component],
  ];
  for (const [name, component] of components) {
    it(`${name} has no English left`, () => {
      const { container } = render(component);
      expect(englishLeft(container)).toEqual([]);
    });
  }

  it('the check finds English when there is some', () => {
    applyLang('en');
    const { container } = render(SourcesPanel);
    expect(englishLeft(container).join('\n')).toMatch(/Default microphone[\s\S]*Mute microphone/);
  });

  it('LivePanel has no English left in any state', () => {
    for (const live of liveStates) {
      studio.live = live;
      const { container, unmount } = render(LivePanel);
      expect(englishLeft(container), live.state).toEqual([]);
      unmount();
    }
  });

  it('reads 방송 시작 on the go-live button and names the state in Korean', () => {
    render(LivePanel);
    expect(screen.getByTestId('go-live')).toHaveTextContent('방송 시작');
    expect(screen.getByTestId('live-state')).toHaveTextContent('대기 중');
    expect(screen.getByTestId('live-state')).toHaveAttribute('data-state', 'idle');
  });

  it('titles a failure in Korean and keeps the engine sentence as detail', () => {
    studio.live = { state: 'failed', kind: 'keyRejected', reason: 'the ingest refused the stream key', fix: null };
    render(LivePanel);
    expect(screen.getByText(/인제스트 서버가 스트림 키를 거부했습니다/)).toBeInTheDocument();
    expect(screen.getByText(/the ingest refused the stream key/)).toBeInTheDocument();
  });

  it('shows error banners in Korean with the backend text as detail', () => {
    banners.report({ kind: 'storage', message: 'data dir is read-only' });
    banners.report({ kind: 'auth', message: 'NotAuthorizedException: Incorrect username or password.', reason: 'wrongPassword' } as never);
    render(Banners);
    const [storage, auth] = screen.getAllByTestId('error-banner');
    expect(storage).toHaveTextContent('로컬 파일을 읽거나 쓸 수 없습니다');
    expect(storage).toHaveTextContent('data dir is read-only');
    expect(storage).toHaveTextContent('쓰기 권한');
    expect(auth).toHaveTextContent('이메일 또는 비밀번호가 틀렸습니다.');
    expect(screen.getAllByRole('button', { name: '닫기' })).toHaveLength(2);
  });
});

describe('the language switch', () => {
  it('switches at once and keeps the choice in the settings', async () => {
    applyLang(null);
    studio.settings = structuredClone(settings);
    const fake = fakeBackend();
    render(LivePanel);
    render(LanguageSwitch);
    render(StatsPanel);
    expect(screen.getByTestId('go-live')).toHaveTextContent('Go live');
    expect(screen.getByTestId('stats-backlog')).toHaveTextContent('1.8 s');
    await fireEvent.change(screen.getByTestId('lang-switch'), { target: { value: 'ko' } });
    expect(screen.getByTestId('go-live')).toHaveTextContent('방송 시작');
    expect(document.documentElement.lang).toBe('ko');
    await waitFor(() => expect(fake.calls.find((c) => c.cmd === 'save_settings')?.args).toMatchObject({ settings: { language: 'ko' } }));
    // Texts made by format.ts helpers (t() outside $_) follow too.
    expect(screen.getByTestId('stats-backlog')).toHaveTextContent('1.8초');
    await fireEvent.change(screen.getByTestId('lang-switch'), { target: { value: '' } });
    expect(screen.getByTestId('go-live')).toHaveTextContent('Go live');
    await waitFor(() => expect(studio.settings?.language).toBeNull());
  });

  it('follows the system language while none is chosen', () => {
    const languages = Object.getOwnPropertyDescriptor(Navigator.prototype, 'languages')!;
    Object.defineProperty(navigator, 'languages', { value: ['ko-KR', 'en-US'], configurable: true });
    try {
      expect(applyLang(null)).toBe('ko');
      render(LivePanel);
      expect(screen.getByTestId('go-live')).toHaveTextContent('방송 시작');
    } finally {
      delete (navigator as { languages?: unknown }).languages;
      Object.defineProperty(Navigator.prototype, 'languages', languages);
    }
    expect(applyLang(null)).toBe('en');
  });

  it('restores the saved language when the studio starts', async () => {
    fakeBackend({ get_settings: () => ({ ...settings, language: 'ko' }) });
    applyLang('en');
    await studio.init();
    render(LivePanel);
    expect(screen.getByTestId('go-live')).toHaveTextContent('방송 시작');
  });
});
