import { type Claimed, claim, unique } from './mask.js';
import { parseChineseNumber } from './numerals.js';

// Days are counted as whole days since 1970-01-01 in the tenant's zone, so the arithmetic below is
// plain integers and the only clock is the injected `now`.
const DAY_MS = 86_400_000;

/**
 * Relative weekdays, chosen once and kept: 上周五 is the Friday of the previous Monday-based week;
 * "last Friday" is the latest Friday strictly before today; "next Friday" the first strictly
 * after; 这周五/本周五/"this Friday" the Friday of the current week. Bare weekdays (周五, "on Friday")
 * are too ambiguous to date and are not extracted.
 */
interface Today {
  day: number;
  year: number;
  /** ISO weekday, Monday = 1 … Sunday = 7. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function todayIn(now: number, timeZone: string): Today {
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, fmt);
  }
  const part = (type: string) => Number(fmt.formatToParts(now).find((p) => p.type === type)?.value);
  const year = part('year');
  const day = Date.UTC(year, part('month') - 1, part('day')) / DAY_MS;
  return { day, year, weekday: ((((day + 3) % 7) + 7) % 7) + 1 };
}

/** The day number of a calendar date, or undefined if there is no such date (2月30日). */
function dayOf(year: number, month: number, date: number): number | undefined {
  if (!Number.isInteger(month) || !Number.isInteger(date) || month < 1 || month > 12 || date < 1) return;
  const d = new Date(Date.UTC(year, month - 1, date));
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== date) return;
  return d.getTime() / DAY_MS;
}

function isoOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH =
  '(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\\.?';
const WEEKDAYS_EN = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const WEEKDAYS_ZH = '一二三四五六日';
const ZH_SMALL = '[\\d一二三四五六七八九十]{1,3}';
const COUNT_EN: Readonly<Record<string, number>> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
};
const OFFSET_WORDS: Readonly<Record<string, number>> = {
  大前天: -3,
  前天: -2,
  昨天: -1,
  昨日: -1,
  昨晚: -1,
  今天: 0,
  今日: 0,
  今晚: 0,
  明天: 1,
  明日: 1,
  后天: 2,
  'the day before yesterday': -2,
  yesterday: -1,
  today: 0,
  tonight: 0,
  tomorrow: 1,
  'the day after tomorrow': 2,
};

const monthNumber = (word: string) => MONTHS.indexOf(word.toLowerCase().slice(0, 3)) + 1;
const zhNumber = (s: string) => parseChineseNumber(s) ?? Number.NaN;
const weekdayZh = (c: string) => (c === '天' ? 7 : WEEKDAYS_ZH.indexOf(c) + 1);
const weekdayEn = (w: string) => WEEKDAYS_EN.findIndex((d) => d.startsWith(w.toLowerCase().slice(0, 3))) + 1;

type Rule = [RegExp, (m: RegExpExecArray, t: Today) => number | undefined];

const RULES: Rule[] = [
  // 2026-11-18, 2026/11/18, 2026.11.18, 2026年11月18日
  [
    /(?<!\d)(\d{4})\s{0,3}[-/.年]\s{0,3}(\d{1,2})\s{0,3}[-/.月]\s{0,3}(\d{1,2})(?:\s{0,3}[日号])?(?!\d)/g,
    (m) => dayOf(+m[1]!, +m[2]!, +m[3]!),
  ],
  // 17/11/2026 and 11/17/2026 only where one side is over 12; 05/11/2026 is ambiguous (CN/US
  // month-first, Europe day-first) and stays undated.
  [
    /(?<![\d/.])(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?![\d/])/g,
    (m) => {
      const [a, b, year] = [+m[1]!, +m[2]!, +m[3]!];
      if (a > 12 && b <= 12) return dayOf(year, b, a);
      if (b > 12 && a <= 12) return dayOf(year, a, b);
      return undefined;
    },
  ],
  // 11月18日, 十一月十八号: the year is the one `now` falls in.
  [
    new RegExp(`(?<![\\d年])(${ZH_SMALL})\\s{0,3}月\\s{0,3}(${ZH_SMALL})\\s{0,3}[日号]?(?![\\d十])`, 'g'),
    (m, t) => dayOf(t.year, zhNumber(m[1]!), zhNumber(m[2]!)),
  ],
  // November 18, 2026 / Nov 18th / 18 November / 18th of Nov 2026
  [
    new RegExp(`\\b${MONTH}\\s{1,3}(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s{0,3}(\\d{4})\\b)?`, 'gi'),
    (m, t) => dayOf(m[3] ? +m[3] : t.year, monthNumber(m[1]!), +m[2]!),
  ],
  [
    new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s{1,3}(?:of\\s{1,3})?${MONTH}(?:\\s{1,3}(\\d{4})\\b)?`, 'gi'),
    (m, t) => dayOf(m[3] ? +m[3] : t.year, monthNumber(m[2]!), +m[1]!),
  ],
  // 双十一 / 双11 (11 November, China's biggest shopping day) and 双十二.
  [
    /双\s{0,3}(十一|十二|11|12)/g,
    (m, t) => {
      const n = zhNumber(m[1]!);
      return dayOf(t.year, n, n);
    },
  ],
  // 上周五, 这个星期三, 下礼拜天
  [
    new RegExp(`(上|这|本|下)个?(?:周|星期|礼拜)([${WEEKDAYS_ZH}天])`, 'g'),
    (m, t) => {
      const week = m[1] === '上' ? -7 : m[1] === '下' ? 7 : 0;
      return t.day - (t.weekday - 1) + week + weekdayZh(m[2]!) - 1;
    },
  ],
  [
    /\b(last|this|next)\s+(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b/gi,
    (m, t) => {
      const target = weekdayEn(m[2]!);
      const which = m[1]!.toLowerCase();
      if (which === 'this') return t.day - (t.weekday - 1) + target - 1;
      if (which === 'last') return t.day - ((t.weekday - target + 7) % 7 || 7);
      return t.day + ((target - t.weekday + 7) % 7 || 7);
    },
  ],
  // 3天前, 两个星期前, 2 days ago, a week ago
  [
    /([\d一二两三四五六七八九十]{1,3})\s{0,3}(天|个?(?:星期|礼拜)|周)前/g,
    (m, t) => {
      const n = zhNumber(m[1]!);
      return Number.isFinite(n) ? t.day - n * (m[2] === '天' ? 1 : 7) : undefined;
    },
  ],
  [
    /\b(\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s+(days?|weeks?)\s+ago\b/gi,
    (m, t) => {
      const n = Number(m[1]) || COUNT_EN[m[1]!.toLowerCase()] || 0;
      return t.day - n * (m[2]!.toLowerCase().startsWith('w') ? 7 : 1);
    },
  ],
  [
    new RegExp(
      `${Object.keys(OFFSET_WORDS)
        .map((w) => (/^[a-z]/.test(w) ? `\\b${w}\\b` : w))
        .join('|')}`,
      'gi',
    ),
    (m, t) => t.day + (OFFSET_WORDS[m[0].toLowerCase()] ?? 0),
  ],
];

/** ISO dates mentioned in `text`, in order of appearance, relative ones resolved against `now`. */
export function extractDates(text: string, now: number, timeZone: string): Claimed<string> {
  const today = todayIn(now, timeZone);
  const hits: { at: number; iso: string }[] = [];
  let rest = text;
  for (const [pattern, resolve] of RULES) {
    const step = claim(rest, pattern, (m) => {
      const day = resolve(m, today);
      return day === undefined || !Number.isFinite(day) ? undefined : { at: m.index, iso: isoOf(day) };
    });
    hits.push(...step.found);
    rest = step.rest;
  }
  hits.sort((a, b) => a.at - b.at);
  return { found: unique(hits.map((h) => h.iso)), rest };
}
