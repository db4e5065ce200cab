// Fellegi–Sunter comparison levels, one function per field. A level is an index into the field's
// `levels`; MISSING (-1) means one side lacks the value and the field says nothing.
import { phoneTail } from '../normalize/index.js';
import type { Prepared, PreparedName } from './prepare.js';
import {
  adjacentSwap,
  jaroWinkler,
  oneSubstitution,
  tokenSimilarity,
  tokensContained,
} from './similarity.js';

export const MISSING = -1;

export const NAME_LEVELS = ['exact', 'tokens', 'fuzzy', 'similar', 'partial', 'disagree'] as const;
export const EMAIL_LEVELS = ['exact', 'local', 'similar', 'disagree'] as const;
export const PHONE_LEVELS = ['exact', 'tail', 'typo', 'disagree'] as const;
export const BIRTH_LEVELS = ['exact', 'typo', 'transposed', 'disagree'] as const;
export const CITY_LEVELS = ['exact', 'similar', 'disagree'] as const;
export const OTHER_LEVELS = ['exact', 'typo', 'disagree'] as const;

/** Token similarity (symmetric Monge–Elkan over Jaro–Winkler) for the fuzzy and similar levels. */
export const NAME_FUZZY = 0.92;
export const NAME_SIMILAR = 0.85;
const EMAIL_SIMILAR = 0.9;
const CITY_SIMILAR = 0.9;
const PHONE_TAIL_DIGITS = 7;

const level = <T extends readonly string[]>(levels: T, name: T[number]) => levels.indexOf(name);

export function compareNames(a: PreparedName | null, b: PreparedName | null): number {
  if (!a || !b) return MISSING;
  if (a.simplified === b.simplified) return level(NAME_LEVELS, 'exact');
  const [short, long] = a.tokens.length <= b.tokens.length ? [a, b] : [b, a];
  if (a.script === 'han' && b.script === 'han') {
    // Different characters with the same pinyin: the usual input-method slip, or a namesake.
    if (a.tokenKey === b.tokenKey) return level(NAME_LEVELS, 'fuzzy');
    if (tokensContained(short.tokens, long.tokens, 1)) return level(NAME_LEVELS, 'partial');
    return level(NAME_LEVELS, 'disagree');
  }
  if (a.tokenKey === b.tokenKey || a.compact.some((c) => b.compact.includes(c)))
    return level(NAME_LEVELS, 'tokens');
  // A surname alone (张先生, "Mr Zhang") or a missing given name fits the full name.
  if (tokensContained(short.tokens, long.tokens)) return level(NAME_LEVELS, 'partial');
  const sim = tokenSimilarity(a.tokens, b.tokens);
  if (sim >= NAME_FUZZY) return level(NAME_LEVELS, 'fuzzy');
  if (sim >= NAME_SIMILAR) return level(NAME_LEVELS, 'similar');
  return level(NAME_LEVELS, 'disagree');
}

/** Names that clearly belong to different people: merging across them needs a strong identifier. */
export function namesConflict(a: PreparedName | null, b: PreparedName | null): boolean {
  return compareNames(a, b) === level(NAME_LEVELS, 'disagree');
}

const digitsOf = (s: string) => s.replace(/\D+/g, '');

/** wei.zhang or wzhang: a local part that only spells the owner's name. */
function spellsName(local: string, name: PreparedName | null): boolean {
  if (!name || /\d/.test(local)) return false;
  const letters = local.replace(/[^a-z]/g, '');
  if (name.compact.includes(letters) || name.tokens.includes(letters)) return true;
  return name.tokens.some((t, k) => name.tokens.some((o, j) => j !== k && letters === t[0] + o));
}

export function compareEmails(a: Prepared, b: Prepared): number {
  if (a.email === null || b.email === null) return MISSING;
  if (a.email === b.email) return level(EMAIL_LEVELS, 'exact');
  if (a.emailLocal === null || b.emailLocal === null) return level(EMAIL_LEVELS, 'disagree');
  // Two mailboxes named after the same name say nothing the name field has not said already;
  // counting them again would merge namesakes (fields must be conditionally independent).
  if (spellsName(a.emailLocal, a.name) || spellsName(b.emailLocal, b.name)) {
    if (jaroWinkler(a.emailLocal, b.emailLocal) >= EMAIL_SIMILAR) return MISSING;
  }
  if (a.emailLocal === b.emailLocal) return level(EMAIL_LEVELS, 'local');
  // zhangwei88 and zhangwei12 are two people who picked different numbers, not a typo.
  if (
    digitsOf(a.emailLocal) === digitsOf(b.emailLocal) &&
    jaroWinkler(a.emailLocal, b.emailLocal) >= EMAIL_SIMILAR
  )
    return level(EMAIL_LEVELS, 'similar');
  return level(EMAIL_LEVELS, 'disagree');
}

export function comparePhones(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return MISSING;
  let best = level(PHONE_LEVELS, 'disagree');
  for (const x of a) {
    for (const y of b) {
      if (x === y) return level(PHONE_LEVELS, 'exact');
      if (phoneTail(x, PHONE_TAIL_DIGITS) === phoneTail(y, PHONE_TAIL_DIGITS))
        best = Math.min(best, level(PHONE_LEVELS, 'tail'));
      else if (oneSubstitution(x, y) || adjacentSwap(x, y))
        best = Math.min(best, level(PHONE_LEVELS, 'typo'));
    }
  }
  return best;
}

/** ISO dates: one mistyped digit, or day and month swapped (01.05 read as 5 January). */
export function compareBirthDates(a: string | null, b: string | null): number {
  if (a === null || b === null) return MISSING;
  if (a === b) return level(BIRTH_LEVELS, 'exact');
  if (oneSubstitution(a, b) || adjacentSwap(a, b)) return level(BIRTH_LEVELS, 'typo');
  const [ya, ma, da] = a.split('-');
  const [yb, mb, db] = b.split('-');
  if (ya === yb && ma === db && da === mb) return level(BIRTH_LEVELS, 'transposed');
  return level(BIRTH_LEVELS, 'disagree');
}

export function compareCities(a: string | null, b: string | null): number {
  if (a === null || b === null) return MISSING;
  if (a === b) return level(CITY_LEVELS, 'exact');
  if (jaroWinkler(a, b) >= CITY_SIMILAR) return level(CITY_LEVELS, 'similar');
  return level(CITY_LEVELS, 'disagree');
}

/** Other identifiers of the same kind (a social security number): exact, one keying error, or not. */
export function compareOthers(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): number {
  let best = MISSING;
  for (const [kind, x] of a) {
    const y = b.get(kind);
    if (y === undefined) continue;
    if (x === y) return level(OTHER_LEVELS, 'exact');
    const l = oneSubstitution(x, y) || adjacentSwap(x, y) ? 'typo' : 'disagree';
    best = best === MISSING ? level(OTHER_LEVELS, l) : Math.min(best, level(OTHER_LEVELS, l));
  }
  return best;
}

export interface FieldSpec {
  field: string;
  levels: readonly string[];
  compare: (a: Prepared, b: Prepared) => number;
  /**
   * A prior for u (level frequencies among different people), worth PRIOR_PAIRS random pairs: it
   * decides for a small batch and fades once thousands of pairs have been sampled.
   */
  u0: readonly number[];
}

export const PRIOR_PAIRS = 200;

export const FIELDS: readonly FieldSpec[] = [
  {
    field: 'name',
    levels: NAME_LEVELS,
    compare: (a, b) => compareNames(a.name, b.name),
    u0: [0.002, 0.001, 0.001, 0.005, 0.01, 0.981],
  },
  { field: 'email', levels: EMAIL_LEVELS, compare: compareEmails, u0: [0.0001, 0.0005, 0.0005, 0.9989] },
  {
    field: 'phone',
    levels: PHONE_LEVELS,
    compare: (a, b) => comparePhones(a.tels, b.tels),
    u0: [0.0001, 0.0001, 0.0002, 0.9996],
  },
  {
    field: 'birthDate',
    levels: BIRTH_LEVELS,
    compare: (a, b) => compareBirthDates(a.birth, b.birth),
    u0: [0.0003, 0.002, 0.0001, 0.9976],
  },
  {
    field: 'city',
    levels: CITY_LEVELS,
    compare: (a, b) => compareCities(a.city, b.city),
    u0: [0.05, 0.005, 0.945],
  },
  {
    field: 'identifier',
    levels: OTHER_LEVELS,
    compare: (a, b) => compareOthers(a.others, b.others),
    u0: [0.0001, 0.0005, 0.9994],
  },
];

/** Mixed-radix code of a comparison vector (digit = level, or levels.length for missing). */
export function encodePattern(a: Prepared, b: Prepared): number {
  let code = 0;
  for (const f of FIELDS) {
    const l = f.compare(a, b);
    code = code * (f.levels.length + 1) + (l === MISSING ? f.levels.length : l);
  }
  return code;
}

export function decodePattern(code: number): number[] {
  const out = new Array<number>(FIELDS.length);
  for (let k = FIELDS.length - 1; k >= 0; k--) {
    const f = FIELDS[k]!;
    const digit = code % (f.levels.length + 1);
    out[k] = digit === f.levels.length ? MISSING : digit;
    code = Math.floor(code / (f.levels.length + 1));
  }
  return out;
}
