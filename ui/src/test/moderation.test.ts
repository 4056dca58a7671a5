// The chat panel's moderation (issue 21): buttons in the tab order (not only on hover)
// named after the author and announced when done, shown only for the token's
// capabilities; history on opening; the channels one moderates; traces for moderators;
// timeouts and bans listed and liftable; the moderator list of the open channel.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { applyLang } from '../i18n';
import ChatPanel from '../components/ChatPanel.svelte';
import { studio } from '../lib/studio.svelte';
import { banners } from '../lib/banners.svelte';
import type { ChatLine, ChatRoom } from '../lib/bindings';
import { fakeBackend, profile, push, type Fake } from './fake-backend';

const line = (id: string, userId: string, name: string, text = 'hi'): ChatLine => ({ id, userId, name, avatar: '', text, sentAt: '2026-01-01T00:00:00Z' });
const room = (over: Partial<ChatRoom> = {}): ChatRoom => ({
  channel: 'boss',
  isOwn: false,
  canSend: true,
  canDelete: true,
  canModerate: true,
  history: [line('h1', 'troll', 'Troll', 'earlier'), line('h2', 'boss', 'Boss', 'welcome')],
  ...over,
});

function setup(opened: ChatRoom, extra: Fake['handlers'] = {}): Fake {
  const fake = fakeBackend({
    chat_open: (a) => {
      fake.chat = a.updates as Fake['chat'];
      return opened;
    },
    moderated_channels: () => [{ channel: 'boss', nickname: 'Boss' }],
    ...extra,
  });
  return fake;
}

beforeEach(() => {
  studio.account = { email: 'me@example.com', nickname: 'neo', channel: profile.channel };
  banners.clear();
});
afterEach(() => applyLang('en'));

describe('chat moderation', () => {
  it('shows the history, and reachable, named buttons for a moderator', async () => {
    const fake = setup(room());
    render(ChatPanel);
    const rows = await screen.findAllByTestId('chat-message');
    expect(rows.map((r) => r.dataset.messageId)).toEqual(['h1', 'h2']);
    const troll = rows[0];
    for (const id of ['chat-delete', 'chat-kick', 'chat-timeout', 'chat-ban']) {
      const button = within(troll).getByTestId(id);
      // A real button, in the tab order, visible without hovering.
      expect(button.tagName).toBe('BUTTON');
      expect(button.tabIndex).toBe(0);
      expect(button).toBeVisible();
      expect(button.getAttribute('aria-label')).toContain('Troll');
    }
    // The owner's own line may be deleted, not kicked or banned.
    expect(within(rows[1]).getByTestId('chat-delete')).toBeInTheDocument();
    expect(within(rows[1]).queryByTestId('chat-ban')).toBeNull();

    await fireEvent.change(screen.getByTestId('chat-timeout-duration'), { target: { value: '3600' } });
    expect(within(troll).getByTestId('chat-timeout').getAttribute('aria-label')).toBe('Time out Troll for 1 hour');
    within(troll).getByTestId('chat-timeout').focus();
    await fireEvent.click(within(troll).getByTestId('chat-timeout'));
    await waitFor(() => expect(fake.calls.find((c) => c.cmd === 'chat_timeout')?.args).toEqual({ userId: 'troll', seconds: 3600 }));
    const announce = screen.getByTestId('chat-announce');
    expect(announce).toHaveAttribute('aria-live', 'polite');
    await waitFor(() => expect(announce).toHaveTextContent('Timed out Troll for 1 hour'));
    await fireEvent.click(within(troll).getByTestId('chat-ban'));
    await waitFor(() => expect(announce).toHaveTextContent('Banned Troll'));
    expect(fake.calls.find((c) => c.cmd === 'chat_ban')?.args).toEqual({ userId: 'troll' });
  });

  it('shows no moderation to a viewer, and no traces', async () => {
    const fake = setup(room({ canDelete: false, canModerate: false }));
    render(ChatPanel);
    await screen.findAllByTestId('chat-message');
    for (const id of ['chat-delete', 'chat-kick', 'chat-timeout', 'chat-ban', 'chat-timeout-duration', 'moderation-toggle']) {
      expect(screen.queryByTestId(id)).toBeNull();
    }
    push(fake, { type: 'deleted', messageId: 'h1', by: 'boss' });
    push(fake, { type: 'kicked', userId: 'troll', by: 'boss' });
    await waitFor(() => expect(screen.getAllByTestId('chat-message')).toHaveLength(1));
    expect(screen.queryByTestId('chat-removed-trace')).toBeNull();
    expect(screen.queryByTestId('chat-kick-trace')).toBeNull();
  });

  it('leaves moderators a trace naming who removed what', async () => {
    const fake = setup(room());
    render(ChatPanel);
    await screen.findAllByTestId('chat-message');
    push(fake, { type: 'deleted', messageId: 'h1', by: 'boss' });
    push(fake, { type: 'kicked', userId: 'troll', by: null });
    expect(await screen.findByTestId('chat-removed-trace')).toHaveTextContent('Troll Message removed by Boss');
    expect(screen.getByTestId('chat-removed-trace')).not.toHaveTextContent('earlier');
    expect(screen.getByTestId('chat-kick-trace')).toHaveTextContent('Troll was removed from the chat by a moderator');
  });

  it('opens a moderated channel in one click and lists its bans, liftable', async () => {
    let bans = [{ userId: 'troll', until: null as string | null, reason: '' }];
    const fake = setup(room(), {
      chat_restrictions: () => bans,
      chat_lift: () => (bans = []),
      chat_moderators: () => [{ channel: 'me', nickname: 'neo' }],
    });
    render(ChatPanel);
    const nav = await screen.findByTestId('moderated-channels');
    await fireEvent.click(within(nav).getByTestId('moderated-channel-open'));
    await waitFor(() => expect(fake.calls.filter((c) => c.cmd === 'chat_open').at(-1)?.args.channel).toBe('boss'));
    await screen.findAllByTestId('chat-message');
    await fireEvent.click(screen.getByTestId('moderation-toggle'));
    const list = await screen.findByTestId('bans-list');
    await waitFor(() => expect(within(list).getByTestId('ban-row')).toHaveTextContent('Troll'));
    expect(within(list).getByTestId('ban-row')).toHaveTextContent('banned until lifted');
    // A moderator of someone else's channel sees its moderators but cannot edit them.
    expect(screen.getByTestId('moderators-list')).toHaveTextContent('neo');
    expect(screen.queryByTestId('moderator-add')).toBeNull();
    await fireEvent.click(within(list).getByTestId('ban-lift'));
    await waitFor(() => expect(screen.queryByTestId('ban-row')).toBeNull());
    expect(fake.calls.find((c) => c.cmd === 'chat_lift')?.args).toEqual({ userId: 'troll' });
    expect(screen.getByTestId('chat-announce')).toHaveTextContent('Troll may chat again');
  });

  it('edits the moderators of the open channel when it is the user\'s own', async () => {
    const fake = setup(room({ channel: profile.channel, isOwn: true }), {
      chat_set_moderator: (a) => [{ channel: a.channel as string, nickname: 'Bob' }],
    });
    render(ChatPanel);
    await screen.findAllByTestId('chat-message');
    await fireEvent.click(screen.getByTestId('moderation-toggle'));
    await fireEvent.input(await screen.findByTestId('moderator-input'), { target: { value: 'bob' } });
    await fireEvent.click(screen.getByTestId('moderator-add'));
    await waitFor(() => expect(fake.calls.find((c) => c.cmd === 'chat_set_moderator')?.args).toEqual({ channel: 'bob', on: true }));
    await waitFor(() => expect(screen.getByTestId('moderators-list')).toHaveTextContent('Bob'));
  });

  it('says why a banned user cannot open the chat', async () => {
    setup(room(), {
      chat_open: () => {
        throw { kind: 'backend', message: 'you are banned from this chat' };
      },
    });
    render(ChatPanel);
    expect(await screen.findByTestId('chat-error')).toHaveTextContent('you are banned from this chat');
  });

  it('leaves no English word in Korean, moderation tools and traces included', async () => {
    applyLang('ko');
    const fake = setup(room(), { chat_restrictions: () => [{ userId: 'troll', until: '2030-01-01T00:00:00Z', reason: '' }] });
    const { container } = render(ChatPanel);
    await screen.findAllByTestId('chat-message');
    push(fake, { type: 'deleted', messageId: 'h1', by: null });
    push(fake, { type: 'kicked', userId: 'troll', by: profile.channel });
    await screen.findByTestId('chat-kick-trace');
    await fireEvent.click(screen.getByTestId('moderation-toggle'));
    await screen.findByTestId('ban-row');
    // Names and channel ids are the users' own words, not the studio's; keys keep their labels.
    const names = new Set(['Enter', 'Shift', 'Troll', 'Boss', 'boss', 'troll', 'neo', 'PM', 'AM', ...profile.channel.split(/[^A-Za-z0-9]+/)]);
    const english: string[] = [];
    const check = (text: string) => {
      for (const word of text.match(/[A-Za-z][A-Za-z0-9]+/g) ?? []) if (!names.has(word)) english.push(`${word} in "${text.trim()}"`);
    };
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) if (!n.parentElement?.closest('.mono, [data-testid="chat-text"]')) check(n.textContent ?? '');
    for (const el of container.querySelectorAll<HTMLElement>('*')) for (const a of ['aria-label', 'placeholder']) check(el.getAttribute(a) ?? '');
    expect(english).toEqual([]);
  });

  it('speaks Korean', async () => {
    applyLang('ko');
    setup(room());
    render(ChatPanel);
    const rows = await screen.findAllByTestId('chat-message');
    expect(within(rows[0]).getByTestId('chat-kick')).toHaveTextContent('강퇴');
    expect(within(rows[0]).getByTestId('chat-ban')).toHaveTextContent('차단');
    expect(within(rows[0]).getByTestId('chat-ban').getAttribute('aria-label')).toBe('Troll 님을 이 채팅에서 차단');
    expect(screen.getByTestId('chat-send')).toHaveTextContent('보내기');
  });
});
