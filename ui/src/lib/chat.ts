// Chat logic without DOM: the message list as the server reports it, and the Enter rule.
import type { ChatConnection, ChatLine, ChatUpdate } from './bindings';
import { appendOnce } from '../../../shared-ts/chat-rules';

// The rules the web site follows too live in shared-ts/ (one copy for both packages).
export { MAX_LINES, isAtBottom, isSendKey } from '../../../shared-ts/chat-rules';

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
      const lines = appendOnce(log.lines, update.line);
      return lines === log.lines ? log : { ...log, lines };
    }
    case 'deleted':
      return { ...log, lines: log.lines.filter((l) => l.id !== update.messageId) };
    case 'kicked':
      return log;
    case 'error':
      return { ...log, lastError: update.message };
  }
}
