import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskEmail, maskIdentifier, maskIdentityValue, maskPhone, masksPiiFor } from './mask.js';

const digitsOf = (s: string) => s.replace(/\D/g, '');

describe('masking identifiers', () => {
  it.each([
    ['+8613800138000', '+86 138****8000'],
    ['+14155552671', '+1 415***2671'],
    ['+442079460958', '+44 207***0958'],
    ['+85291234567', '+852 9***4567'],
    ['13800138000', '138****8000'],
    ['+86 138 0013 8000', '+86 138****8000'],
    ['12345', '***45'],
  ])('shows a phone number %s as %s', (value, masked) => {
    expect(maskPhone(value)).toBe(masked);
  });

  it.each([
    ['zhang.wei@example.com', 'z***@example.com'],
    ['a@b.cn', 'a***@b.cn'],
    ['张伟@例子.中国', '张***@例子.中国'],
  ])('shows an e-mail address %s as %s', (value, masked) => {
    expect(maskEmail(value)).toBe(masked);
  });

  it.each([
    ['oAbc1234567890abcdefghijkxyz', 'oAbc…xyz'],
    ['5123456789', '51…89'],
    ['dev-12', 'd…2'],
    ['abc', '…'],
  ])('shortens another identifier %s to %s', (value, masked) => {
    expect(maskIdentifier(value)).toBe(masked);
  });

  it('masks by kind: WhatsApp ids as phone numbers, others shortened', () => {
    expect(maskIdentityValue('phone', '+8613800138000')).toBe('+86 138****8000');
    expect(maskIdentityValue('whatsapp', '8613800138000')).toBe('86 138****8000');
    expect(maskIdentityValue('email', 'li.na@example.com')).toBe('l***@example.com');
    expect(maskIdentityValue('wechat_openid', 'oAbc1234567890abcdefghijkxyz')).toBe('oAbc…xyz');
    expect(maskIdentityValue('device', 'v-0193aa11-bbbb-7ccc-8ddd-eeeeffff0000')).toBe('v-01…000');
  });

  it('masks for agents unless the tenant turned it off; never for supervisors and above', () => {
    expect(masksPiiFor('agent', {})).toBe(true);
    expect(masksPiiFor('agent', { maskPiiForAgents: true })).toBe(true);
    expect(masksPiiFor('agent', { maskPiiForAgents: false })).toBe(false);
    for (const role of ['supervisor', 'admin', 'owner'] as const) expect(masksPiiFor(role, {})).toBe(false);
  });
});

describe('masking properties', () => {
  const e164 = fc
    .tuple(
      fc.constantFrom('1', '7', '44', '86', '852', '886', '33', '49', '91'),
      fc.stringMatching(/^[1-9]\d{5,12}$/),
    )
    .map(([cc, national]) => ({ cc, national, value: `+${cc}${national}` }));

  it('a phone number keeps its country code and shows at most 3 + 4 national digits, hiding at least 3', () => {
    fc.assert(
      fc.property(e164, ({ cc, national, value }) => {
        const masked = maskPhone(value);
        expect(masked.startsWith(`+${cc} `)).toBe(true);
        const shown = masked.slice(cc.length + 2);
        expect(shown).toHaveLength(national.length);
        const revealed = digitsOf(shown);
        expect(revealed.length).toBeLessThanOrEqual(7);
        expect(national.length - revealed.length).toBeGreaterThanOrEqual(Math.min(3, national.length));
        // What is shown is the number's own digits in their places.
        for (let i = 0; i < shown.length; i++) if (shown[i] !== '*') expect(shown[i]).toBe(national[i]);
      }),
    );
  });

  it('an e-mail address shows one character of its local part and nothing else of it', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (value) => {
        const masked = maskEmail(value);
        const [local, domain] = [
          masked.slice(0, masked.lastIndexOf('@')),
          masked.slice(masked.lastIndexOf('@') + 1),
        ];
        expect(local.slice(1)).toBe('***');
        expect(value.startsWith(local.slice(0, 1))).toBe(true);
        expect(domain).toBe(value.slice(value.lastIndexOf('@') + 1));
      }),
    );
  });

  it('another identifier shows at most 7 of its characters, and at most half of it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 80 }), (value) => {
        fc.pre(!value.includes('…'));
        const shown = [...maskIdentifier(value)].filter((c) => c !== '…');
        expect(shown.length).toBeLessThanOrEqual(Math.min(7, Math.floor([...value].length / 2)));
      }),
    );
  });

  it('masking a masked value changes nothing, so nothing more is ever revealed', () => {
    const anyText = fc.oneof(
      fc.string({ maxLength: 40 }),
      e164.map((p) => p.value),
      fc.emailAddress(),
    );
    const kinds = fc.constantFrom('phone', 'email', 'whatsapp', 'wechat_openid', 'device', 'telegram');
    fc.assert(
      fc.property(kinds, anyText, (kind, value) => {
        const once = maskIdentityValue(kind, value);
        expect(maskIdentityValue(kind, once)).toBe(once);
      }),
    );
    fc.assert(
      fc.property(anyText, (value) => {
        expect(maskPhone(maskPhone(value))).toBe(maskPhone(value));
        expect(maskEmail(maskEmail(value))).toBe(maskEmail(value));
        expect(maskIdentifier(maskIdentifier(value))).toBe(maskIdentifier(value));
      }),
    );
  });
});
