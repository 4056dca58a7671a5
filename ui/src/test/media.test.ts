// Preview frames, audio levels and stats arrive over the window's IPC channels
// (subscribe_media); these tests push into the mocked channels and check what the user sees.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import App from '../App.svelte';
import { studio } from '../lib/studio.svelte';
import { fakeBackend, signedIn, type Fake } from './fake-backend';

async function studioWithMedia(fake: Fake = fakeBackend({ app_info: signedIn })): Promise<NonNullable<Fake['media']>> {
  render(App);
  await screen.findByTestId('preview');
  await waitFor(() => expect(fake.media).not.toBeNull());
  // init() has finished (it ends by entering the studio): later events are not overwritten.
  await waitFor(() => expect(fake.calls.some((c) => c.cmd === 'get_profile')).toBe(true));
  return fake.media!;
}

/** What the preview canvas was given: jsdom has no image decoder nor 2D canvas. */
const painted: string[] = [];

/** jsdom's Blob has no text(). */
const text = (blob: Blob) =>
  new Promise<string>((ok) => {
    const reader = new FileReader();
    reader.onload = () => ok(reader.result as string);
    reader.readAsText(blob);
  });

/** A preview frame as the shell sends it: raw bytes (the tag stands in for a JPEG). */
const jpeg = (tag: string) => new TextEncoder().encode(tag).buffer;

// For the whole file (a frame may still be being drawn as a test ends).
globalThis.createImageBitmap = (async (blob: Blob) => ({ width: 480, height: 270, tag: `${blob.type} ${await text(blob)}`, close() {} })) as unknown as typeof createImageBitmap;
HTMLCanvasElement.prototype.getContext = (() => ({ drawImage: (bitmap: { tag: string }) => painted.push(bitmap.tag) })) as unknown as typeof HTMLCanvasElement.prototype.getContext;

beforeEach(() => {
  // One studio per app: start every test from a fresh launch.
  Object.assign(studio, { screen: 'welcome', backend: null, account: null, profile: null, preview: null, previewOn: false, live: { state: 'idle' }, stats: [] });
  painted.length = 0;
});

describe('media channels', () => {
  it('draws each preview frame as it arrives', async () => {
    const media = await studioWithMedia();
    await emit('live-state-changed', { state: 'live', sinceMs: Date.now() });
    const preview = screen.getByTestId('preview');
    expect(within(preview).queryByRole('img')).toBeNull();
    media.preview.onmessage(jpeg('AAAA'));
    await waitFor(() => expect(painted).toEqual(['image/jpeg AAAA']));
    const canvas = within(preview).getByRole('img', { name: 'Live preview' }).querySelector('canvas')!;
    expect([canvas.width, canvas.height]).toEqual([480, 270]);
    media.preview.onmessage(jpeg('BBBB'));
    await waitFor(() => expect(painted).toEqual(['image/jpeg AAAA', 'image/jpeg BBBB']));
  });

  it('skips to the newest frame when frames come faster than they are drawn', async () => {
    const media = await studioWithMedia();
    await emit('live-state-changed', { state: 'live', sinceMs: Date.now() });
    media.preview.onmessage(jpeg('1'));
    media.preview.onmessage(jpeg('2'));
    media.preview.onmessage(jpeg('3'));
    await waitFor(() => expect(painted.at(-1)).toBe('image/jpeg 3'));
    expect(painted.length).toBeLessThan(3);
  });

  it('tells the shell when the window is hidden and shown again', async () => {
    const fake = fakeBackend({ app_info: signedIn, set_preview_visible: () => null });
    await studioWithMedia(fake);
    const visible = () => fake.calls.filter((c) => c.cmd === 'set_preview_visible').map((c) => c.args.visible);
    const hidden = vi.spyOn(document, 'hidden', 'get');
    hidden.mockReturnValue(true);
    document.dispatchEvent(new Event('visibilitychange'));
    await waitFor(() => expect(visible().at(-1)).toBe(false));
    hidden.mockReturnValue(false);
    document.dispatchEvent(new Event('visibilitychange'));
    await waitFor(() => expect(visible().at(-1)).toBe(true));
    hidden.mockRestore();
  });

  it('moves the microphone meter with the levels', async () => {
    const media = await studioWithMedia();
    const meter = await screen.findByRole('meter', { name: 'Microphone level' });
    const fill = () => Number(meter.getAttribute('aria-valuenow'));
    expect(fill()).toBe(0);
    expect(meter).toHaveAttribute('aria-valuetext', 'silent');
    media.levels.onmessage({ microphoneDb: -6, desktopDb: -90 });
    await waitFor(() => expect(fill()).toBeCloseTo(0.9, 2));
    expect(meter).toHaveAttribute('aria-valuetext', '-6 dBFS');
    expect((meter.firstElementChild as HTMLElement).style.transform).toBe('scaleX(0.9)');
    media.levels.onmessage({ microphoneDb: -100, desktopDb: -100 });
    await waitFor(() => expect(fill()).toBe(0));
  });

  it('shows the latest stats sample', async () => {
    const media = await studioWithMedia();
    media.stats.onmessage({ bitrateKbps: 3500, fps: 30, droppedFrames: 0, encoder: 'x264', cpuPercent: 42, viewerCount: null, health: null, targetBitrateKbps: 3500, backlogMs: 100, congested: false });
    await waitFor(() => expect(screen.getByTestId('stats-bitrate')).toHaveTextContent('3.50 Mb/s'));
    expect(screen.getByTestId('stats-fps')).toHaveTextContent('30.0');
  });

  it('turns the preview on and off before going live', async () => {
    const fake = fakeBackend({ app_info: signedIn });
    const media = await studioWithMedia(fake);
    await fireEvent.click(screen.getByRole('button', { name: 'Show preview' }));
    await waitFor(() => expect(fake.calls.some((c) => c.cmd === 'start_preview')).toBe(true));
    media.preview.onmessage(jpeg('CCCC'));
    const preview = screen.getByTestId('preview');
    await waitFor(() => expect(within(preview).getByRole('img')).toBeInTheDocument());
    await fireEvent.click(screen.getByRole('button', { name: 'Hide preview' }));
    await waitFor(() => expect(fake.calls.some((c) => c.cmd === 'stop_preview')).toBe(true));
    expect(within(preview).queryByRole('img')).toBeNull();
  });

  it('leaves no frozen picture after the broadcast stops', async () => {
    const media = await studioWithMedia();
    await emit('live-state-changed', { state: 'live', sinceMs: Date.now() });
    media.preview.onmessage(jpeg('DDDD'));
    const preview = screen.getByTestId('preview');
    await waitFor(() => expect(within(preview).getByRole('img')).toBeInTheDocument());
    await emit('live-state-changed', { state: 'stopped', reason: 'requested' });
    await waitFor(() => expect(within(preview).queryByRole('img')).toBeNull());
    expect(await screen.findByText(/Stream ended/)).toBeInTheDocument();
    // A frame that was on its way when the broadcast ended arrives late: not drawn.
    media.preview.onmessage(jpeg('EEEE'));
    await new Promise((r) => setTimeout(r, 50));
    expect(within(preview).queryByRole('img')).toBeNull();
  });

  it('keeps the native preview over the picture, and off under a banner and once the picture goes', async () => {
    const fake = fakeBackend({ app_info: signedIn });
    const media = await studioWithMedia(fake);
    const places = () => fake.calls.filter((c) => c.cmd === 'place_preview').map((c) => c.args.rect);
    // jsdom lays nothing out: the picture's box is given a place on the screen.
    const box = { left: 12, top: 60, width: 640, height: 360 };
    const rect = vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockImplementation(
      () => ({ ...box, right: box.left + box.width, bottom: box.top + box.height, x: box.left, y: box.top, toJSON() {} }) as DOMRect,
    );
    Object.defineProperty(window, 'devicePixelRatio', { value: 2, configurable: true });
    try {
      await emit('live-state-changed', { state: 'live', sinceMs: Date.now() });
      expect(places()).toEqual([]);
      media.preview.onmessage(jpeg('FFFF'));
      await waitFor(() => expect(places()).toEqual([{ x: 24, y: 120, width: 1280, height: 720 }]));
      // The window grows: the box is reported again, once.
      box.width = 800;
      window.dispatchEvent(new Event('resize'));
      window.dispatchEvent(new Event('resize'));
      await waitFor(() => expect(places().at(-1)).toEqual({ x: 24, y: 120, width: 1600, height: 720 }));
      expect(places()).toHaveLength(2);
      // An error banner shows: the native window steps aside (it would cover the banner).
      const { banners } = await import('../lib/banners.svelte');
      banners.report({ kind: 'unavailable', message: 'Something failed' });
      await waitFor(() => expect(places().at(-1)).toBeNull());
      banners.clear();
      await waitFor(() => expect(places().at(-1)).toEqual({ x: 24, y: 120, width: 1600, height: 720 }));
      // Scrolled partly out of sight: a native window cannot be clipped, the canvas can.
      box.top = -40;
      window.dispatchEvent(new Event('scroll'));
      await waitFor(() => expect(places().at(-1)).toBeNull());
      box.top = 60;
      window.dispatchEvent(new Event('scroll'));
      await waitFor(() => expect(places().at(-1)).toEqual({ x: 24, y: 120, width: 1600, height: 720 }));
      // The broadcast ends: the picture and the native window go.
      await emit('live-state-changed', { state: 'stopped', reason: 'requested' });
      await waitFor(() => expect(places().at(-1)).toBeNull());
    } finally {
      rect.mockRestore();
      Object.defineProperty(window, 'devicePixelRatio', { value: 1, configurable: true });
    }
  });
});
