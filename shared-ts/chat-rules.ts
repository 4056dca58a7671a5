// Chat rules the studio (ui/) and the web site (web/) both follow: one copy, imported by both.
// No DOM, no framework, no dependencies, so either package's bundler and tests take it as is.

/** Keeps at most this many lines: old ones scroll away (and free memory at 100 msg/s). */
export const MAX_LINES = 500;

/** The room's maximum message length (IVS Chat's default, in code points). */
export const MAX_MESSAGE_CHARS = 500;

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

/** Appends `line` unless its id is already there, keeping the last MAX_LINES. */
export function appendOnce<T extends { id: string }>(lines: T[], line: T): T[] {
  if (lines.some((l) => l.id === line.id)) return lines;
  const next = [...lines, line];
  return next.length > MAX_LINES ? next.slice(-MAX_LINES) : next;
}

/** What a chat token lets its holder do to other people's messages. */
export interface Moderation {
  /** DELETE_MESSAGE: remove any message in the room. */
  canDelete: boolean;
  /**
   * DISCONNECT_USER: kick a user out of the room. The same capability marks the channel's
   * owner and moderators, who may also time out and ban (the studio's `canModerate`).
   */
  canKick: boolean;
}

/**
 * The moderation a token allows, from the capabilities the backend reports beside it (IVS
 * Chat's names; `cloumer serve` and the AWS API list them in the chat-token answer). No list,
 * as from a backend that does not report one, means none: the page offers no button the
 * room would refuse.
 */
export function moderationOf(capabilities: readonly string[] | null | undefined): Moderation {
  const has = (c: string) => Array.isArray(capabilities) && capabilities.includes(c);
  return { canDelete: has('DELETE_MESSAGE'), canKick: has('DISCONNECT_USER') };
}

/** The timeout lengths offered, in seconds (the server takes 1 s to 30 days). */
export const TIMEOUT_CHOICES: readonly number[] = [60, 600, 3600, 86400];

/** The timeout offered first: long enough to cool a troll down, short enough to forgive. */
export const DEFAULT_TIMEOUT = 600;

/**
 * Whether the author of a line may be kicked, timed out or banned by `me`, a moderator of
 * `channel`: never oneself, never the channel's owner (the server refuses both).
 */
export function mayRestrict(author: string, me: string | null | undefined, channel: string): boolean {
  return author !== '' && author !== me && author !== channel;
}

export type DurationUnit = 'seconds' | 'minutes' | 'hours' | 'days';

/**
 * A length of time as its largest whole unit (`600` is 10 minutes, `5400` stays 90
 * minutes), for a message file's plural text per unit. Not Intl.DurationFormat: older
 * WebKitGTK releases the studio runs on lack it.
 */
export function durationParts(totalSeconds: number): { unit: DurationUnit; n: number } {
  const s = Math.max(0, Math.round(totalSeconds));
  if (s > 0 && s % 86400 === 0) return { unit: 'days', n: s / 86400 };
  if (s > 0 && s % 3600 === 0) return { unit: 'hours', n: s / 3600 };
  if (s > 0 && s % 60 === 0) return { unit: 'minutes', n: s / 60 };
  return { unit: 'seconds', n: s };
}
