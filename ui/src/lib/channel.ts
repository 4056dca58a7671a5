// Quality presets that fit the channel (issue 20 #4). The backend tells the channel's IVS
// type (R6 `channelType`); IVS's input limits are the same as the engine checks
// (cloumer-engine validate.rs): every type takes up to 1080p, and BASIC caps the video
// bitrate at 1.5 Mbps up to 480p and 3.5 Mbps above; the others at 8.5 Mbps. A preset over
// the limit would be dropped by the ingest, so it is refused here, before connecting.
import { t } from '../i18n';
import { PRESET_KBPS } from './format';
import type { QualityPreset } from './bindings';

export const PRESETS: QualityPreset[] = ['1080p30', '720p30', '480p30'];
const PRESET_HEIGHT: Record<QualityPreset, number> = { '1080p30': 1080, '720p30': 720, '480p30': 480 };

/** The highest video bitrate (kbit/s) a channel type takes at `height`. */
export function maxVideoKbps(channelType: string | null | undefined, height: number): number {
  if (channelType?.toUpperCase() === 'BASIC') return height <= 480 ? 1500 : 3500;
  return 8500;
}

const fits = (channelType: string | null | undefined, preset: QualityPreset) =>
  PRESET_KBPS[preset] <= maxVideoKbps(channelType, PRESET_HEIGHT[preset]);

/** Why `preset` cannot go to a channel of `channelType` (with what to choose), or null. */
export function presetRefusal(channelType: string | null | undefined, preset: QualityPreset): string | null {
  if (!channelType || fits(channelType, preset)) return null;
  const best = PRESETS.find((p) => fits(channelType, p)) ?? '480p30';
  return t('channel.presetRefused', {
    values: {
      preset,
      type: channelType.toUpperCase(),
      kbps: PRESET_KBPS[preset],
      limit: maxVideoKbps(channelType, PRESET_HEIGHT[preset]),
      best,
    },
  });
}
