import { describe, expect, it } from 'vitest';
import { compileOrderPatterns, extractFields, OrderPatternInvalid } from './index.js';

const now = Date.parse('2026-11-20T10:00:00+08:00');

describe('order numbers', () => {
  it.each([
    ['订单 SB20261118-00421', 'SB20261118-00421'],
    ['TB20261117123456 这单', 'TB20261117123456'],
    ['订单号：250312345678901', '250312345678901'],
    ['订单编号为 202611180001234', '202611180001234'],
    ['Order no. 1029384756', '1029384756'],
    ['order #88812345678', '88812345678'],
  ])('%s → %s', (text, order) => {
    expect(extractFields(text, { now }).orderNumbers).toEqual([order]);
  });

  it('takes unlabelled digit strings for something else', () => {
    expect(extractFields('参考 250312345678901', { now }).orderNumbers).toEqual([]);
  });

  it("uses a tenant's patterns instead of the default ones, keeping labelled digits", () => {
    const options = { now, orderPatterns: ['\\bWO-\\d{6}\\b', 'JOB(\\d{5})'] };
    const got = extractFields('WO-123456, JOB00042, SB20261118-00421, 订单号 1234567890', options);
    expect(got.orderNumbers).toEqual(['WO-123456', '00042', '1234567890']);
  });

  it('rejects an invalid tenant pattern with a named error', () => {
    expect(() => compileOrderPatterns(['(unclosed'])).toThrow(OrderPatternInvalid);
    try {
      compileOrderPatterns(['[z-a]']);
    } catch (err) {
      expect(err).toMatchObject({ code: 'ORDER_PATTERN_INVALID', pattern: '[z-a]' });
    }
  });

  it('does not backtrack for ever on a label followed by a long run of spaces', () => {
    // Three unbounded \s* in a row made this cubic; it ran for minutes before they were bounded.
    expect(extractFields(`订单号${' '.repeat(50_000)}1`, { now }).orderNumbers).toEqual([]);
  });

  it('survives a tenant pattern that matches the empty string', () => {
    expect(extractFields('abc', { now, orderPatterns: ['x*'] }).orderNumbers).toEqual([]);
  });
});
