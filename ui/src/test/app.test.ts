import { describe, expect, it, beforeEach } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import App from '../App.svelte';
import { studio } from '../lib/studio.svelte';
import { banners } from '../lib/banners.svelte';
import { fakeBackend, push, type Fake } from './fake-backend';

/** "Try it locally": one click, no form, straight to the studio. */
async function signUpLocally(fake: Fake) {
  render(App);
  await fireEvent.click(await screen.findByTestId('backend-local'));
  await screen.findByTestId('title-input');
  await waitFor(() => expect(fake.chat).not.toBeNull());
}

beforeEach(() => {
  studio.screen = 'welcome';
  studio.account = null;
  studio.profile = null;
  studio.live = { state: 'idle' };
  banners.clear();
});

describe('first run', () => {
  it('"Try it locally" shows every studio control at once, after one click', async () => {
    const fake = fakeBackend();
    await signUpLocally(fake);
    for (const id of ['title-input', 'title-save', 'go-live', 'stop-live', 'live-state', 'chat-input', 'chat-send', 'preview', 'stream-key', 'avatar-input', 'avatar-save', 'profile-avatar', 'stats-bitrate', 'stats-fps']) {
      expect(screen.getByTestId(id)).toBeInTheDocument();
    }
    expect(screen.getByTestId('live-state')).toHaveTextContent(/^idle$/);
    expect(fake.calls.some((c) => c.cmd === 'try_locally')).toBe(true);
    expect(fake.calls.some((c) => c.cmd === 'sign_up')).toBe(false);
  });

  it('shows a banner with what to do when the local backend fails', async () => {
    fakeBackend({ try_locally: () => { throw { kind: 'storage', message: 'data dir is read-only' }; } });
    render(App);
    await fireEvent.click(await screen.findByTestId('backend-local'));
    const banner = await screen.findByTestId('error-banner');
    expect(banner).toHaveTextContent('data dir is read-only');
    expect(banner).toHaveTextContent(/writable/);
    expect(screen.getByTestId('backend-local')).toBeEnabled();
  });
});

describe('studio', () => {
  it('saves the title on its own', async () => {
    const fake = fakeBackend();
    await signUpLocally(fake);
    await fireEvent.input(screen.getByTestId('title-input'), { target: { value: '첫 방송 — first stream' } });
    await fireEvent.click(screen.getByTestId('title-save'));
    await waitFor(() => expect(fake.calls.some((c) => c.cmd === 'save_title')).toBe(true));
    expect(fake.calls.find((c) => c.cmd === 'save_title')?.args.title).toBe('첫 방송 — first stream');
    await waitFor(() => expect(studio.profile?.title).toBe('첫 방송 — first stream'));
  });

  it('hides the stream key until revealed', async () => {
    const fake = fakeBackend();
    await signUpLocally(fake);
    const key = screen.getByTestId('stream-key') as HTMLInputElement;
    expect(key.type).toBe('password');
    expect(key.value.replace(/•/g, '')).toBe('WXYZ');
    await fireEvent.click(screen.getByRole('button', { name: 'Show' }));
    await waitFor(() => expect(key.type).toBe('text'));
    expect(key.value).toBe('sk_live_ABCDEFGHWXYZ');
  });

  it('goes live in one click and follows the state events', async () => {
    const fake = fakeBackend();
    await signUpLocally(fake);
    await fireEvent.click(screen.getByTestId('go-live'));
    expect(fake.calls.some((c) => c.cmd === 'go_live')).toBe(true);
    await emit('live-state-changed', { state: 'reconnecting', attempt: 2 });
    await waitFor(() => expect(screen.getByTestId('live-state')).toHaveTextContent(/^reconnecting$/));
    expect(screen.getByText('attempt 2')).toBeInTheDocument();
    await emit('live-state-changed', { state: 'live', sinceMs: Date.now() - 65_000 });
    await waitFor(() => expect(screen.getByTestId('live-state')).toHaveTextContent(/^live$/));
    expect(screen.getByText('1:05')).toBeInTheDocument();
    await fireEvent.click(screen.getByTestId('stop-live'));
    expect(fake.calls.some((c) => c.cmd === 'stop_live')).toBe(true);
    await emit('live-state-changed', { state: 'failed', kind: 'keyRejected', reason: 'the ingest refused the stream key', fix: 'Rotate the key' });
    await waitFor(() => expect(screen.getByTestId('live-state')).toHaveTextContent(/^failed$/));
    expect(screen.getByText(/the ingest refused the stream key/)).toBeInTheDocument();
  });
});

describe('chat', () => {
  const message = (id: string, text: string) => ({
    type: 'message' as const,
    line: { id, userId: 'u1', name: 'neo', avatar: '', text, sentAt: '2026-01-01T00:00:00Z' },
  });

  it('renders message text as text, never as HTML', async () => {
    const fake = fakeBackend();
    await signUpLocally(fake);
    push(fake, message('m1', '<img src=x onerror=alert(1)><b>bold</b>'));
    const row = await screen.findByTestId('chat-message');
    expect(row).toHaveTextContent('<img src=x onerror=alert(1)><b>bold</b>');
    expect(row.querySelector('b')).toBeNull();
    expect(row.querySelector('img[src="x"]')).toBeNull();
  });

  it('sends with Enter, never while composing, and shows only the server echo', async () => {
    const fake = fakeBackend();
    await signUpLocally(fake);
    const input = screen.getByTestId('chat-input');
    await fireEvent.input(input, { target: { value: '안녕' } });
    await fireEvent.keyDown(input, { key: 'Enter', isComposing: true, keyCode: 229 });
    expect(fake.calls.filter((c) => c.cmd === 'chat_send')).toHaveLength(0);
    await fireEvent.keyDown(input, { key: 'Enter', keyCode: 13 });
    await waitFor(() => expect(fake.calls.filter((c) => c.cmd === 'chat_send')).toHaveLength(1));
    expect(fake.calls.find((c) => c.cmd === 'chat_send')?.args.text).toBe('안녕');
    expect(screen.queryAllByTestId('chat-message')).toHaveLength(0);
    push(fake, message('m1', '안녕'));
    await waitFor(() => expect(screen.getAllByTestId('chat-message')).toHaveLength(1));
    expect((input as HTMLTextAreaElement).value).toBe('');
  });

  it('counts to 500 characters and blocks longer messages', async () => {
    const fake = fakeBackend();
    await signUpLocally(fake);
    await fireEvent.input(screen.getByTestId('chat-input'), { target: { value: '가'.repeat(501) } });
    expect(screen.getByText('501/500')).toBeInTheDocument();
    expect(screen.getByTestId('chat-send')).toBeDisabled();
  });

  it('deletes and kicks from inside the message row', async () => {
    const fake = fakeBackend();
    await signUpLocally(fake);
    push(fake, message('m7', 'spam'));
    const row = await screen.findByTestId('chat-message');
    await fireEvent.click(within(row).getByTestId('chat-delete'));
    await waitFor(() => expect(fake.calls.find((c) => c.cmd === 'chat_delete')?.args.messageId).toBe('m7'));
    await fireEvent.click(within(row).getByTestId('chat-kick'));
    await waitFor(() => expect(fake.calls.find((c) => c.cmd === 'chat_kick')?.args.userId).toBe('u1'));
    push(fake, { type: 'deleted', messageId: 'm7', by: null });
    await waitFor(() => expect(screen.queryAllByTestId('chat-message')).toHaveLength(0));
  });

  it('keeps up with a burst: the newest 500 lines, in order, each once', async () => {
    const fake = fakeBackend();
    await signUpLocally(fake);
    for (let i = 0; i < 600; i++) push(fake, message(`b${i}`, `line ${i}`));
    push(fake, message('b599', 'a repeated id is ignored'));
    await waitFor(() => expect(screen.getAllByTestId('chat-message').at(-1)).toHaveTextContent('line 599'));
    const rows = screen.getAllByTestId('chat-message');
    expect(rows).toHaveLength(500);
    expect(rows[0]).toHaveTextContent('line 100');
  });
});
