// Turns a raw contact record into the normalised values the engine compares, once per record.
import {
  cityKey,
  emailLocalPart,
  type NameKey,
  normalizeBirthDate,
  normalizeIdentifier,
  normalizeName,
} from '../normalize/index.js';
import type { ContactRecord, MatchSettings } from './model.js';

export interface PreparedName {
  simplified: string;
  script: NameKey['script'];
  /** Sorted lower-case Latin/pinyin tokens. */
  tokens: string[];
  /** Tokens joined by a space: the value whose frequency adjusts the name weight. */
  tokenKey: string;
  /** Letters of all tokens, sorted: "zhangwei", "Wei Zhang" and 张伟 share it (a blocking key). */
  anagram: string;
  /** Tokens concatenated in every order (≤ 3 tokens): "zhangwei" written as one word still matches. */
  compact: string[];
}

export interface PreparedIdentifier {
  kind: string;
  /** Kinds that share a value space share a namespace: a phone and a WhatsApp number are one line. */
  namespace: string;
  value: string;
  strong: boolean;
}

export interface Prepared {
  id: string;
  source: string;
  name: PreparedName | null;
  tels: string[];
  email: string | null;
  emailLocal: string | null;
  birth: string | null;
  city: string | null;
  ids: PreparedIdentifier[];
  /** Identifiers outside the fixed fields (e.g. a social security number), compared as a field too. */
  others: Map<string, string>;
}

/** Record field → normaliser kind (see the normalize interface). */
const FIELD_KINDS: readonly [keyof ContactRecord, string][] = [
  ['phone', 'phone'],
  ['whatsapp', 'whatsapp'],
  ['email', 'email'],
  ['deviceId', 'device'],
  ['wechatOpenId', 'wechat_openid'],
  ['wechatUnionId', 'wechat_unionid'],
  ['telegramId', 'telegram'],
];

function permutations(tokens: readonly string[]): string[] {
  if (tokens.length <= 1) return [...tokens];
  const out: string[] = [];
  tokens.forEach((t, i) => {
    for (const rest of permutations([...tokens.slice(0, i), ...tokens.slice(i + 1)])) out.push(t + rest);
  });
  return out;
}

export function prepareName(raw: string | undefined): PreparedName | null {
  if (!raw) return null;
  const key = normalizeName(raw);
  if (!key || key.tokens.length === 0) return null;
  const tokens = [...key.tokens].sort();
  return {
    simplified: key.simplified,
    script: key.script,
    tokens,
    tokenKey: tokens.join(' '),
    anagram: [...tokens.join('')].sort().join(''),
    compact: tokens.length <= 3 ? [...new Set(permutations(tokens))] : [tokens.join('')],
  };
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

export function prepareRecord(r: ContactRecord, s: MatchSettings): Prepared {
  const opts = { region: s.defaultRegion, gmailDots: s.gmailDots, plusTags: s.plusTags };
  const ids: PreparedIdentifier[] = [];
  const tels: string[] = [];
  let email: string | null = null;
  for (const [field, kind] of FIELD_KINDS) {
    const raw = text(r[field]);
    const value = raw === undefined ? null : normalizeIdentifier(kind, raw, opts);
    if (value === null) continue;
    const namespace = kind === 'phone' || kind === 'whatsapp' ? 'tel' : kind;
    ids.push({ kind: field, namespace, value, strong: s.identifierTrust[field] === 'strong' });
    if (namespace === 'tel' && !tels.includes(value)) tels.push(value);
    if (kind === 'email') email = value;
  }
  const others = new Map<string, string>();
  for (const [kind, raw] of Object.entries(r.identifiers ?? {})) {
    const value = text(raw) === undefined ? null : normalizeIdentifier(kind, raw, opts);
    if (value === null) continue;
    others.set(kind, value);
    ids.push({ kind, namespace: kind, value, strong: s.identifierTrust[kind] === 'strong' });
  }
  const birth = text(r.birthDate);
  const city = text(r.city);
  return {
    id: r.id,
    source: r.source ?? '',
    name: prepareName(text(r.name)),
    tels,
    email,
    emailLocal: email === null ? null : emailLocalPart(email) || null,
    birth: birth === undefined ? null : normalizeBirthDate(birth),
    city: city === undefined ? null : cityKey(city),
    ids,
    others,
  };
}
