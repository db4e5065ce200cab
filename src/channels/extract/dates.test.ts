import { describe, expect, it } from 'vitest';
import { extractFields } from './index.js';

// Friday 20 November 2026, 10:00 in Shanghai (02:00 UTC).
const now = Date.parse('2026-11-20T10:00:00+08:00');
const dates = (text: string, timeZone?: string) => extractFields(text, { now, timeZone }).dates;

describe('dates', () => {
  it.each([
    ['发货日期 2026-11-18', '2026-11-18'],
    ['2026/11/05 申请的', '2026-11-05'],
    ['2026年11月3日买的', '2026-11-03'],
    ['11月18日付的款', '2026-11-18'],
    ['十一月十八号', '2026-11-18'],
    ['12月1号之前', '2026-12-01'],
    ['on Nov 15th', '2026-11-15'],
    ['due December 1, 2026', '2026-12-01'],
    ['18 November 2025', '2025-11-18'],
    ['sent on 17/11/2026', '2026-11-17'],
    ['due 11/17/2026', '2026-11-17'],
    ['昨天', '2026-11-19'],
    ['yesterday', '2026-11-19'],
    ['前天', '2026-11-18'],
    ['the day before yesterday', '2026-11-18'],
    ['明天', '2026-11-21'],
    ['上周五', '2026-11-13'],
    ['上週五 (traditional)', '2026-11-13'],
    ['last Friday', '2026-11-13'],
    ['last Monday', '2026-11-16'],
    ['上周一', '2026-11-09'],
    ['这周日', '2026-11-22'],
    ['下周一', '2026-11-23'],
    ['next Tuesday', '2026-11-24'],
    ['3天前', '2026-11-17'],
    ['two days ago', '2026-11-18'],
    ['一周前', '2026-11-13'],
    ['双11', '2026-11-11'],
  ])('%s → %s', (text, iso) => {
    expect(dates(text)).toEqual([iso]);
  });

  it('resolves relative days in the tenant zone, not UTC', () => {
    // 01:00 on the 20th in Shanghai is still the 19th in New York.
    const early = Date.parse('2026-11-20T01:00:00+08:00');
    expect(extractFields('today', { now: early }).dates).toEqual(['2026-11-20']);
    expect(extractFields('today', { now: early, timeZone: 'America/New_York' }).dates).toEqual([
      '2026-11-19',
    ]);
  });

  it('refuses a clock outside the Date range rather than invent dates', () => {
    expect(() => extractFields('today', { now: Number.NaN })).toThrow(/epoch milliseconds/);
    expect(() => extractFields('today', { now: 1e20 })).toThrow(/epoch milliseconds/);
  });

  it('lists each date once, in order of appearance', () => {
    expect(dates('上周五 (last Friday) 我付了钱，昨天又扣了一次，2026-11-13')).toEqual([
      '2026-11-13',
      '2026-11-19',
    ]);
  });

  it.each(['2月30日', '周五', 'on Friday', '下周', '3月份', '2026-13-01', '05/11/2026'])(
    'does not date %j',
    (text) => {
      expect(dates(text)).toEqual([]);
    },
  );
});
