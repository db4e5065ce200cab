// A labelled evaluation set: several records per person across channels, written the way real
// contact data is (traditional characters, pinyin, 张先生, phone formats, e-mail case and Gmail
// dots, typos), with households sharing a phone and many different people named 张伟 or 王芳.
import type { ContactRecord } from '../../src/identity/match/index.js';
import { CITIES, HOMOPHONES } from './names.js';
import { type Char, chance, generatePeople, type Person, pick, type Random } from './people.js';

export interface LabelledSet {
  records: ContactRecord[];
  /** record id → person key */
  truth: Map<string, string>;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function typo(r: Random, s: string): string {
  if (s.length < 3) return s;
  const k = 1 + Math.floor(r() * (s.length - 2));
  const kind = Math.floor(r() * 3);
  if (kind === 0) return s.slice(0, k) + s.slice(k + 1);
  if (kind === 1) return s.slice(0, k) + s[k + 1] + s[k] + s.slice(k + 2);
  return s.slice(0, k) + pick(r, [...'aeiounrst']) + s.slice(k + 1);
}

function hanForm(r: Random, surname: Char, given: Char[]): string {
  const x = r();
  const sp = cap(surname[2]);
  const gp = given.map((c) => c[2]).join('');
  const simplified = surname[0] + given.map((c) => c[0]).join('');
  if (x < 0.4) return simplified;
  if (x < 0.5) return surname[1] + given.map((c) => c[1]).join('');
  if (x < 0.6) return `${sp} ${cap(gp)}`;
  if (x < 0.65) return `${cap(gp)} ${sp}`;
  if (x < 0.7) return `${surname[2]}${gp}`;
  if (x < 0.75) return `${surname[2].toUpperCase()} ${cap(gp)}`;
  if (x < 0.8) return `${simplified}${chance(r, 0.5) ? '先生' : '女士'}`;
  if (x < 0.9) {
    // An input-method slip: a homophone for one given character.
    const k = Math.floor(r() * given.length);
    const alt = HOMOPHONES[given[k]![0]];
    if (!alt) return simplified;
    return surname[0] + given.map((c, i) => (i === k ? pick(r, alt)[0] : c[0])).join('');
  }
  return simplified;
}

function nameForm(r: Random, p: Person): string {
  if (p.han) {
    // Agents often note only the surname and a title: 张先生, 王女士.
    if (chance(r, 0.1)) return p.han.surname[0] + (p.female ? '女士' : '先生');
    return hanForm(r, p.han.surname, p.han.given);
  }
  const { given, surname } = p.latin!;
  const x = r();
  if (x < 0.55) return `${cap(given)} ${cap(surname)}`;
  if (x < 0.65) return `${cap(surname)}, ${cap(given)}`;
  if (x < 0.75) return `${given} ${surname}`;
  if (x < 0.92) return `${cap(typo(r, given))} ${cap(surname)}`;
  return `${p.female ? 'Ms' : 'Mr'} ${cap(surname)}`;
}

function phoneForm(r: Random, national: string): string {
  const n = chance(r, 0.03) ? typo(r, national).padEnd(national.length, '0') : national;
  if (n.startsWith('0')) {
    const area = n.startsWith('02') || n.startsWith('01') ? n.slice(0, 3) : n.slice(0, 4);
    const rest = n.slice(area.length);
    return pick(r, [
      n,
      `${area}-${rest}`,
      `(${area}) ${rest.slice(0, 4)} ${rest.slice(4)}`,
      `+86 ${area.slice(1)} ${rest}`,
    ]);
  }
  const [a, b, c] = [n.slice(0, 3), n.slice(3, 7), n.slice(7)];
  return pick(r, [n, n, `+86 ${a} ${b} ${c}`, `0086-${n}`, `(${a}) ${b}-${c}`, `${a}-${b}-${c}`, `+86${n}`]);
}

function emailForm(r: Random, e: { local: string; domain: string }): string {
  let local = e.local;
  if (e.domain === 'gmail.com' && chance(r, 0.3) && !local.includes('.'))
    local = `${local.slice(0, 3)}.${local.slice(3)}`;
  if (chance(r, 0.1)) local = `${local}+${pick(r, ['shop', 'news', 'cs'])}`;
  if (chance(r, 0.02)) local = typo(r, local);
  const address = `${local}@${e.domain}`;
  return chance(r, 0.2)
    ? address.replace(/^./, (c) => c.toUpperCase()).replace(e.domain, e.domain.toUpperCase())
    : address;
}

function birthForm(r: Random, [y, m, d]: [number, number, number]): string {
  let [mm, dd] = [m, d];
  if (chance(r, 0.02) && d <= 12) [mm, dd] = [d, m];
  const p2 = (x: number) => String(x).padStart(2, '0');
  const iso = `${y}-${p2(mm)}-${p2(dd)}`;
  const s = chance(r, 0.03) ? iso.replace(/\d(?=\d-)/, (c) => String((Number(c) + 1) % 10)) : iso;
  const [ys, ms, ds] = s.split('-') as [string, string, string];
  return pick(r, [
    s,
    `${ys}/${Number(ms)}/${Number(ds)}`,
    `${ys}${ms}${ds}`,
    `${ys}年${Number(ms)}月${Number(ds)}日`,
    `${ds}.${ms}.${ys}`,
  ]);
}

function cityForm(r: Random, k: number): string {
  const [s, t, py] = CITIES[k]!;
  return pick(r, [s, `${s}市`, cap(py), t, py]);
}

type Channel = 'voice' | 'wechat' | 'app' | 'email' | 'webchat' | 'whatsapp' | 'telegram' | 'crm';

function phoneOf(r: Random, p: Person): string | undefined {
  if (p.homePhone && (!p.mobile || chance(r, 0.5))) return p.homePhone;
  return p.mobile;
}

function record(r: Random, p: Person, channel: Channel): Omit<ContactRecord, 'id'> {
  const rec: Omit<ContactRecord, 'id'> = {};
  const maybe = (prob: number, f: () => void) => chance(r, prob) && f();
  const phone = () => {
    const n = phoneOf(r, p);
    if (n) rec.phone = phoneForm(r, n);
  };
  const name = () => {
    rec.name = nameForm(r, p);
  };
  const email = () => {
    if (p.email) rec.email = emailForm(r, p.email);
  };
  const birth = () => {
    if (p.birth) rec.birthDate = birthForm(r, p.birth);
  };
  const city = () => {
    if (p.city !== undefined) rec.city = cityForm(r, p.city);
  };
  switch (channel) {
    case 'voice':
      phone();
      maybe(0.6, name);
      maybe(0.3, city);
      break;
    case 'wechat':
      if (p.unionId && chance(r, 0.7)) rec.wechatUnionId = p.unionId;
      rec.wechatOpenId = pick(r, p.openIds);
      maybe(0.8, name);
      maybe(0.3, city);
      break;
    case 'app':
      rec.deviceId = pick(r, p.devices);
      maybe(0.8, phone);
      maybe(0.7, name);
      maybe(0.3, birth);
      break;
    case 'email':
      email();
      maybe(0.7, name);
      break;
    case 'webchat':
      maybe(0.7, name);
      maybe(0.5, phone);
      maybe(0.4, email);
      maybe(0.2, city);
      break;
    case 'whatsapp':
      if (p.mobile) rec.whatsapp = phoneForm(r, p.mobile);
      maybe(0.7, name);
      break;
    case 'telegram':
      if (p.telegram) rec.telegramId = p.telegram;
      maybe(0.7, name);
      break;
    case 'crm':
      name();
      phone();
      maybe(0.5, email);
      maybe(0.8, birth);
      maybe(0.8, city);
      break;
  }
  return rec;
}

function channelsOf(p: Person): Channel[] {
  const cs: Channel[] = ['voice', 'wechat', 'app', 'webchat', 'crm'];
  if (p.email) cs.push('email', 'email');
  if (p.whatsapp && p.mobile) cs.push('whatsapp');
  if (p.telegram) cs.push('telegram');
  return cs;
}

export function generateLabelledSet(seed: number, people: number): LabelledSet {
  const { people: persons, random: r } = generatePeople(seed, people);
  const drafts: { rec: Omit<ContactRecord, 'id'>; person: string }[] = [];
  for (const p of persons) {
    const count = pick(r, [1, 1, 2, 2, 2, 3, 3, 4, 5]);
    for (let k = 0; k < count; k++) drafts.push({ rec: record(r, p, pick(r, channelsOf(p))), person: p.key });
  }
  // Shuffled ids: record order and id order say nothing about who is who.
  for (let k = drafts.length - 1; k > 0; k--) {
    const j = Math.floor(r() * (k + 1));
    [drafts[k], drafts[j]] = [drafts[j]!, drafts[k]!];
  }
  const truth = new Map<string, string>();
  const records = drafts.map((d, k) => {
    const id = `r${String(k).padStart(6, '0')}`;
    truth.set(id, d.person);
    return { id, ...d.rec };
  });
  return { records, truth };
}
