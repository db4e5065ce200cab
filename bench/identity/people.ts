// The people behind the labelled records: names, phones (some shared by a household), e-mail,
// birth date, city and the channel accounts each person holds.
import { seededRandom } from '../../src/identity/match/index.js';
import {
  CITIES,
  COMMON_NAMES,
  EMAIL_DOMAINS,
  GIVEN_CHARS,
  LATIN_GIVEN,
  LATIN_SURNAMES,
  SURNAMES,
} from './names.js';

export type Random = () => number;
export type Char = readonly [string, string, string];

export interface Person {
  key: string;
  han?: { surname: Char; given: Char[] };
  latin?: { given: string; surname: string };
  female: boolean;
  /** Own mobile, 11 digits. */
  mobile?: string;
  /** A phone the household shares (landline or family plan), national digits. */
  homePhone?: string;
  email?: { local: string; domain: string };
  birth?: [number, number, number];
  city?: number;
  devices: string[];
  unionId?: string;
  openIds: string[];
  telegram?: string;
  whatsapp: boolean;
}

export const pick = <T>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
export const chance = (r: Random, p: number) => r() < p;
const digits = (r: Random, n: number) => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');
const token = (r: Random, n: number) =>
  Array.from({ length: n }, () => Math.floor(r() * 36).toString(36)).join('');

/** Zipf-like: early entries (王, 李, 张…) are drawn far more often, as in the population. */
function zipf<T>(r: Random, xs: readonly T[]): T {
  return xs[Math.min(xs.length - 1, Math.floor(xs.length * r() ** 2.2))]!;
}

function hanName(r: Random): { surname: Char; given: Char[] } {
  if (chance(r, 0.18)) {
    const [s, g] = pick(r, COMMON_NAMES);
    return { surname: SURNAMES[s]!, given: g.map((k) => GIVEN_CHARS[k]!) };
  }
  const given = Array.from({ length: chance(r, 0.7) ? 2 : 1 }, () => pick(r, GIVEN_CHARS));
  return { surname: zipf(r, SURNAMES), given };
}

function emailFor(r: Random, p: Person): { local: string; domain: string } {
  const domain = pick(r, EMAIL_DOMAINS);
  if (p.latin) {
    const { given, surname } = p.latin;
    return { local: chance(r, 0.5) ? `${given}.${surname}` : `${given[0]}${surname}${digits(r, 2)}`, domain };
  }
  const s = p.han!.surname[2];
  const g = p.han!.given.map((c) => c[2]).join('');
  const style = Math.floor(r() * 4);
  if (style === 0 && domain === 'qq.com')
    return { local: `${1 + Math.floor(r() * 9)}${digits(r, 8)}`, domain };
  const local =
    style === 1 ? `${g}.${s}` : style === 2 ? `${s}${g}${digits(r, 2)}` : `${s}${g}${digits(r, 3)}`;
  return { local, domain };
}

function person(r: Random, key: string): Person {
  const p: Person = { key, female: chance(r, 0.5), devices: [], openIds: [], whatsapp: false };
  if (chance(r, 0.85)) p.han = hanName(r);
  else p.latin = { given: pick(r, LATIN_GIVEN), surname: pick(r, LATIN_SURNAMES) };
  p.mobile = `1${pick(r, ['3', '5', '7', '8', '9'])}${digits(r, 9)}`;
  if (chance(r, 0.65)) p.email = emailFor(r, p);
  if (chance(r, 0.7))
    p.birth = [1950 + Math.floor(r() * 55), 1 + Math.floor(r() * 12), 1 + Math.floor(r() * 28)];
  if (chance(r, 0.75)) p.city = Math.floor(r() * CITIES.length);
  p.devices = Array.from({ length: chance(r, 0.25) ? 2 : 1 }, () => `dev-${token(r, 12)}`);
  if (chance(r, 0.8)) p.unionId = `oU${token(r, 16)}`;
  p.openIds = Array.from({ length: chance(r, 0.3) ? 2 : 1 }, () => `oX${token(r, 16)}`);
  if (chance(r, 0.3)) p.telegram = String(100_000_000 + Math.floor(r() * 900_000_000));
  p.whatsapp = chance(r, p.latin ? 0.7 : 0.2);
  return p;
}

const AREA_CODES = ['21', '10', '20', '755', '571'];

/** Households of two to four people sharing one phone; some members have no mobile of their own. */
function formHouseholds(r: Random, people: Person[], share: number): void {
  let k = 0;
  while (k < people.length) {
    const size = 2 + Math.floor(r() * 3);
    if (!chance(r, share / size) || k + size > people.length) {
      k++;
      continue;
    }
    const members = people.slice(k, k + size);
    const head = members[0]!;
    const home = chance(r, 0.6)
      ? `0${pick(r, AREA_CODES)}${digits(r, 8)}`
      : (head.mobile ?? `1${pick(r, ['3', '8'])}${digits(r, 9)}`);
    members.forEach((m, idx) => {
      m.homePhone = home;
      // A child keeps the family surname; children and elders often have no phone of their own.
      if (idx >= 2 && head.han && m.han) m.han = { ...m.han, surname: head.han.surname };
      if (idx > 0 && chance(r, 0.35)) delete m.mobile;
    });
    k += size;
  }
}

/** A mailbox belongs to one person: a taken address gets digits appended, as providers insist. */
function uniqueEmails(r: Random, people: Person[]): void {
  const taken = new Set<string>();
  for (const p of people) {
    if (!p.email) continue;
    while (taken.has(`${p.email.local}@${p.email.domain}`)) p.email.local += digits(r, 1);
    taken.add(`${p.email.local}@${p.email.domain}`);
  }
}

export function generatePeople(seed: number, count: number): { people: Person[]; random: Random } {
  const random = seededRandom(seed);
  const people = Array.from({ length: count }, (_, k) => person(random, `p${k}`));
  uniqueEmails(random, people);
  formHouseholds(random, people, 0.15);
  return { people, random };
}
