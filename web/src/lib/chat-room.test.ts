// The chat token for a viewer the server keeps out (R5: 403, timed out or banned): the page
// hears why once, and the SDK's immediate retries do not ask the server again meanwhile.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './api';

const built: Array<{ tokenProvider: () => Promise<unknown> }> = [];

vi.mock('amazon-ivs-chat-messaging', () => ({
  ChatRoom: vi.fn(function (this: unknown, options: { tokenProvider: () => Promise<unknown> }) {
    built.push(options);
  }),
  DeleteMessageRequest: vi.fn(),
  DisconnectUserRequest: vi.fn(),
  SendMessageRequest: vi.fn(),
}));
vi.mock('./config', () => ({ config: () => ({ region: 'test', apiUrl: 'http://api.test', chatEndpoint: 'ws://chat.test' }) }));
vi.mock('./auth.svelte', () => ({ idToken: async () => 'the-id-token' }));
const chatToken = vi.fn();
vi.mock('./api', async (original) => ({
  ...(await original<typeof import('./api')>()),
  chatToken: (...args: unknown[]) => chatToken(...args),
}));

const { openRoom } = await import('./chat-room');

afterEach(() => {
  built.length = 0;
  chatToken.mockReset();
  vi.useRealTimers();
});

describe('openRoom', () => {
  it('reports a refusal once and answers the quick retries from memory', async () => {
    vi.useFakeTimers();
    const refusal = new ApiError(403, 'you are timed out of this chat until 2030-01-01T00:00:00Z');
    chatToken.mockRejectedValue(refusal);
    const onRefused = vi.fn();
    openRoom('streamer', true, () => {}, onRefused);
    const { tokenProvider } = built[0];
    for (let i = 0; i < 10; i++) await expect(tokenProvider()).rejects.toBe(refusal);
    expect(chatToken).toHaveBeenCalledTimes(1);
    expect(onRefused).toHaveBeenCalledOnce();
    expect(onRefused).toHaveBeenCalledWith(refusal.message);

    // A later Send asks the server again; once the timeout is over it answers a token.
    vi.advanceTimersByTime(5000);
    chatToken.mockResolvedValue({ token: 't', capabilities: ['SEND_MESSAGE'] });
    const onCapabilities = vi.fn();
    openRoom('streamer', true, onCapabilities, onRefused);
    await expect(built[1].tokenProvider()).resolves.toMatchObject({ token: 't' });
    await expect(tokenProvider()).resolves.toMatchObject({ token: 't' });
    expect(onCapabilities).toHaveBeenCalledWith(['SEND_MESSAGE']);
  });

  it('passes other failures through without calling them a refusal', async () => {
    chatToken.mockRejectedValue(new ApiError(429, 'slow down'));
    const onRefused = vi.fn();
    openRoom('streamer', true, () => {}, onRefused);
    await expect(built[0].tokenProvider()).rejects.toMatchObject({ status: 429 });
    await expect(built[0].tokenProvider()).rejects.toMatchObject({ status: 429 });
    expect(chatToken).toHaveBeenCalledTimes(2);
    expect(onRefused).not.toHaveBeenCalled();
  });
});
