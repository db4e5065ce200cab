import type { Cipher } from '../security/crypto.js';
import type { Row } from '../storage/index.js';
import { adapterFor } from './registry.js';

export const MASK = '••••';
/** For channel types without an adapter yet, and nested values: anything named like a secret. */
const SECRET_NAME = /secret|token|password|key/i;

function isSecretKey(type: string, key: string): boolean {
  const declared = adapterFor(type)?.credentials.find((c) => c.key === key);
  return declared ? declared.secret : SECRET_NAME.test(key);
}

/**
 * Splits a channel's config into what may be stored and shown (secrets replaced by MASK, so the
 * settings form shows which are set) and the secrets themselves, sealed with the master key.
 */
export function sealConfig(
  cipher: Cipher,
  type: string,
  config: Record<string, unknown>,
): { shown: Record<string, unknown>; sealed: string | null } {
  const shown: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (isSecretKey(type, k) && v !== null && v !== '' && v !== undefined) {
      secret[k] = v;
      shown[k] = MASK;
    } else if (hasNestedSecret(v)) {
      // A group of credentials (e.g. one per app) is sealed whole and shown with its secrets masked.
      secret[k] = v;
      shown[k] = maskDeep(v);
    } else {
      shown[k] = v;
    }
  }
  return { shown, sealed: Object.keys(secret).length ? cipher.encrypt(JSON.stringify(secret)) : null };
}

/** The config an adapter works with: shown values plus the decrypted secrets. */
export function openConfig(
  cipher: Cipher,
  row: Pick<Row<'channels'>, 'config' | 'secrets'>,
): Record<string, unknown> {
  const secrets = row.secrets ? (JSON.parse(cipher.decrypt(row.secrets)) as Record<string, unknown>) : {};
  return { ...row.config, ...secrets };
}

/** A config sent back by a client keeps each stored secret it echoed as MASK. */
export function keepMaskedSecrets(
  next: Record<string, unknown>,
  stored: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(next).map(([k, v]) => {
      const old = stored[k];
      if (v === MASK && old !== undefined) return [k, old];
      if (isPlainObject(v) && isPlainObject(old)) return [k, keepMaskedSecrets(v, old)];
      return [k, v];
    }),
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasNestedSecret(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasNestedSecret);
  if (!isPlainObject(value)) return false;
  return Object.entries(value).some(
    ([k, v]) => (SECRET_NAME.test(k) && v !== null && v !== '') || hasNestedSecret(v),
  );
}

function maskDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskDeep);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      SECRET_NAME.test(k) && v !== null && v !== '' ? MASK : maskDeep(v),
    ]),
  );
}
