// Small pure helpers for what the studio shows.

import { LIMITS, type QualityPreset } from './bindings';

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
  return value >= 1000 ? `${(value / 1000).toFixed(2)} Mb/s` : `${Math.round(value)} kb/s`;
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
  if (!AVATAR_TYPES.includes(file.type)) return 'Choose a PNG, JPEG or WebP image.';
  if (file.size > LIMITS.avatarMaxBytes) return 'The image is larger than 4 MiB: choose a smaller one.';
  if (file.size === 0) return 'The file is empty.';
  return null;
}
