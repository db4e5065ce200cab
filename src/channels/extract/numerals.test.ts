import { describe, expect, it } from 'vitest';
import { parseChineseNumber } from './index.js';

describe('parseChineseNumber', () => {
  it.each([
    ['三百二十九', 329],
    ['十八', 18],
    ['二十', 20],
    ['一百零五', 105],
    ['一千零五', 1005],
    ['两千五', 2500],
    ['三百五', 350],
    ['一万二', 12_000],
    ['十万', 100_000],
    ['三万五千', 35_000],
    ['一亿二千万', 120_000_000],
    ['3万', 30_000],
    ['1.5万', 15_000],
    ['叁佰贰拾玖', 329],
    ['二〇二六', 2026],
  ])('reads %s as %d', (text, value) => {
    expect(parseChineseNumber(text)).toBe(value);
  });

  it.each(['', '万', '三四百', '百分之'])('refuses %j rather than guess', (text) => {
    expect(parseChineseNumber(text)).toBeUndefined();
  });
});
