import { describe, expect, it } from 'vitest';
import { extractFields, normalizePhone } from './index.js';

const now = Date.parse('2026-11-20T10:00:00+08:00');
const extract = (text: string) => extractFields(text, { now });

describe('phones', () => {
  it.each([
    ['138 0013 8000', '+8613800138000'],
    ['+86 138-0013-8000', '+8613800138000'],
    ['0086 13800138000', '+8613800138000'],
    ['(010) 6552 9988', '+861065529988'],
    ['电话13800138000谢谢', '+8613800138000'],
    ['１３８００１３８０００', '+8613800138000'],
    ['+1 (415) 555-2671', '+14155552671'],
  ])('%s → %s', (text, e164) => {
    expect(extract(text).phones).toEqual([e164]);
  });

  it('reads national numbers in the default region', () => {
    expect(extractFields('電話 0912 345 678', { now, defaultRegion: 'TW' }).phones).toEqual([
      '+886912345678',
    ]);
    expect(extract('電話 0912 345 678').phones).toEqual([]);
  });

  it('never reads a phone out of an order number, an amount, an e-mail or a date', () => {
    const got = extract(
      '订单号 13800138000123，¥13800138000，13800138000@163.com，SB13800138-000，2026-11-18',
    );
    expect(got.phones).toEqual([]);
    expect(got.orderNumbers).toEqual(['13800138000123', 'SB13800138-000']);
    expect(got.emails).toEqual(['13800138000@163.com']);
  });

  it('normalises to E.164 and refuses what is not a number', () => {
    expect(normalizePhone('138 0013 8000')).toBe('+8613800138000');
    expect(normalizePhone('+8613800138000')).toBe('+8613800138000');
    expect(normalizePhone('12345')).toBeUndefined();
  });
});
