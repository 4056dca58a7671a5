import { describe, expect, it, beforeEach } from 'vitest';
import { render, screen, waitFor } from '@testing-library/svelte';
import App from '../App.svelte';
import { studio } from '../lib/studio.svelte';
import { banners } from '../lib/banners.svelte';
import { fakeBackend, profile } from './fake-backend';

const local = { kind: 'local', label: 'This computer', hasAccounts: true };

const remote = { kind: 'cloumer', label: 'api.example.com', hasAccounts: true };

/** app_info as after a restart: no backend until restore_session reopened the last one. */
function restartedAppInfo(backend = local) {
  let restored = false;
  return {
    app_info: () => ({ version: '0.1.0', backend: restored ? backend : null, account: null, lastBackend: backend.kind, logDir: '/tmp' }),
    markRestored: () => (restored = true),
  };
}

beforeEach(() => {
  studio.screen = 'welcome';
  studio.backend = null;
  studio.account = null;
  studio.profile = null;
  banners.clear();
});

describe('session restore', () => {
  it('signs back in from the stored session without asking for the password', async () => {
    const info = restartedAppInfo();
    const fake = fakeBackend({
      app_info: info.app_info,
      restore_session: () => {
        info.markRestored();
        return { email: 'neo@example.com', nickname: 'neo', channel: profile.channel };
      },
    });
    render(App);
    expect(await screen.findByTestId('title-input')).toBeInTheDocument();
    expect(screen.queryByTestId('login-password')).toBeNull();
    expect(fake.calls.map((c) => c.cmd)).toContain('restore_session');
    expect(fake.calls.some((c) => c.cmd === 'sign_in')).toBe(false);
    expect(studio.account?.nickname).toBe('neo');
  });

  it('asks to sign in when the stored session is gone, with the backend still chosen', async () => {
    const info = restartedAppInfo(remote);
    fakeBackend({
      app_info: info.app_info,
      restore_session: () => {
        info.markRestored();
        return null;
      },
    });
    render(App);
    expect(await screen.findByTestId('login-password')).toBeInTheDocument();
    expect(studio.backend?.kind).toBe('cloumer');
  });

  it('signs the local owner in with one click\'s path when the local session is gone', async () => {
    const info = restartedAppInfo();
    const fake = fakeBackend({
      app_info: info.app_info,
      restore_session: () => {
        info.markRestored();
        return null;
      },
    });
    render(App);
    expect(await screen.findByTestId('title-input')).toBeInTheDocument();
    expect(fake.calls.map((c) => c.cmd)).toContain('try_locally');
    expect(screen.queryByTestId('login-password')).toBeNull();
  });

  it('does not restore on a first run', async () => {
    const fake = fakeBackend();
    render(App);
    await screen.findByTestId('backend-local');
    await waitFor(() => expect(fake.calls.some((c) => c.cmd === 'get_live_state')).toBe(true));
    expect(fake.calls.some((c) => c.cmd === 'restore_session')).toBe(false);
  });
});
