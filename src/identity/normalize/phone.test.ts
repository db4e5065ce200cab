import { describe, expect, it } from 'vitest';
import { normalizePhone, phoneTail } from './phone.js';

describe('normalizePhone', () => {
  it.each([
    ['+86 138 0013 8000', undefined],
    ['0086-13800138000', undefined],
    ['(138) 0013-8000', 'CN'],
    ['13800138000', undefined],
    ['+86 (0)138-0013-8000', undefined],
    ['8613800138000', undefined],
    ['１３８ ００１３ ８０００', undefined],
    ['＋８６１３８００１３８０００', undefined],
    ['13800138000\u200b', undefined],
  ] as const)('reads the Chinese mobile %s as +8613800138000', (raw, region) => {
    expect(normalizePhone(raw, region)).toBe('+8613800138000');
  });

  it('reads a Beijing landline with its area code', () => {
    expect(normalizePhone('(010) 6552 9988')).toBe('+861065529988');
    expect(normalizePhone('010-65529988 转 123')).toBe('+861065529988');
  });

  it('reads numbers of other regions, written internationally or in their region', () => {
    expect(normalizePhone('+1 415-555-0100')).toBe('+14155550100');
    expect(normalizePhone('(415) 555-0100', 'US')).toBe('+14155550100');
    expect(normalizePhone('07911 123456', 'GB')).toBe('+447911123456');
    expect(normalizePhone('+44 20 7946 0958', 'CN')).toBe('+442079460958');
    expect(normalizePhone('+852 2123 4567')).toBe('+85221234567');
  });

  it('refuses numbers in ranges reserved for fiction, such as the UK drama range 07700 900xxx', () => {
    expect(normalizePhone('07700 900123', 'GB')).toBeNull();
  });

  it.each([
    '',
    'abc',
    '123',
    '11111111111',
    '00000000000',
    '+1 000 000 0000',
    '+999 1234567',
    '1'.repeat(300),
  ])('refuses %s', (raw) => {
    expect(normalizePhone(raw)).toBeNull();
  });

  it('reads only international numbers when the region is unknown, instead of throwing', () => {
    const region = 'XX' as Parameters<typeof normalizePhone>[1];
    expect(normalizePhone('+86 138 0013 8000', region)).toBe('+8613800138000');
    expect(normalizePhone('13800138000', region)).toBeNull();
  });
});

describe('phoneTail', () => {
  it('gives the last seven digits by default, or as many as asked', () => {
    expect(phoneTail('+8613800138000')).toBe('0138000');
    expect(phoneTail('+8613800138000', 4)).toBe('8000');
    expect(phoneTail('+8613800138000', 0)).toBe('');
    expect(phoneTail('+123', 7)).toBe('123');
  });
});
