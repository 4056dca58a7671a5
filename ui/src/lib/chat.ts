// Chat logic without DOM: the message list as the server reports it, and the Enter rule.
import type { ChatConnection, ChatLine, ChatUpdate } from './bindings';
import { appendOnce } from '../../../shared-ts/chat-rules';

// The rules the web site follows too live in shared-ts/ (one copy for both packages).
export { MAX_LINES, isAtBottom, isSendKey } from '../../../shared-ts/chat-rules';

/**
 * One row of the list: a message, or (for moderators only) the trace a moderation left:
 * `removedBy` on a deleted message (its text is no longer shown), or a kick row.
 * `by` is the moderator's user id, `null` when the backend does not say who.
 */
export type LogLine = ChatLine & { removedBy?: string | null; kick?: { by: string | null } };

export interface ChatLog {
  lines: LogLine[];
  connection: ChatConnection;
  lastError: string | null;
}

export function emptyLog(): ChatLog {
  return { lines: [], connection: 'connecting', lastError: null };
}

/** A log that starts with the room's recent messages (oldest first). */
export function logWithHistory(history: ChatLine[]): ChatLog {
  return history.reduce((log, line) => applyUpdate(log, { type: 'message', line }), emptyLog());
}

let kickRows = 0;

/**
 * Applies one update. Lines come only from the server's echo (no optimistic copy), so a
 * message appears exactly once; a repeated id is ignored. With `traces` (the user
 * moderates the room) a deleted message stays as "removed by …" and a kick adds a row;
 * viewers see neither.
 */
export function applyUpdate(log: ChatLog, update: ChatUpdate, traces = false): ChatLog {
  switch (update.type) {
    case 'connection':
      return { ...log, connection: update.state };
    case 'message': {
      const lines = appendOnce(log.lines, update.line);
      return lines === log.lines ? log : { ...log, lines };
    }
    case 'deleted':
      if (!traces) return { ...log, lines: log.lines.filter((l) => l.id !== update.messageId) };
      return {
        ...log,
        lines: log.lines.map((l) => (l.id === update.messageId ? { ...l, text: '', removedBy: update.by ?? null } : l)),
      };
    case 'kicked': {
      if (!traces) return log;
      const name = nameOf(log.lines, update.userId);
      const row: LogLine = {
        id: `kick-${++kickRows}`,
        userId: update.userId,
        name,
        avatar: '',
        text: '',
        sentAt: '',
        kick: { by: update.by ?? null },
      };
      return { ...log, lines: appendOnce(log.lines, row) };
    }
    case 'error':
      return { ...log, lastError: update.message };
  }
}

/** The name to show for a user id: their nickname from a line of theirs, else the id. */
export function nameOf(lines: readonly LogLine[], userId: string): string {
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i].userId === userId && !lines[i].kick) return lines[i].name;
  }
  return userId;
}
