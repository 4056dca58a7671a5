// Presets that fit the channel (issue 20 #4): the profile names the channel's IVS type; a
// BASIC channel (3.5 Mbps above 480p) does not offer 1080p30 (6 Mbps), and with it saved,
// Go live is refused before connecting, saying what to choose instead.
import { beforeEach, describe, expect, it } from 'vitest';
import { render, screen, waitFor } from '@testing-library/svelte';
import App from '../App.svelte';
import { studio } from '../lib/studio.svelte';
import { maxVideoKbps, presetRefusal } from '../lib/channel';
import { fakeBackend, profile, settings, signedIn } from './fake-backend';

async function studioWith(channelType: string | null, quality: '1080p30' | '720p30') {
  const fake = fakeBackend({
    app_info: signedIn,
    get_profile: () => ({ ...profile, channelType }),
    get_settings: () => ({ ...settings, quality }),
  });
  render(App);
  await screen.findByTestId('quality');
  await waitFor(() => expect(studio.profile?.channelType ?? null).toBe(channelType));
  return fake;
}

beforeEach(() => {
  Object.assign(studio, { screen: 'welcome', backend: null, account: null, profile: null, settings: null, live: { state: 'idle' }, stats: [] });
});

describe('presets that fit the channel', () => {
  it('knows the IVS limits', () => {
    expect(maxVideoKbps('BASIC', 1080)).toBe(3500);
    expect(maxVideoKbps('basic', 480)).toBe(1500);
    expect(maxVideoKbps('STANDARD', 1080)).toBe(8500);
    expect(presetRefusal('STANDARD', '1080p30')).toBeNull();
    expect(presetRefusal(null, '1080p30')).toBeNull();
    expect(presetRefusal('BASIC', '720p30')).toBeNull();
    expect(presetRefusal('BASIC', '1080p30')).toContain('720p30');
  });

  it('a BASIC channel does not offer 1080p30 and refuses Go live with it, saying what to choose', async () => {
    const fake = await studioWith('BASIC', '1080p30');
    const option = screen.getByRole('option', { name: '1080p30' }) as HTMLOptionElement;
    expect(option.disabled).toBe(true);
    expect((screen.getByRole('option', { name: '720p30' }) as HTMLOptionElement).disabled).toBe(false);
    const reason = await screen.findByTestId('preset-refused');
    expect(reason).toHaveTextContent('BASIC');
    expect(reason).toHaveTextContent('3,500 kbps');
    expect(reason).toHaveTextContent('choose 720p30 or lower');
    const goLive = screen.getByTestId('go-live') as HTMLButtonElement;
    expect(goLive.disabled).toBe(true);
    goLive.click();
    expect(fake.calls.some((c) => c.cmd === 'go_live')).toBe(false);
  });

  it('a STANDARD channel offers every preset', async () => {
    await studioWith('STANDARD', '1080p30');
    expect((screen.getByRole('option', { name: '1080p30' }) as HTMLOptionElement).disabled).toBe(false);
    expect(screen.queryByTestId('preset-refused')).toBeNull();
    expect((screen.getByTestId('go-live') as HTMLButtonElement).disabled).toBe(false);
  });
});
