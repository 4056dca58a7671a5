// Automatic bitrate in the studio (issue 19, item 3): the stats panel says when the network
// can't keep up and to what the bitrate was lowered; the settings turn it on/off and set
// its minimum, checked before anything is saved.
import { beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import App from '../App.svelte';
import { studio } from '../lib/studio.svelte';
import type { StatsSample } from '../lib/bindings';
import { fakeBackend, signedIn, type Fake } from './fake-backend';

async function studioUp(): Promise<Fake> {
  const fake = fakeBackend({ app_info: signedIn });
  render(App);
  await screen.findByTestId('abr-enabled');
  await waitFor(() => expect(fake.media).not.toBeNull());
  await waitFor(() => expect(fake.calls.some((c) => c.cmd === 'get_profile')).toBe(true));
  return fake;
}

const sample = (over: Partial<StatsSample>): StatsSample => ({
  bitrateKbps: 3400, fps: 30, droppedFrames: 0, encoder: 'x264', cpuPercent: 20, viewerCount: null, health: null,
  targetBitrateKbps: 3500, backlogMs: 80, congested: false, ...over,
});

const saved = (fake: Fake) => fake.calls.filter((c) => c.cmd === 'save_settings').map((c) => (c.args.settings as { abr: unknown }).abr);

beforeEach(() => {
  Object.assign(studio, { screen: 'welcome', backend: null, account: null, profile: null, settings: null, live: { state: 'idle' }, stats: [] });
});

describe('automatic bitrate', () => {
  it('shows the congested state with the lowered target, and clears it when the network recovers', async () => {
    const fake = await studioUp();
    await emit('live-state-changed', { state: 'live', sinceMs: Date.now() });
    fake.media!.stats.onmessage(sample({}));
    await waitFor(() => expect(screen.getByTestId('stats-target')).toHaveTextContent('3.50 Mb/s'));
    expect(screen.queryByTestId('abr-congested')).toBeNull();

    fake.media!.stats.onmessage(sample({ bitrateKbps: 1300, targetBitrateKbps: 1200, backlogMs: 1800, congested: true }));
    const banner = await screen.findByTestId('abr-congested');
    expect(banner).toHaveTextContent("Network can't keep up: lowered to 1,200 kbps");
    expect(screen.getByTestId('stats-backlog')).toHaveTextContent('1.8 s');
    // The graph draws the target next to the sent bitrate, one point per sample.
    expect(screen.getByTestId('graph-target').getAttribute('points')!.split(' ')).toHaveLength(2);
    expect(screen.getByTestId('graph-sent').getAttribute('points')!.split(' ')).toHaveLength(2);

    fake.media!.stats.onmessage(sample({}));
    await waitFor(() => expect(screen.queryByTestId('abr-congested')).toBeNull());
  });

  it('is on by default with a 300 kbps minimum, and saves the switch and a valid minimum', async () => {
    const fake = await studioUp();
    const enabled = screen.getByTestId('abr-enabled') as HTMLInputElement;
    const min = screen.getByTestId('abr-min-bitrate') as HTMLInputElement;
    expect(enabled.checked).toBe(true);
    expect(min.value).toBe('300');

    await fireEvent.change(min, { target: { value: '800' } });
    await waitFor(() => expect(saved(fake)).toEqual([{ enabled: true, minKbps: 800 }]));
    await fireEvent.click(enabled);
    await waitFor(() => expect(saved(fake)).toEqual([{ enabled: true, minKbps: 800 }, { enabled: false, minKbps: 800 }]));
    // Off: no minimum to set.
    await waitFor(() => expect(screen.queryByTestId('abr-min-bitrate')).toBeNull());
  });

  it('refuses a minimum under 100 kbps or above the chosen bitrate, without saving', async () => {
    const fake = await studioUp();
    const min = screen.getByTestId('abr-min-bitrate') as HTMLInputElement;
    for (const bad of ['99', '3501']) {
      await fireEvent.change(min, { target: { value: bad } });
      expect(await screen.findByTestId('abr-min-bitrate-error')).toHaveTextContent('100–3,500 kbps');
    }
    expect(saved(fake)).toEqual([]);
  });
});
