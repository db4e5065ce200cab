// A tenant's matching settings from untrusted JSON (a `--tenant-config` file, an admin form):
// every key optional, unknown keys refused so a typo does not silently fall back to a default.
import { isSupportedCountry } from 'libphonenumber-js';
import { InvalidInput } from '../../core/index.js';
import { DEFAULT_SETTINGS, type MatchSettings, type Trust } from './model.js';

const KEYS = new Set(['defaultRegion', 'gmailDots', 'plusTags', 'upper', 'lower', 'identifierTrust']);

function probability(v: unknown, key: string): number {
  if (typeof v !== 'number' || !(v > 0 && v <= 1))
    throw new InvalidInput(`${key} must be a number in (0, 1]`, key);
  return v;
}

function flag(v: unknown, key: string): boolean {
  if (typeof v !== 'boolean') throw new InvalidInput(`${key} must be true or false`, key);
  return v;
}

export function parseMatchSettings(raw: unknown): MatchSettings {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new InvalidInput('tenant settings must be a JSON object');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.has(k)) throw new InvalidInput(`unknown setting ${k}`, k);
  const s: MatchSettings = { ...DEFAULT_SETTINGS, identifierTrust: { ...DEFAULT_SETTINGS.identifierTrust } };
  if (o.defaultRegion !== undefined) {
    if (typeof o.defaultRegion !== 'string' || !isSupportedCountry(o.defaultRegion))
      throw new InvalidInput('defaultRegion must be an ISO 3166 country code such as CN', 'defaultRegion');
    s.defaultRegion = o.defaultRegion;
  }
  if (o.gmailDots !== undefined) s.gmailDots = flag(o.gmailDots, 'gmailDots');
  if (o.plusTags !== undefined) s.plusTags = flag(o.plusTags, 'plusTags');
  if (o.upper !== undefined) s.upper = probability(o.upper, 'upper');
  if (o.lower !== undefined) s.lower = probability(o.lower, 'lower');
  if (s.lower > s.upper) throw new InvalidInput('lower must not exceed upper', 'lower');
  if (o.identifierTrust !== undefined) {
    const t = o.identifierTrust;
    if (typeof t !== 'object' || t === null || Array.isArray(t))
      throw new InvalidInput(
        'identifierTrust must map identifier kinds to "strong" or "weak"',
        'identifierTrust',
      );
    for (const [kind, v] of Object.entries(t)) {
      if (v !== 'strong' && v !== 'weak')
        throw new InvalidInput(`identifierTrust.${kind} must be "strong" or "weak"`, 'identifierTrust');
      s.identifierTrust[kind] = v as Trust;
    }
  }
  return s;
}
