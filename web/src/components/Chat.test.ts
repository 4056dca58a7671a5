// The channel page's chat as its owner or a moderator uses it: Timeout and Ban beside
// Delete and Kick (real buttons in each message's tab order, labelled for screen readers,
// outcomes announced), the same REST route the studio calls, a refusal said plainly with
// nothing lost; a viewer the server keeps out is told why and keeps the draft. The room
// (IVS Chat protocol) is a fake; the REST call goes through the page's real code to a
// stubbed fetch.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { locale } from 'svelte-i18n';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { session } from '../lib/auth.svelte';
import Chat from './Chat.svelte';

type Listener = (...args: unknown[]) => void;

/** What the page's `openRoom` was given and a fake room it answered with. */
const rooms: Array<{
  onCapabilities: (c: string[]) => void;
  onRefused: (reason: string) => void;
  emit: (name: string, ...args: unknown[]) => void;
  connects: number;
  sent: string[];
}> = [];

vi.mock('../lib/config', () => ({
  config: () => ({ region: 'test', userPoolId: 'pool', clientId: 'client', apiUrl: 'http://api.test', chatEndpoint: 'ws://chat.test' }),
}));

vi.mock('../lib/auth.svelte', async (original) => ({
  ...(await original<typeof import('../lib/auth.svelte')>()),
  idToken: vi.fn(async () => 'the-id-token'),
}));

vi.mock('../lib/chat-room', async (original) => ({
  ...(await original<typeof import('../lib/chat-room')>()),
  history: vi.fn(async () => []),
  openRoom: vi.fn((_channel: string, _loggedIn: boolean, onCapabilities: (c: string[]) => void, onRefused: (r: string) => void) => {
    const listeners = new Map<string, Listener[]>();
    const entry = {
      onCapabilities,
      onRefused,
      connects: 0,
      sent: [] as string[],
      emit: (name: string, ...args: unknown[]) => listeners.get(name)?.forEach((l) => l(...args)),
    };
    rooms.push(entry);
    return {
      state: 'disconnected',
      addListener(name: string, l: Listener) {
        listeners.set(name, [...(listeners.get(name) ?? []), l]);
        return () => listeners.set(name, (listeners.get(name) ?? []).filter((x) => x !== l));
      },
      connect() {
        entry.connects++;
        entry.emit('connecting');
      },
      disconnect() {},
      async sendMessage(request: { content: string }) {
        entry.sent.push(request.content);
      },
    };
  }),
}));

const MODERATOR = ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER'];
let fetchMock: ReturnType<typeof vi.fn>;

function message(id: string, userId: string, name: string, content: string) {
  return { id, content, sender: { userId, attributes: { username: name } } };
}

/** The page of channel `streamer` for the signed-in `me`, connected with `capabilities`. */
async function openChat(me: string, capabilities: string[]) {
  session.account = { username: `${me}@example.com`, nickname: me, channel: me };
  render(Chat, { channel: 'streamer' });
  const room = rooms.at(-1)!;
  room.onCapabilities(capabilities);
  room.emit('connect');
  room.emit('message', message('m1', 'troll', 'Troll', 'spam spam'));
  room.emit('message', message('m2', me, me, 'my own line'));
  room.emit('message', message('m3', 'streamer', 'Streamer', 'hello chat'));
  const rows = await screen.findAllByRole('listitem');
  expect(rows).toHaveLength(3);
  return { room, rows };
}

function answer(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

beforeEach(() => {
  rooms.length = 0;
  fetchMock = vi.fn(async () => answer(200, { userId: 'troll', until: '2030-01-01T00:00:00Z', reason: '' }));
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => {
  vi.unstubAllGlobals();
  session.account = null;
});

describe('chat moderation on the channel page', () => {
  it('lets a moderator time out and ban through the restrictions route, from the keyboard', async () => {
    const { rows } = await openChat('mod', MODERATOR);
    const troll = rows[0];
    // Delete, Kick, Timeout, Ban: buttons in the line's group, in this order.
    const group = within(troll).getByRole('group', { name: 'Moderate Troll' });
    expect(within(group).getAllByRole('button').map((b) => b.dataset.testid)).toEqual([
      'chat-delete',
      'chat-kick',
      'chat-timeout',
      'chat-ban',
    ]);
    // Never oneself, never the channel's owner (the server refuses both).
    for (const row of [rows[1], rows[2]]) {
      expect(within(row).queryByTestId('chat-timeout')).toBeNull();
      expect(within(row).queryByTestId('chat-ban')).toBeNull();
      expect(within(row).getByTestId('chat-delete')).toBeInTheDocument();
    }

    await fireEvent.change(screen.getByTestId('chat-timeout-duration'), { target: { value: '3600' } });
    const timeout = within(troll).getByTestId('chat-timeout');
    expect(timeout).toHaveAccessibleName('Time out Troll for 1 hour');
    timeout.focus();
    expect(document.activeElement).toBe(timeout);
    await fireEvent.click(timeout);
    await waitFor(() => expect(screen.getByTestId('chat-announce')).toHaveTextContent('Timed out Troll for 1 hour'));
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('http://api.test/stream/v1/chat-restrictions/streamer/troll');
    expect(init.method).toBe('PUT');
    expect(JSON.parse(String(init.body))).toEqual({ durationSeconds: 3600 });
    const headers = new Headers(init.headers);
    expect(headers.get('Authorization')).toBe('the-id-token');
    expect(headers.get('Content-Type')).toBe('application/json');

    const ban = within(troll).getByTestId('chat-ban');
    expect(ban).toHaveAccessibleName('Ban Troll from this chat');
    await fireEvent.click(ban);
    await waitFor(() => expect(screen.getByTestId('chat-announce')).toHaveTextContent('Banned Troll'));
    const [banUrl, banInit] = fetchMock.mock.calls[1] as [string, RequestInit];
    expect(banUrl).toBe('http://api.test/stream/v1/chat-restrictions/streamer/troll');
    expect(JSON.parse(String(banInit.body))).toEqual({});
    expect(screen.queryByTestId('chat-error')).toBeNull();
  });

  it('offers a plain viewer no timeout, ban or length', async () => {
    const { rows } = await openChat('viewer', ['SEND_MESSAGE']);
    for (const row of rows) expect(within(row).queryByRole('button')).toBeNull();
    expect(screen.queryByTestId('chat-timeout-duration')).toBeNull();
  });

  it('says plainly when the server refuses, and loses nothing', async () => {
    const { rows } = await openChat('mod', MODERATOR);
    await fireEvent.change(screen.getByTestId('chat-timeout-duration'), { target: { value: '86400' } });
    await fireEvent.input(screen.getByTestId('chat-input'), { target: { value: 'half-typed' } });

    fetchMock.mockResolvedValueOnce(answer(403, { message: 'only the channel\'s owner and moderators may do this' }));
    await fireEvent.click(within(rows[0]).getByTestId('chat-timeout'));
    const error = await screen.findByTestId('chat-error');
    expect(error).toHaveTextContent("Could not do it: Only the channel's owner and its moderators may do this.");
    expect(error).toHaveAttribute('role', 'alert');
    expect(screen.getByTestId('chat-announce')).toHaveTextContent('Could not do it');

    fetchMock.mockResolvedValueOnce(answer(429, { message: 'slow down' }));
    await fireEvent.click(within(rows[0]).getByTestId('chat-ban'));
    await waitFor(() => expect(screen.getByTestId('chat-error')).toHaveTextContent('Too many requests. Wait a moment and try again.'));

    // The lines, the draft and the chosen length are all still there.
    expect(screen.getAllByTestId('chat-message')).toHaveLength(3);
    expect(screen.getByTestId('chat-input')).toHaveValue('half-typed');
    expect(screen.getByTestId('chat-timeout-duration')).toHaveValue('86400');
    expect(within(rows[0]).getByTestId('chat-timeout')).toHaveAccessibleName('Time out Troll for 1 day');

    // The next success clears the error.
    await fireEvent.click(within(rows[0]).getByTestId('chat-timeout'));
    await waitFor(() => expect(screen.queryByTestId('chat-error')).toBeNull());
  });

  it('tells a timed-out viewer why, keeps the draft and rejoins on Send', async () => {
    const { room } = await openChat('viewer', ['SEND_MESSAGE']);
    // The server disconnects the viewer, then refuses the rejoin's token (R5: 403).
    room.emit('disconnect', 'serverDisconnect');
    await fireEvent.input(screen.getByTestId('chat-input'), { target: { value: 'let me back' } });
    const connects = room.connects;
    await fireEvent.click(screen.getByTestId('chat-send'));
    expect(room.connects).toBe(connects + 1);
    room.onRefused('you are timed out of this chat until 2030-01-01T00:00:00Z');
    room.emit('disconnect', 'fetchTokenError');
    const refused = await screen.findByTestId('chat-refused');
    // The end time in the reader's words, not RFC 3339.
    const until = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date('2030-01-01T00:00:00Z'));
    expect(refused).toHaveTextContent(`You cannot chat here now: you are timed out of this chat until ${until}`);
    expect(screen.getByTestId('chat-input')).toHaveValue('let me back');
    expect(room.sent).toEqual([]);

    // Once the timeout is over, Send rejoins and the kept draft goes out.
    await fireEvent.click(screen.getByTestId('chat-send'));
    expect(room.connects).toBe(connects + 2);
    room.emit('connect');
    await waitFor(() => expect(room.sent).toEqual(['let me back']));
    expect(screen.queryByTestId('chat-refused')).toBeNull();
    await waitFor(() => expect(screen.getByTestId('chat-input')).toHaveValue(''));
  });

  it('speaks Korean', async () => {
    await locale.set('ko');
    const { rows } = await openChat('mod', MODERATOR);
    const timeout = within(rows[0]).getByTestId('chat-timeout');
    expect(timeout).toHaveTextContent('타임아웃');
    expect(timeout).toHaveAccessibleName('Troll 님을 10분 동안 타임아웃');
    expect(within(rows[0]).getByTestId('chat-ban')).toHaveAccessibleName('Troll 님을 이 채팅에서 차단');
  });
});
