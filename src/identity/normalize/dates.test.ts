import { describe, expect, it } from 'vitest';
import { normalizeBirthDate } from './dates.js';

describe('normalizeBirthDate', () => {
  it.each([
    '1990-05-01',
    '1990/5/1',
    '1990.5.1',
    '19900501',
    '1990年5月1日',
    '1990年05月01号',
    '一九九〇年五月一日',
    '01.05.1990',
    '1.5.1990',
    'May 1 1990',
    'May 1st, 1990',
    '1 May 1990',
    '1 may, 1990',
    '1990-05-01T00:00:00Z',
    '1990-05-01 08:30',
    '１９９０－０５－０１',
  ])('reads %s as 1990-05-01', (raw) => {
    expect(normalizeBirthDate(raw)).toBe('1990-05-01');
  });

  it('reads Chinese numerals with 十', () => {
    expect(normalizeBirthDate('二〇〇〇年十二月二十一日')).toBe('2000-12-21');
  });

  it('reads slash dates with the year last only when the order is clear', () => {
    expect(normalizeBirthDate('25/12/1990')).toBe('1990-12-25');
    expect(normalizeBirthDate('12/25/1990')).toBe('1990-12-25');
    expect(normalizeBirthDate('01/05/1990')).toBeNull();
  });

  it.each([
    '1990-02-30',
    '1900-02-29',
    '1990-13-01',
    '1990-00-10',
    '19901301',
    '0990-01-01',
    '2300-01-01',
    'soon',
    '',
  ])('refuses %s', (raw) => {
    expect(normalizeBirthDate(raw)).toBeNull();
  });

  it('accepts 29 February in leap years', () => {
    expect(normalizeBirthDate('2000-02-29')).toBe('2000-02-29');
    expect(normalizeBirthDate('1996/2/29')).toBe('1996-02-29');
  });
});
