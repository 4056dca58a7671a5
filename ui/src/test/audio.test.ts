// Audio controls (issue 20, item 3): mute and volume per source reach the shell's
// set_audio_control (which applies them live), the meters read silence when muted, the
// muted microphone is announced in the live panel, the desktop-audio device is chosen
// from the listed monitors and saved.
import { beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import App from '../App.svelte';
import { studio } from '../lib/studio.svelte';
import type { Settings } from '../lib/bindings';
import { fakeBackend, settings as defaults, signedIn, type Fake } from './fake-backend';

const withDesktop: Settings = { ...defaults, sources: { ...defaults.sources, desktopAudio: true } };

async function studioWith(overrides: Fake['handlers'] = {}): Promise<Fake> {
  const fake = fakeBackend({ app_info: signedIn, get_settings: () => withDesktop, ...overrides });
  render(App);
  await screen.findByTestId('mic-mute');
  await waitFor(() => expect(fake.media).not.toBeNull());
  // init() has finished (it ends by entering the studio): later events are not overwritten.
  await waitFor(() => expect(fake.calls.some((c) => c.cmd === 'get_profile')).toBe(true));
  return fake;
}

const audioCalls = (fake: Fake) => fake.calls.filter((c) => c.cmd === 'set_audio_control').map((c) => c.args);

beforeEach(() => {
  Object.assign(studio, { screen: 'welcome', backend: null, account: null, profile: null, settings: null, live: { state: 'idle' }, levels: { microphoneDb: -90, desktopDb: -90 } });
});

describe('audio controls', () => {
  it('mutes the microphone live, announces it, and silences its meter', async () => {
    const fake = await studioWith();
    await emit('live-state-changed', { state: 'live', sinceMs: Date.now() });
    fake.media!.levels.onmessage({ microphoneDb: -6, desktopDb: -20 });
    const meter = screen.getByRole('meter', { name: 'Microphone level' });
    await waitFor(() => expect(Number(meter.getAttribute('aria-valuenow'))).toBeGreaterThan(0.5));
    expect(screen.queryByTestId('mic-muted-indicator')).toBeNull();

    const mute = screen.getByRole('button', { name: 'Mute microphone' });
    expect(mute.getAttribute('aria-pressed')).toBe('false');
    await fireEvent.click(mute);
    await waitFor(() => expect(audioCalls(fake)).toEqual([{ source: 'microphone', control: { volume: 1, muted: true } }]));
    expect(mute.getAttribute('aria-pressed')).toBe('true');
    expect(meter.getAttribute('aria-valuenow')).toBe('0');
    expect(meter.getAttribute('aria-valuetext')).toBe('silent');
    const badge = screen.getByTestId('mic-muted-indicator');
    expect(badge.textContent).toContain('Microphone muted');
    expect(badge.getAttribute('role')).toBe('status');
    // The desktop meter is untouched by the microphone's mute; no restart was asked for.
    expect(Number(screen.getByRole('meter', { name: 'Desktop audio level' }).getAttribute('aria-valuenow'))).toBeGreaterThan(0);
    expect(fake.calls.filter((c) => ['go_live', 'stop_live', 'start_preview', 'stop_preview'].includes(c.cmd))).toEqual([]);

    await fireEvent.click(mute);
    await waitFor(() => expect(screen.queryByTestId('mic-muted-indicator')).toBeNull());
    expect(audioCalls(fake).at(-1)).toEqual({ source: 'microphone', control: { volume: 1, muted: false } });
  });

  it('sends the desktop-audio volume from its labelled slider, newest value last', async () => {
    let release: () => void = () => {};
    const fake = await studioWith({
      // The first call hangs until released: inputs meanwhile collapse into the newest one.
      set_audio_control: (a) =>
        new Promise((ok) => (release = () => ok({ ...withDesktop, sources: { ...withDesktop.sources, desktopAudioControl: a.control } }))),
    });
    const slider = screen.getByRole('slider', { name: 'Desktop audio volume' });
    expect(slider.getAttribute('max')).toBe('200');
    await fireEvent.input(slider, { target: { value: '50' } });
    await fireEvent.input(slider, { target: { value: '40' } });
    await fireEvent.input(slider, { target: { value: '25' } });
    expect(slider.getAttribute('aria-valuetext')).toBe('25 %');
    await waitFor(() => expect(audioCalls(fake)).toHaveLength(1));
    release();
    await waitFor(() => expect(audioCalls(fake)).toHaveLength(2));
    release();
    expect(audioCalls(fake)).toEqual([
      { source: 'desktopAudio', control: { volume: 0.5, muted: false } },
      { source: 'desktopAudio', control: { volume: 0.25, muted: false } },
    ]);
    await waitFor(() => expect(studio.settings?.sources.desktopAudioControl.volume).toBe(0.25));
    expect(screen.getByTestId('desktop-audio-mute').getAttribute('aria-label')).toBe('Mute desktop audio');
    expect(screen.getByTestId('mic-volume').getAttribute('aria-label')).toBe('Microphone volume');
  });

  it('offers the listed monitors as desktop-audio devices and saves the choice', async () => {
    const fake = await studioWith({
      list_devices: () => [
        { id: 'alsa_input.usb-mic', name: 'USB microphone', kind: 'microphone' },
        { id: 'null.monitor', name: 'Monitor of Null Output', kind: 'desktopAudio' },
      ],
    });
    const select = (await screen.findByTestId('desktop-audio-device')) as HTMLSelectElement;
    await waitFor(() => expect([...select.options].map((o) => o.textContent)).toEqual(['Default output', 'Monitor of Null Output']));
    await fireEvent.change(select, { target: { value: 'null.monitor' } });
    await waitFor(() => {
      const saved = fake.calls.filter((c) => c.cmd === 'save_settings').at(-1)?.args.settings as Settings | undefined;
      expect(saved?.sources.desktopAudioDevice).toBe('null.monitor');
    });
  });

  it('follows devices plugged in and out (devices-changed) without asking again', async () => {
    const mic = { id: 'usb-mic', name: 'USB microphone', kind: 'microphone' } as const;
    const fake = await studioWith({ list_devices: () => [mic] });
    const select = (await screen.findByTestId('desktop-audio-device')) as HTMLSelectElement;
    const names = () => [...select.options].map((o) => o.textContent);
    expect(names()).toEqual(['Default output']);
    const sink = { id: 'hdmi.monitor', name: 'Monitor of HDMI', kind: 'desktopAudio' } as const;
    await emit('devices-changed', [mic, sink]);
    await waitFor(() => expect(names()).toEqual(['Default output', 'Monitor of HDMI']));
    await emit('devices-changed', [mic]);
    await waitFor(() => expect(names()).toEqual(['Default output']));
    expect(fake.calls.filter((c) => c.cmd === 'list_devices')).toHaveLength(1);
  });

  it('keeps a chosen device that was unplugged in its list, marked', async () => {
    const chosen: Settings = { ...withDesktop, sources: { ...withDesktop.sources, desktopAudioDevice: 'hdmi.monitor' } };
    const sink = { id: 'hdmi.monitor', name: 'Monitor of HDMI', kind: 'desktopAudio' } as const;
    await studioWith({ get_settings: () => chosen, list_devices: () => [sink] });
    const select = (await screen.findByTestId('desktop-audio-device')) as HTMLSelectElement;
    await waitFor(() => expect(select.selectedOptions[0]?.textContent).toBe('Monitor of HDMI'));
    await emit('devices-changed', []);
    await waitFor(() => expect(select.selectedOptions[0]?.textContent).toBe('hdmi.monitor (not connected)'));
  });
});
