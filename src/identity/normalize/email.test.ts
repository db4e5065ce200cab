import { describe, expect, it } from 'vitest';
import { emailLocalPart, normalizeEmail } from './email.js';

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Zhang.Wei+shop@Gmail.com ')).toBe('zhang.wei+shop@gmail.com');
    expect(normalizeEmail('ＺＷ＠ｅｘａｍｐｌｅ．ｃｏｍ')).toBe('zw@example.com');
  });

  it('takes the address out of "Name <address>" and mailto: forms', () => {
    expect(normalizeEmail('Zhang Wei <ZW@Example.COM>')).toBe('zw@example.com');
    expect(normalizeEmail('mailto:zw@example.com')).toBe('zw@example.com');
  });

  it('applies Gmail rules only when asked: dots and +tags ignored, googlemail.com is gmail.com', () => {
    expect(normalizeEmail('Zhang.Wei+shop@Gmail.com', { gmailDots: true })).toBe('zhangwei@gmail.com');
    expect(normalizeEmail('zhang.wei@googlemail.com', { gmailDots: true })).toBe('zhangwei@gmail.com');
    expect(normalizeEmail('zhang.wei+x@qq.com', { gmailDots: true })).toBe('zhang.wei+x@qq.com');
  });

  it('drops +tags for any domain with plusTags', () => {
    expect(normalizeEmail('zhang.wei+shop@QQ.com', { plusTags: true })).toBe('zhang.wei@qq.com');
    expect(normalizeEmail('+shop@qq.com', { plusTags: true })).toBe('+shop@qq.com');
    expect(normalizeEmail('a.+b@qq.com', { plusTags: true })).toBeNull();
  });

  it('accepts internationalised addresses', () => {
    expect(normalizeEmail('张伟@例子.中国')).toBe('张伟@例子.中国');
  });

  it.each([
    '',
    'zhangwei',
    '@example.com',
    'zw@',
    'zw@example',
    'zw@@example.com',
    'z..w@example.com',
    '.zw@example.com',
    'zw.@example.com',
    'zw@-example.com',
    'zw@example..com',
    'zw@192.168.0.1',
    'z w@example.com',
    '"zw"@example.com',
    `${'a'.repeat(65)}@example.com`,
  ])('refuses %s', (raw) => {
    expect(normalizeEmail(raw)).toBeNull();
  });
});

describe('emailLocalPart', () => {
  it('is the part before the last @', () => {
    expect(emailLocalPart('zhangwei@gmail.com')).toBe('zhangwei');
    expect(emailLocalPart('no-at-sign')).toBe('no-at-sign');
  });
});
