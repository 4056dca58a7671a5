// Presets that fit the channel (issue 20 #4): the profile names the channel's IVS type; a
// BASIC channel (3.5 Mbps above 480p) does not offer 1080p30 (6 Mbps), and with it saved,
// Go live is refused before connecting, saying what to choose instead.
import { beforeEach, describe, expect, it } from 'vitest';
import { render, screen, waitFor } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import App from '../App.svelte';
import { studio } from '../lib/studio.svelte';
import { maxVideoKbps, presetRefusal } from '../lib/channel';
import type { StatsSample } from '../lib/bindings';
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

// Health and audience (issue 20 #6): while live, the backend's viewers and the ingest's
// health come with the stats and show next to them.
describe('health and audience', () => {
  const sample = (over: Partial<StatsSample>): StatsSample => ({
    bitrateKbps: 3400, fps: 30, droppedFrames: 0, encoder: 'x264', cpuPercent: 20, viewerCount: null, health: null,
    targetBitrateKbps: 3500, backlogMs: 80, congested: false, ...over,
  });

  it('shows the viewer count and the stream health while live', async () => {
    const fake = await studioWith('STANDARD', '720p30');
    await waitFor(() => expect(fake.media).not.toBeNull());
    await emit('live-state-changed', { state: 'live', sinceMs: Date.now() });
    fake.media!.stats.onmessage(sample({}));
    await screen.findByTestId('stats-bitrate');
    expect(screen.queryByTestId('viewer-count')).toBeNull();

    fake.media!.stats.onmessage(sample({ viewerCount: 1234, health: 'HEALTHY' }));
    await waitFor(() => expect(screen.getByTestId('viewer-count')).toHaveTextContent('1,234'));
    expect(screen.getByTestId('stream-health')).toHaveTextContent('Healthy');

    fake.media!.stats.onmessage(sample({ viewerCount: 2, health: 'STARVING' }));
    await waitFor(() => expect(screen.getByTestId('stream-health')).toHaveAttribute('data-health', 'STARVING'));
    expect(screen.getByTestId('stream-health')).toHaveTextContent('too little data');
    expect(screen.getByTestId('viewer-count')).toHaveTextContent('2');
  });
});
