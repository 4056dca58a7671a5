// Small helpers for what the studio shows. Numbers, plurals and durations go through the
// i18n messages (ICU, formatted with Intl in the current language).

import { LIMITS, type BackendInfo, type QualityPreset } from './bindings';
import { currentLang, t } from '../i18n';
import { durationParts } from '../../../shared-ts/chat-rules';

/** The presets' video bitrates (kbit/s), generated from `QualityPreset::video` in the shell. */
export const PRESET_KBPS: Record<QualityPreset, number> = LIMITS.presetKbps;

/** `h:mm:ss` or `m:ss` since `sinceMs` (epoch milliseconds). */
export function elapsed(sinceMs: number, nowMs: number): string {
  const total = Math.max(0, Math.floor((nowMs - sinceMs) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => n.toString().padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** A stream key with at most its last four characters visible. */
export function maskKey(last4: string): string {
  return last4 ? `••••••••${last4.slice(-4)}` : '••••••••';
}

export function kbps(value: number): string {
  return value >= 1000 ? t('format.mbps', { values: { n: value / 1000 } }) : t('format.kbps', { values: { n: value } });
}

/** Seconds with one decimal (`1.8 s`, `1.8초`). */
export function seconds(value: number): string {
  return t('format.seconds', { values: { n: value } });
}

/** A length of time in words, largest whole unit (`5 minutes`, `5분`; `90 minutes` stays in minutes). */
export function duration(totalSeconds: number): string {
  const { unit, n } = durationParts(totalSeconds);
  return t(`format.duration.${unit}`, { values: { n } });
}

/** A count with its noun, plural-aware (`3 viewers`, `시청자 3명`). */
export function count(what: 'viewers' | 'messages', n: number): string {
  return t(`format.count.${what}`, { values: { n } });
}

/** A date and time as the current language writes it (e.g. chat times, ban expiries). */
export function dateTime(at: Date | string | number, style: 'time' | 'date' | 'both' = 'both'): string {
  const date = at instanceof Date ? at : new Date(at);
  const options: Intl.DateTimeFormatOptions =
    style === 'time' ? { timeStyle: 'short' } : style === 'date' ? { dateStyle: 'medium' } : { dateStyle: 'medium', timeStyle: 'short' };
  return new Intl.DateTimeFormat(currentLang(), options).format(date);
}

/**
 * A meter's steps: half a percent of the bar, under 2 px of the studio's meters. Levels
 * arrive 20 times a second and each new fill repaints the meter (in software on a machine
 * without a GPU); a change smaller than a step cannot be seen, so steady sound or silence
 * now costs no repaint at all.
 */
const METER_STEPS = 200;

/** Maps dBFS (-60..0) to a 0..1 meter fill, in steps of 1/METER_STEPS. */
export function meterFill(db: number): number {
  if (!Number.isFinite(db)) return 0;
  const fill = Math.min(1, Math.max(0, (db + 60) / 60));
  return Math.round(fill * METER_STEPS) / METER_STEPS;
}

/** Code points, as the chat service counts them (not UTF-16 units). */
export function codePoints(text: string): number {
  return Array.from(text).length;
}

export const AVATAR_TYPES = ['image/png', 'image/jpeg', 'image/webp'];

/** Why an avatar file cannot be uploaded, or null when it can. */
export function avatarProblem(file: { type: string; size: number }): string | null {
  if (!AVATAR_TYPES.includes(file.type)) return t('format.avatarType');
  if (file.size > LIMITS.avatarMaxBytes) return t('format.avatarSize');
  if (file.size === 0) return t('format.avatarEmpty');
  return null;
}

/** Where the studio sends to, for the top bar: the shell's label is English for the local server. */
export function backendLabel(backend: BackendInfo | null | undefined): string {
  if (!backend) return '';
  return backend.kind === 'local' ? t('common.thisComputer') : backend.label;
}
