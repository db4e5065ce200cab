import { randomBytes } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCipher, DecryptionFailed, loadMasterKey } from './crypto.js';

describe('envelope encryption', () => {
  const cipher = createCipher(randomBytes(32));

  it('round-trips any string, and never stores it in clear', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const sealed = cipher.encrypt(s);
        expect(cipher.decrypt(sealed)).toBe(s);
        if (s.length > 3) expect(sealed.includes(s)).toBe(false);
      }),
    );
  });

  it('encrypts the same value differently each time', () => {
    expect(cipher.encrypt('bot-token')).not.toBe(cipher.encrypt('bot-token'));
  });

  it('refuses a tampered value and a value sealed under another master key', () => {
    const sealed = cipher.encrypt('app secret 应用密钥');
    const tampered = `${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}A`;
    expect(() => cipher.decrypt(tampered)).toThrow(DecryptionFailed);
    expect(() => createCipher(randomBytes(32)).decrypt(sealed)).toThrow(DecryptionFailed);
  });

  it('creates the key file once, readable by its owner only', () => {
    const dir = mkdtempSync('/tmp/sb-key-');
    const a = loadMasterKey(undefined, dir);
    const b = loadMasterKey(undefined, dir);
    expect(a.key.equals(b.key)).toBe(true);
    expect(statSync(path.join(dir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(() => loadMasterKey('c2hvcnQ=', dir)).toThrow(/32 bytes/);
  });
});
