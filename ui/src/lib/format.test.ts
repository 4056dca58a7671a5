import { afterEach, describe, expect, it } from 'vitest';
import { avatarProblem, codePoints, count, dateTime, duration, elapsed, kbps, maskKey, meterFill, seconds } from './format';
import { applyLang } from '../i18n';

describe('format', () => {
  it('shows the live timer', () => {
    expect(elapsed(0, 65_000)).toBe('1:05');
    expect(elapsed(0, 3_725_000)).toBe('1:02:05');
    expect(elapsed(10_000, 0)).toBe('0:00');
  });

  it('masks the stream key to at most its last four characters', () => {
    expect(maskKey('WXYZ')).toBe('••••••••WXYZ');
    expect(maskKey('sk_ABCDWXYZ')).toBe('••••••••WXYZ');
    expect(maskKey('')).not.toMatch(/[A-Za-z0-9]/);
  });

  it('counts code points like the chat service', () => {
    expect(codePoints('가나다')).toBe(3);
    expect(codePoints('👍🏽')).toBe(2);
  });

  it('formats bitrates and meters', () => {
    expect(kbps(850)).toBe('850 kb/s');
    expect(kbps(3500)).toBe('3.50 Mb/s');
    expect(meterFill(-90)).toBe(0);
    expect(meterFill(0)).toBe(1);
    expect(meterFill(-30)).toBeCloseTo(0.5);
    // Changes too small to see (steady sound) give the same fill: no repaint.
    expect(meterFill(-12.301)).toBe(meterFill(-12.31));
    expect(meterFill(-12)).not.toBe(meterFill(-11.5));
  });

  it('validates avatars before upload', () => {
    expect(avatarProblem({ type: 'image/png', size: 1000 })).toBeNull();
    expect(avatarProblem({ type: 'image/gif', size: 1000 })).toMatch(/PNG, JPEG or WebP/);
    expect(avatarProblem({ type: 'image/png', size: 5 * 1024 * 1024 })).toMatch(/4 MiB/);
  });
});

describe('format in both languages', () => {
  afterEach(() => applyLang('en'));

  it('writes numbers, durations, plurals and dates in English', () => {
    expect(kbps(999.6)).toBe('1,000 kb/s');
    expect(kbps(850)).toBe('850 kb/s');
    expect(seconds(1.84)).toBe('1.8 s');
    expect(duration(60)).toBe('1 minute');
    expect(duration(600)).toBe('10 minutes');
    expect(duration(7200)).toBe('2 hours');
    expect(duration(86400)).toBe('1 day');
    expect(duration(45)).toBe('45 seconds');
    expect(count('viewers', 0)).toBe('no viewers');
    expect(count('viewers', 1)).toBe('1 viewer');
    expect(count('viewers', 1200)).toBe('1,200 viewers');
    expect(dateTime(new Date(2026, 11, 7, 15, 4), 'date')).toBe('Dec 7, 2026');
  });

  it('writes them in Korean', () => {
    applyLang('ko');
    expect(kbps(3500)).toBe('3.50 Mb/s');
    expect(seconds(1.84)).toBe('1.8초');
    expect(duration(600)).toBe('10분');
    expect(duration(7200)).toBe('2시간');
    expect(duration(86400 * 3)).toBe('3일');
    expect(count('viewers', 1)).toBe('시청자 1명');
    expect(count('viewers', 1200)).toBe('시청자 1,200명');
    expect(dateTime(new Date(2026, 11, 7, 15, 4), 'date')).toBe('2026. 12. 7.');
    // The day period (오후) depends on the ICU data of the runtime: only the clock is asserted.
    expect(dateTime(new Date(2026, 11, 7, 15, 4), 'time')).toMatch(/3:04/);
    expect(avatarProblem({ type: 'image/gif', size: 1 })).toBe('PNG, JPEG, WebP 이미지를 선택하세요.');
  });
});
