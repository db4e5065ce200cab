// A stored customer as the matcher sees it: its name, every identity it owns, and the birth date
// and city its attributes hold (from a CRM import or an agent's edit).
import type { ContactRecord, MatchSettings, Prepared } from './match/index.js';
import { prepareRecord } from './match/index.js';

/** Identity kind → the contact-record field that carries it; other kinds go in `identifiers`. */
const RECORD_FIELDS: Record<string, keyof ContactRecord> = {
  phone: 'phone',
  whatsapp: 'whatsapp',
  email: 'email',
  device: 'deviceId',
  wechat_openid: 'wechatOpenId',
  wechat_unionid: 'wechatUnionId',
  telegram: 'telegramId',
};

/** What the matcher needs of a customer: a stored `Customer` is one. */
export interface MatchableCustomer {
  id: string;
  displayName: string;
  attributes: Record<string, unknown>;
  identities: readonly { kind: string; value: string }[];
}

function attribute(c: MatchableCustomer, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = c.attributes[n];
    if (typeof v === 'string' && v.trim()) return v;
  }
  return undefined;
}

export function prepareCustomer(c: MatchableCustomer, settings: MatchSettings): Prepared {
  const record: ContactRecord = { id: c.id };
  if (c.displayName.trim()) record.name = c.displayName;
  const birth = attribute(c, 'birthDate', 'birthday');
  const city = attribute(c, 'city');
  if (birth) record.birthDate = birth;
  if (city) record.city = city;
  const extra: { kind: string; value: string }[] = [];
  const identifiers: Record<string, string> = {};
  for (const identity of c.identities) {
    const field = RECORD_FIELDS[identity.kind];
    if (field && record[field] === undefined)
      (record as unknown as Record<string, string>)[field] = identity.value;
    else if (field) extra.push(identity);
    else if (identifiers[identity.kind] === undefined) identifiers[identity.kind] = identity.value;
  }
  if (Object.keys(identifiers).length) record.identifiers = identifiers;
  const prepared = prepareRecord(record, settings);
  // A customer can own several phones: every one is a line the comparison and blocking know.
  for (const identity of extra) {
    if (
      (identity.kind === 'phone' || identity.kind === 'whatsapp') &&
      !prepared.tels.includes(identity.value)
    )
      prepared.tels.push(identity.value);
  }
  return prepared;
}

/** Prepared candidates, by everything that goes into them: name normalisation (pinyin, OpenCC) is the matcher's main CPU cost. */
const CACHE_SIZE = 20_000;
const cache = new Map<string, Prepared>();

export function prepareCustomerCached(c: MatchableCustomer, settings: MatchSettings): Prepared {
  const key = JSON.stringify([
    c.id,
    c.displayName,
    c.attributes.birthDate ?? c.attributes.birthday ?? null,
    c.attributes.city ?? null,
    c.identities.map((i) => `${i.kind}:${i.value}`),
    settings.defaultRegion,
    settings.gmailDots,
    settings.plusTags,
    settings.identifierTrust,
  ]);
  const hit = cache.get(key);
  if (hit) {
    // Refresh its place: the Map's order is the eviction order.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const prepared = prepareCustomer(c, settings);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, prepared);
  return prepared;
}
