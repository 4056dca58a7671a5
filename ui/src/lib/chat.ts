// Chat logic without DOM: the message list as the server reports it, and the Enter rule.
import type { ChatConnection, ChatLine, ChatUpdate } from './bindings';

/** Keeps at most this many lines: old ones scroll away (and free memory at 100 msg/s). */
export const MAX_LINES = 500;

export interface ChatLog {
  lines: ChatLine[];
  connection: ChatConnection;
  lastError: string | null;
}

export function emptyLog(): ChatLog {
  return { lines: [], connection: 'connecting', lastError: null };
}

/**
 * Applies one update. Lines come only from the server's echo (no optimistic copy), so a
 * message appears exactly once; a repeated id is ignored.
 */
export function applyUpdate(log: ChatLog, update: ChatUpdate): ChatLog {
  switch (update.type) {
    case 'connection':
      return { ...log, connection: update.state };
    case 'message': {
      if (log.lines.some((l) => l.id === update.line.id)) return log;
      const lines = [...log.lines, update.line];
      return { ...log, lines: lines.length > MAX_LINES ? lines.slice(-MAX_LINES) : lines };
    }
    case 'deleted':
      return { ...log, lines: log.lines.filter((l) => l.id !== update.messageId) };
    case 'kicked':
      return log;
    case 'error':
      return { ...log, lastError: update.message };
  }
}

/**
 * Whether this keydown sends the message: Enter without Shift, and never while an IME is
 * composing (Korean, Japanese, Chinese input confirm a syllable with Enter: keyCode 229).
 */
export function isSendKey(e: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'isComposing' | 'keyCode'>): boolean {
  if (e.isComposing || e.keyCode === 229) return false;
  return e.key === 'Enter' && !e.shiftKey;
}

/** True when the list is scrolled to (near) its bottom, so new lines should follow. */
export function isAtBottom(el: { scrollTop: number; scrollHeight: number; clientHeight: number }): boolean {
  return el.scrollHeight - el.scrollTop - el.clientHeight < 24;
}
