import { type Claimed, claim, unique } from './mask.js';
import { parseChineseNumber, ZH_NUMERAL_CHARS } from './numerals.js';
import type { Amount, Currency } from './types.js';

// A number is an amount only with a currency beside it: "3台" and bare "329" stay numbers. A bare
// ¥ and 元 mean CNY (Chinese-first; JPY customers write 日元/JPY), a bare $ means USD.

const MARKERS: Readonly<Record<string, Currency>> = {
  us$: 'USD',
  hk$: 'HKD',
  nt$: 'TWD',
  a$: 'AUD',
  c$: 'CAD',
  s$: 'SGD',
  $: 'USD',
  '¥': 'CNY',
  '€': 'EUR',
  '£': 'GBP',
  rmb: 'CNY',
  cny: 'CNY',
  usd: 'USD',
  eur: 'EUR',
  gbp: 'GBP',
  hkd: 'HKD',
  jpy: 'JPY',
  twd: 'TWD',
  sgd: 'SGD',
  aud: 'AUD',
  cad: 'CAD',
  人民币: 'CNY',
  元: 'CNY',
  块钱: 'CNY',
  块: 'CNY',
  圆: 'CNY',
  美元: 'USD',
  美金: 'USD',
  刀: 'USD',
  欧元: 'EUR',
  英镑: 'GBP',
  港币: 'HKD',
  港元: 'HKD',
  日元: 'JPY',
  新台币: 'TWD',
  台币: 'TWD',
  dollars: 'USD',
  dollar: 'USD',
  bucks: 'USD',
  euros: 'EUR',
  euro: 'EUR',
  yuan: 'CNY',
  pounds: 'GBP',
  pound: 'GBP',
};

const escapeRegex = (s: string) => s.replace(/[$.*+?()[\]{}|\\^]/g, '\\$&');
const byLength = (keys: string[]) => [...keys].sort((a, b) => b.length - a.length).map(escapeRegex);
const PREFIXES = byLength(['us$', 'hk$', 'nt$', 'a$', 'c$', 's$', '$', '¥', '€', '£', '人民币']).join('|');
const CODES = byLength(['rmb', 'cny', 'usd', 'eur', 'gbp', 'hkd', 'jpy', 'twd', 'sgd', 'aud', 'cad']).join(
  '|',
);
const SUFFIXES = byLength(Object.keys(MARKERS).filter((k) => !k.endsWith('$'))).join('|');

// 1.5万 | $1.2k | 2.450,00 (European: dot groups, so the decimal comma is required) | 1,299.00 |
// 19,99 (a decimal comma: two digits at most) | 329; then 三百二十九.
const DIGITS = `\\d+(?:\\.\\d+)?\\s{0,3}[万千百亿]+|\\d+(?:\\.\\d+)?k(?![a-z])|\\d{1,3}(?:\\.\\d{3})+,\\d{1,2}(?!\\d)|\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:,\\d{1,2}(?!\\d)|\\.\\d+)?`;
// Start a number where it starts: not inside 1,299 or after another numeral. A comma alone before
// it is fine, since NFKC turns Chinese "，" into ",".
const NUMBER = `(?<!\\d|\\d[.,])(?:${DIGITS})|(?<![${ZH_NUMERAL_CHARS}])[${ZH_NUMERAL_CHARS}]+`;
// 五十九块九 = 59.9, 二十块五毛 = 20.5: a digit after 块/元 counts tenths (角/毛).
const TENTHS = '(?:(?<=[块元])([一二两三四五六七八九]|\\d(?![\\d.,]))[角毛]?)?';

const PREFIXED = new RegExp(`(?:(${PREFIXES})|(?<![a-z])(${CODES}))\\s?(${DIGITS})(?![\\d.,]?\\d)`, 'gi');
const SUFFIXED = new RegExp(`(${NUMBER})\\s?(${SUFFIXES})(?![a-z])${TENTHS}`, 'gi');

function parseNumber(raw: string): number | undefined {
  const text = raw.replace(/\s+/g, '');
  if (/^[\d.]+,\d{1,2}$/.test(text)) return Number(text.replace(/\./g, '').replace(',', '.'));
  if (/^[\d,]+(?:\.\d+)?$/.test(text)) return Number(text.replace(/,/g, ''));
  if (/^\d+(?:\.\d+)?k$/i.test(text)) return Number(text.slice(0, -1)) * 1000;
  return parseChineseNumber(text);
}

// 块 and 刀 are also measure words (换一块电池, 一刀): as money they need digits, 块X tenths, or ≥ 10.
const MEASURE_WORDS = new Set(['块', '刀']);

function amountOf(raw: string, marker: string, tenths?: string): Amount | undefined {
  const currency = MARKERS[marker.toLowerCase()];
  let value = parseNumber(raw);
  if (currency === undefined || value === undefined || !Number.isFinite(value) || value < 0) return;
  if (MEASURE_WORDS.has(marker) && !/\d/.test(raw) && !tenths && (marker === '刀' || value < 10)) return;
  if (tenths) value += (parseChineseNumber(tenths) ?? 0) / 10;
  // Binary floats: 59 + 0.9 must print as 59.9, and cents are the finest unit customers write.
  return { value: Math.round(value * 100) / 100, currency };
}

type At = { at: number; amount: Amount };
const at = (index: number, amount: Amount | undefined): At | undefined => amount && { at: index, amount };

/** Amounts in order of appearance; equal amounts (same value and currency) once. */
export function extractAmounts(text: string): Claimed<Amount> {
  const first = claim(text, PREFIXED, (m) => at(m.index, amountOf(m[3]!, m[1] ?? m[2]!)));
  const second = claim(first.rest, SUFFIXED, (m) => at(m.index, amountOf(m[1]!, m[2]!, m[3])));
  const found = [...first.found, ...second.found].sort((a, b) => a.at - b.at).map((h) => h.amount);
  return { found: unique(found, (a) => `${a.currency} ${a.value}`), rest: second.rest };
}
