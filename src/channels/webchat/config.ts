import { InvalidInput } from '../../core/index.js';

/** Config checks shared by the two first-party channels (web chat and the mobile app). */
export function requiredSecret(raw: Record<string, unknown>, key: string, minLength: number): string {
  const v = raw[key];
  if (typeof v !== 'string' || v.trim() === '') throw new InvalidInput(`${key} is required`, key);
  // A short secret is guessable offline from one signed token or push body.
  if (v.trim().length < minLength) {
    throw new InvalidInput(`${key} must be at least ${minLength} characters`, key);
  }
  return v.trim();
}

export function optionalSecret(
  raw: Record<string, unknown>,
  key: string,
  minLength: number,
): string | undefined {
  const v = raw[key];
  return v === undefined || v === null || v === '' ? undefined : requiredSecret(raw, key, minLength);
}

export function optionalHttpUrl(raw: Record<string, unknown>, key: string): string | undefined {
  const v = raw[key];
  if (v === undefined || v === null || v === '') return undefined;
  let url: URL | undefined;
  try {
    url = typeof v === 'string' ? new URL(v.trim()) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new InvalidInput(`${key} must be an http(s) URL`, key);
  }
  return url.toString();
}

/** Origins as `scheme://host[:port]`; a list or one string separated by commas or spaces. */
export function origins(raw: Record<string, unknown>, key: string): string[] {
  const v = raw[key];
  if (v === undefined || v === null || v === '') return [];
  const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[\s,]+/) : undefined;
  if (!items) throw new InvalidInput(`${key} must be a list of origins`, key);
  return items
    .filter((o) => o !== '')
    .map((o) => {
      try {
        if (typeof o !== 'string') throw new TypeError('not a string');
        const url = new URL(o);
        if (url.origin === 'null' || url.pathname !== '/' || url.search) throw new TypeError('not an origin');
        return url.origin;
      } catch {
        throw new InvalidInput(`${key}: "${String(o)}" is not an origin like https://shop.example.com`, key);
      }
    });
}

export function optionalSeconds(
  raw: Record<string, unknown>,
  key: string,
  fallback: number,
  range: [number, number],
): number {
  const v = raw[key];
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < range[0] || n > range[1]) {
    throw new InvalidInput(`${key} must be whole seconds between ${range[0]} and ${range[1]}`, key);
  }
  return n;
}
