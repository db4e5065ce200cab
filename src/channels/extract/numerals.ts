// Chinese numerals as customers write them: 三百二十九, 两千五 (= 2500, the trailing digit takes the
// next smaller unit), 一万二, 3万, 1.5万, the financial forms 壹贰叁 that invoices use, and digit
// strings such as 二〇二六 (years). Anything else yields undefined rather than a guess.

const DIGITS: Readonly<Record<string, number>> = {
  零: 0,
  〇: 0,
  一: 1,
  壹: 1,
  二: 2,
  贰: 2,
  两: 2,
  三: 3,
  叁: 3,
  四: 4,
  肆: 4,
  五: 5,
  伍: 5,
  六: 6,
  陆: 6,
  七: 7,
  柒: 7,
  八: 8,
  捌: 8,
  九: 9,
  玖: 9,
};
const SMALL_UNITS: Readonly<Record<string, number>> = {
  十: 10,
  拾: 10,
  百: 100,
  佰: 100,
  千: 1000,
  仟: 1000,
};
const BIG_UNITS: Readonly<Record<string, number>> = { 万: 1e4, 亿: 1e8 };

/** Characters that may appear in a Chinese numeral, for building regexes. */
export const ZH_NUMERAL_CHARS = `${Object.keys(DIGITS).join('')}${Object.keys(SMALL_UNITS).join('')}万亿`;

const PIECE = /\d+(?:\.\d+)?|./gsu;

export function parseChineseNumber(text: string): number | undefined {
  const pieces = text.match(PIECE) ?? [];
  if (pieces.length === 0) return undefined;
  // 二〇二六, 一八: positional digits with no units.
  if (pieces.every((p) => p.length === 1 && p in DIGITS)) {
    return Number(pieces.map((p) => DIGITS[p]).join(''));
  }
  let total = 0;
  let section = 0;
  let digit: number | undefined;
  let lastUnit = 0;
  let afterUnit = false;
  for (const p of pieces) {
    const value = /^\d/.test(p) ? Number(p) : DIGITS[p];
    if (value !== undefined) {
      if (digit !== undefined) return undefined; // 三四百: a range, not a number
      digit = value;
      afterUnit = afterUnit && p !== '零' && p !== '〇';
      if (p === '零' || p === '〇') digit = undefined;
      continue;
    }
    const small = SMALL_UNITS[p];
    const big = BIG_UNITS[p];
    if (small !== undefined) {
      section += (digit ?? 1) * small;
      lastUnit = small;
    } else if (big !== undefined) {
      const inner = section + (digit ?? 0);
      if (inner === 0 && total === 0) return undefined; // a bare 万 is a word, not a number
      if (big === 1e8) total = (total + inner) * big;
      else total += inner * big;
      section = 0;
      lastUnit = big;
    } else {
      return undefined;
    }
    digit = undefined;
    afterUnit = true;
  }
  if (digit !== undefined) {
    // 两千五 = 2500 and 一万二 = 12000; but 一千零五 = 1005 (the 零 cleared afterUnit).
    section += afterUnit && lastUnit >= 100 ? (digit * lastUnit) / 10 : digit;
  }
  const result = total + section;
  return Number.isFinite(result) ? result : undefined;
}
