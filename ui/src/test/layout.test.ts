// Layout picker (issue 20, item 2): four choices with stable test ids, the chosen one
// pressed; a click while live calls set_layout (applied at once by the shell, no restart),
// a refused switch leaves the earlier choice pressed; camera layouts need a camera.
import { beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import App from '../App.svelte';
import { studio } from '../lib/studio.svelte';
import type { Settings } from '../lib/bindings';
import { fakeBackend, settings as defaults, signedIn, type Fake } from './fake-backend';

const withCamera: Settings = { ...defaults, sources: { ...defaults.sources, camera: '/dev/video0' } };
const ids = ['layout-screen', 'layout-camera', 'layout-pip', 'layout-brb'];
const pressed = () => ids.filter((id) => screen.getByTestId(id).getAttribute('aria-pressed') === 'true');
const layoutCalls = (fake: Fake) => fake.calls.filter((c) => c.cmd === 'set_layout').map((c) => c.args.layout);

async function studioWith(settings: Settings, overrides: Fake['handlers'] = {}): Promise<Fake> {
  const fake = fakeBackend({ app_info: signedIn, get_settings: () => settings, ...overrides });
  render(App);
  await screen.findByTestId('layout-pip');
  await waitFor(() => expect(fake.calls.some((c) => c.cmd === 'get_profile')).toBe(true));
  return fake;
}

beforeEach(() => {
  Object.assign(studio, { screen: 'welcome', backend: null, account: null, profile: null, settings: null, live: { state: 'idle' } });
});

describe('layout picker', () => {
  it('switches while live through set_layout, one choice pressed at a time', async () => {
    const fake = await studioWith(withCamera);
    expect(pressed()).toEqual(['layout-pip']);
    await emit('live-state-changed', { state: 'live', sinceMs: Date.now() });
    for (const [id, layout] of [['layout-camera', 'camera'], ['layout-brb', 'beRightBack'], ['layout-screen', 'screen']]) {
      await fireEvent.click(screen.getByTestId(id));
      await waitFor(() => expect(pressed()).toEqual([id]));
      expect(layoutCalls(fake).at(-1)).toBe(layout);
    }
    expect(layoutCalls(fake)).toEqual(['camera', 'beRightBack', 'screen']);
    // Applied live: nothing was stopped or started again.
    expect(fake.calls.filter((c) => ['go_live', 'stop_live', 'start_preview', 'stop_preview'].includes(c.cmd))).toEqual([]);
  });

  it('keeps the earlier choice when the switch is refused', async () => {
    const fake = await studioWith(withCamera, {
      set_layout: () => {
        throw { kind: 'broadcast', message: 'the session is not running', fix: null };
      },
    });
    await fireEvent.click(screen.getByTestId('layout-screen'));
    await waitFor(() => expect(layoutCalls(fake)).toEqual(['screen']));
    await waitFor(() => expect(pressed()).toEqual(['layout-pip']));
  });

  it('offers camera layouts only with a camera, and speaks Korean', async () => {
    await studioWith({ ...defaults, layout: 'screen', language: 'ko' });
    expect((screen.getByTestId('layout-camera') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('layout-pip') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('layout-brb') as HTMLButtonElement).disabled).toBe(false);
    expect(screen.getByTestId('layout-brb').textContent).toBe('잠시 자리 비움');
    expect(screen.getByTestId('layout-camera').getAttribute('title')).toBe('먼저 카메라를 선택하세요');
  });
});
