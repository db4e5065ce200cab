// Birth dates to ISO yyyy-mm-dd from the ways people and systems write them.

// A Map, not an object: "constructor" must not read as a month.
const MONTH_NAMES = 'january february march april may june july august september october november december';
const MONTHS: ReadonlyMap<string, number> = new Map([
  ...MONTH_NAMES.split(' ').flatMap((name, i): [string, number][] => [
    [name, i + 1],
    [name.slice(0, 3), i + 1],
  ]),
  ['sept', 9],
]);

// There is no clock here (the module is pure), so "not in the future" is the caller's check;
// a year outside this range is a typo, not a living customer's birth.
const MIN_YEAR = 1800;
const MAX_YEAR = 2199;

// Year first with any of - / . or 年月日 (1990-05-01, 1990/5/1, 1990.5.1, 1990年5月1日), optionally
// followed by a time, as exports from other systems often are (1990-05-01T00:00:00Z).
const YEAR_FIRST =
  /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?:(?:t|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:z|[+-]\d{2}:?\d{2})?)?$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const YEAR_LAST = /^(\d{1,2})\s*([./-])\s*(\d{1,2})\s*\2\s*(\d{4})$/;
const DAY = /^(\d{1,2})(?:st|nd|rd|th)?$/;

type Ymd = [year: number, month: number, day: number];

/**
 * ISO yyyy-mm-dd, or null when the text is no valid date (1990-02-30). Reads 1990-05-01,
 * 1990/5/1, 19900501, 1990年5月1日 (also in Chinese numerals), 01.05.1990 (day first, as
 * dotted dates are written), May 1 1990 and 1 May 1990. 01/05/1990 is refused: it is 1 May in
 * Europe and 5 January in the US, and a wrong birth date matches the wrong customer; it is
 * read only when one of the two numbers is over 12.
 */
export function normalizeBirthDate(raw: string): string | null {
  if (typeof raw !== 'string' || raw.length > 100) return null;
  const s = withArabicNumerals(raw.replace(/\p{C}/gu, '').normalize('NFKC').trim().toLowerCase());
  const ymd = readYearFirst(s) ?? readYearLast(s) ?? readMonthName(s);
  return ymd && isRealDate(ymd)
    ? ymd.map((n, i) => String(n).padStart(i === 0 ? 4 : 2, '0')).join('-')
    : null;
}

function readYearFirst(s: string): Ymd | null {
  const m = YEAR_FIRST.exec(s) ?? COMPACT.exec(s);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

function readYearLast(s: string): Ymd | null {
  const m = YEAR_LAST.exec(s);
  if (!m) return null;
  const [a, b, year] = [Number(m[1]), Number(m[3]), Number(m[4])];
  if (m[2] === '.' || a > 12 || a === b) return [year, b, a];
  return b > 12 ? [year, a, b] : null;
}

/** Three parts in any order: a month name, a four-digit year and a day (May 1st, 1990; 1 May 1990). */
function readMonthName(s: string): Ymd | null {
  const parts = s.split(/[\s,./-]+/).filter((p) => p && p !== 'of' && p !== 'the');
  if (parts.length !== 3) return null;
  let year: number | undefined;
  let month: number | undefined;
  let day: number | undefined;
  for (const p of parts) {
    const dayMatch = DAY.exec(p);
    if (/^\d{4}$/.test(p) && year === undefined) year = Number(p);
    else if (MONTHS.has(p) && month === undefined) month = MONTHS.get(p);
    else if (dayMatch && day === undefined) day = Number(dayMatch[1]);
    else return null;
  }
  return year !== undefined && month !== undefined && day !== undefined ? [year, month, day] : null;
}

function isRealDate([year, month, day]: Ymd): boolean {
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}

const CHINESE_DIGITS: Readonly<Record<string, number>> = {
  〇: 0,
  零: 0,
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/** 一九九〇年五月一日 → 1990年5月1日: years digit by digit, months and days with 十 (十二 = 12, 二十一 = 21). */
function withArabicNumerals(s: string): string {
  if (!s.includes('年')) return s;
  return s.replace(/[〇零一二三四五六七八九十]+/gu, (run) => {
    const ten = run.indexOf('十');
    if (ten < 0) return Array.from(run, (c) => CHINESE_DIGITS[c]).join('');
    const [tens, units] = [run.slice(0, ten), run.slice(ten + 1)];
    if (tens.length > 1 || units.length > 1) return run;
    return String((tens ? (CHINESE_DIGITS[tens] ?? 0) : 1) * 10 + (units ? (CHINESE_DIGITS[units] ?? 0) : 0));
  });
}
