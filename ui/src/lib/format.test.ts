import { describe, expect, it } from 'vitest';
import { avatarProblem, codePoints, elapsed, kbps, maskKey, meterFill } from './format';

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
