import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Envelope encryption with AES-256-GCM: each value gets its own random data key, which is itself
 * encrypted with the installation's master key. Rotating the master key then means re-wrapping
 * data keys, not re-encrypting data. The stored form is a compact, versioned string.
 */
export interface Cipher {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

const VERSION = 'v1';

function seal(key: Buffer, plain: Buffer): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url');
}

function open(key: Buffer, sealed: string): Buffer {
  const raw = Buffer.from(sealed, 'base64url');
  const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  d.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([d.update(raw.subarray(28)), d.final()]);
}

export class DecryptionFailed extends Error {}

export function createCipher(masterKey: Buffer): Cipher {
  if (masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
  return {
    encrypt(plain) {
      const dataKey = randomBytes(32);
      return `${VERSION}.${seal(masterKey, dataKey)}.${seal(dataKey, Buffer.from(plain, 'utf8'))}`;
    },
    decrypt(sealed) {
      const [version, wrapped, body] = sealed.split('.');
      if (version !== VERSION || !wrapped || !body) throw new DecryptionFailed('not a sealed value');
      try {
        return open(open(masterKey, wrapped), body).toString('utf8');
      } catch {
        throw new DecryptionFailed('cannot decrypt: wrong master key, or the value was altered');
      }
    },
  };
}

/**
 * The master key: SWITCHBOARD_MASTER_KEY (base64, 32 bytes) when set — required for a cluster,
 * where every node must hold the same key — otherwise a key file created once in the data
 * directory with owner-only permissions.
 */
export function loadMasterKey(
  configured: string | undefined,
  dataDir: string,
): { key: Buffer; source: string } {
  if (configured) {
    const key = Buffer.from(configured, 'base64');
    if (key.length !== 32) throw new Error('SWITCHBOARD_MASTER_KEY must be 32 bytes, base64-encoded');
    return { key, source: 'SWITCHBOARD_MASTER_KEY' };
  }
  const file = path.join(dataDir, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
  return { key, source: file };
}
