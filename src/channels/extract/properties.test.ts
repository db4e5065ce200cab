import fc from 'fast-check';
import { isValidPhoneNumber } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { extractFields, normalizePhone } from './index.js';

// Fragments that steer random text into every extractor's paths, mixed with arbitrary code points.
const FRAGMENTS = [
  '138',
  '0013',
  '8000',
  '+86',
  '0086',
  '(010)',
  '-',
  ' ',
  '.',
  ',',
  '，',
  '¥',
  '￥',
  '$',
  '€',
  'RMB',
  'USD',
  '元',
  '块',
  '毛',
  '万',
  '亿',
  '三百',
  '二十九',
  '两',
  '零',
  '十',
  '月',
  '日',
  '号',
  '年',
  '上周',
  '五',
  '昨天',
  'last',
  'friday',
  'days ago',
  '天前',
  '订单号',
  'order no.',
  'SB',
  '20261118',
  '@',
  'qq.com',
  '不需要',
  '退款',
  "don't want",
  'refund',
  '😡',
  '發貨',
  '１２３',
  '\u0000',
  '\uFFFF',
  '\uD800',
];
const messy = fc
  .array(
    fc.oneof(
      fc.constantFrom(...FRAGMENTS),
      fc.string({ unit: 'binary', maxLength: 8 }),
      fc.nat().map(String),
    ),
    {
      maxLength: 40,
    },
  )
  .map((parts) => parts.join(''));
const options = fc.record({
  now: fc.integer({ min: 0, max: 4_102_444_800_000 }), // 1970 … 2100
  defaultRegion: fc.constantFrom('CN' as const, 'US' as const, 'TW' as const, 'HK' as const, 'GB' as const),
});

describe('extraction invariants', () => {
  it('never throws on arbitrary unicode, and always returns the full shape', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), messy), options, (text, opts) => {
        const got = extractFields(text, opts);
        expect(Object.keys(got).sort()).toEqual([
          'amounts',
          'dates',
          'emails',
          'intent',
          'orderNumbers',
          'phones',
        ]);
      }),
      { numRuns: 1500 },
    );
  });

  it('extracts only valid E.164 phones', () => {
    fc.assert(
      fc.property(messy, options, (text, opts) => {
        for (const phone of extractFields(text, opts).phones) {
          expect(phone).toMatch(/^\+[1-9]\d{1,14}$/);
          expect(isValidPhoneNumber(phone)).toBe(true);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('normalising a phone twice is the same as once', () => {
    const phoneish = fc
      .array(fc.constantFrom(...'0123456789 -+()'.split(''), '0086', '+86', '138', '010'), { maxLength: 20 })
      .map((p) => p.join(''));
    fc.assert(
      fc.property(phoneish, options, (raw, { defaultRegion }) => {
        const once = normalizePhone(raw, defaultRegion);
        if (once !== undefined) expect(normalizePhone(once, defaultRegion)).toBe(once);
      }),
      { numRuns: 3000 },
    );
  });

  it('extracts only finite, non-negative amounts', () => {
    fc.assert(
      fc.property(messy, options, (text, opts) => {
        for (const { value } of extractFields(text, opts).amounts) {
          expect(Number.isFinite(value)).toBe(true);
          expect(value).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('keeps dates ISO and confidence within 0..1', () => {
    fc.assert(
      fc.property(messy, options, (text, opts) => {
        const got = extractFields(text, opts);
        for (const d of got.dates) expect(d).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(got.intent.confidence).toBeGreaterThanOrEqual(0);
        expect(got.intent.confidence).toBeLessThanOrEqual(1);
      }),
      { numRuns: 1000 },
    );
  });
});
