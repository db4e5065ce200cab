import { describe, expect, it } from 'vitest';
import { normalizeIdentifier } from './identifiers.js';

describe('normalizeIdentifier', () => {
  it('reads phone and WhatsApp ids as E.164', () => {
    expect(normalizeIdentifier('phone', '138 0013 8000')).toBe('+8613800138000');
    expect(normalizeIdentifier('phone', '020 7946 0958', { region: 'GB' })).toBe('+442079460958');
    expect(normalizeIdentifier('whatsapp', '8613800138000')).toBe('+8613800138000');
    expect(normalizeIdentifier('whatsapp', '14155550100')).toBe('+14155550100');
    expect(normalizeIdentifier('whatsapp', '13800138000')).toBe('+8613800138000');
  });

  it('passes e-mail options through', () => {
    expect(normalizeIdentifier('email', 'Zhang.Wei+x@Gmail.com', { gmailDots: true })).toBe(
      'zhangwei@gmail.com',
    );
    expect(normalizeIdentifier('email', 'not an address')).toBeNull();
  });

  it.each(['device', 'wechat_openid', 'wechat_unionid', 'telegram', 'messenger', 'app_user'])(
    'keeps %s ids as they are, trimmed (they are case-sensitive)',
    (kind) => {
      expect(normalizeIdentifier(kind, '  oAbC-123_xYz ')).toBe('oAbC-123_xYz');
      expect(normalizeIdentifier(kind, '   ')).toBeNull();
    },
  );
});
