import { describe, expect, it } from 'vitest';
import { applyUpdate, emptyLog, isAtBottom, isSendKey, logWithHistory, MAX_LINES, nameOf } from './chat';
import type { ChatLine } from './bindings';

const line = (id: string, text = 'hi'): ChatLine => ({ id, userId: 'u', name: 'n', avatar: '', text, sentAt: '' });
const key = (over: Partial<KeyboardEvent>) => ({ key: 'Enter', shiftKey: false, isComposing: false, keyCode: 13, ...over });

describe('chat log', () => {
  it('keeps one line per message id (the server echo is the only copy)', () => {
    let log = applyUpdate(emptyLog(), { type: 'message', line: line('m1') });
    log = applyUpdate(log, { type: 'message', line: line('m1') });
    expect(log.lines.map((l) => l.id)).toEqual(['m1']);
  });

  it('removes a deleted message and tracks the connection', () => {
    let log = applyUpdate(emptyLog(), { type: 'message', line: line('m1') });
    log = applyUpdate(log, { type: 'message', line: line('m2') });
    log = applyUpdate(log, { type: 'deleted', messageId: 'm1', by: null });
    log = applyUpdate(log, { type: 'connection', state: 'connected' });
    expect(log.lines.map((l) => l.id)).toEqual(['m2']);
    expect(log.connection).toBe('connected');
  });

  it('leaves moderators a trace of deletes and kicks, and viewers none', () => {
    const start = logWithHistory([line('m1'), { ...line('m2'), userId: 'troll', name: 'Troll' }]);
    expect(start.lines.map((l) => l.id)).toEqual(['m1', 'm2']);
    const deleted = { type: 'deleted' as const, messageId: 'm2', by: 'boss' };
    const kicked = { type: 'kicked' as const, userId: 'troll', by: null };
    const viewer = applyUpdate(applyUpdate(start, deleted), kicked);
    expect(viewer.lines.map((l) => l.id)).toEqual(['m1']);
    const mod = applyUpdate(applyUpdate(start, deleted, true), kicked, true);
    expect(mod.lines).toHaveLength(3);
    expect(mod.lines[1]).toMatchObject({ id: 'm2', text: '', removedBy: 'boss' });
    expect(mod.lines[2]).toMatchObject({ userId: 'troll', name: 'Troll', kick: { by: null } });
    expect(nameOf(mod.lines, 'troll')).toBe('Troll');
    expect(nameOf(mod.lines, 'stranger')).toBe('stranger');
  });

  it('drops the oldest lines beyond the limit', () => {
    let log = emptyLog();
    for (let i = 0; i < MAX_LINES + 10; i++) log = applyUpdate(log, { type: 'message', line: line(`m${i}`) });
    expect(log.lines).toHaveLength(MAX_LINES);
    expect(log.lines[0].id).toBe('m10');
  });
});

describe('Enter sends', () => {
  it('sends on plain Enter only', () => {
    expect(isSendKey(key({}))).toBe(true);
    expect(isSendKey(key({ shiftKey: true }))).toBe(false);
    expect(isSendKey(key({ key: 'a', keyCode: 65 }))).toBe(false);
  });

  it('never sends while an IME is composing (Korean input confirms syllables with Enter)', () => {
    expect(isSendKey(key({ isComposing: true }))).toBe(false);
    expect(isSendKey(key({ keyCode: 229 }))).toBe(false);
  });
});

it('follows new lines only near the bottom', () => {
  expect(isAtBottom({ scrollTop: 900, scrollHeight: 1000, clientHeight: 100 })).toBe(true);
  expect(isAtBottom({ scrollTop: 400, scrollHeight: 1000, clientHeight: 100 })).toBe(false);
});
