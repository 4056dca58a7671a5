// Local recordings in the studio (issue 20, item 5): "Record while live" is on by default and
// saved when switched, "Record only" starts a session without a stream, and the newest
// recordings are listed with their size once a session ends.
import { beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import App from '../App.svelte';
import { studio } from '../lib/studio.svelte';
import { fakeBackend, signedIn } from './fake-backend';

const recording = {
  name: 'cloumer-2026-12-07_02-30-00Z.mkv',
  path: '/home/neo/Videos/Cloumer/cloumer-2026-12-07_02-30-00Z.mkv',
  sizeBytes: 12_345_678,
  modifiedMs: Date.UTC(2026, 11, 7, 2, 31),
};

beforeEach(() => {
  Object.assign(studio, { screen: 'welcome', backend: null, account: null, profile: null, settings: null, live: { state: 'idle' }, stats: [] });
});

describe('recordings', () => {
  it('records while live by default and saves the switch', async () => {
    const fake = fakeBackend({ app_info: signedIn });
    render(App);
    const box = (await screen.findByTestId('record-while-live')) as HTMLInputElement;
    await waitFor(() => expect(box.checked).toBe(true));
    await fireEvent.click(box);
    await waitFor(() =>
      expect(fake.calls.filter((c) => c.cmd === 'save_settings').map((c) => (c.args.settings as { recording: unknown }).recording)).toEqual([
        { whileLive: false, folder: null },
      ]),
    );
  });

  it('records only, then lists the new file when the session ends', async () => {
    let files: (typeof recording)[] = [];
    const fake = fakeBackend({ app_info: signedIn, list_recordings: () => files });
    render(App);
    expect(await screen.findByText('No recordings yet.')).toBeInTheDocument();
    await fireEvent.click(screen.getByTestId('record-only'));
    await waitFor(() => expect(fake.calls.some((c) => c.cmd === 'record_only')).toBe(true));
    await emit('live-state-changed', { state: 'live', sinceMs: Date.now() });
    await waitFor(() => expect(screen.getByTestId('record-only')).toBeDisabled());
    files = [recording];
    await emit('live-state-changed', { state: 'stopped', reason: 'user' });
    const item = await screen.findByTestId('recording-item');
    expect(item).toHaveTextContent(recording.name);
    expect(item).toHaveTextContent('12.3 MB');
  });
});
