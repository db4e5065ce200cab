// Titles and forms of address that surround a name in what customers and agents type
// (王女士, 刘总, 小王, Mr. John Smith): they say nothing about who the person is, so they are
// removed before names are compared, and kept aside for display.
import { toSimplified } from './chinese.js';
import { isSurname } from './surnames.js';

// Written after a full name or a surname (张伟先生, 王女士, 陈老师); longest first so that
// 总经理 wins over 经理.
const HAN_TITLES = [
  '董事长',
  '总经理',
  '工程师',
  '先生',
  '女士',
  '小姐',
  '太太',
  '夫人',
  '老师',
  '医生',
  '大夫',
  '教授',
  '博士',
  '律师',
  '经理',
  '总监',
  '主任',
  '主管',
  '老板',
  '老总',
  '师傅',
  '同学',
  '阿姨',
  '叔叔',
  '大哥',
  '大姐',
  '院长',
  '校长',
  '局长',
  '处长',
  '科长',
  '部长',
].sort((a, b) => b.length - a.length);

// One-character titles, taken only after a bare surname (刘总, 王董, 张工, 李姐): after a full
// name the character is more likely part of the given name.
const HAN_SURNAME_TITLES = ['总', '董', '工', '哥', '姐', '姨', '叔', '老', '导'];

// Familiar prefixes before a bare surname (小王, 老李).
const HAN_PREFIXES = ['小', '老'];

// Characters that are surnames but after 小/老 are far more often a given name (小明, 小红, 小龙).
const GIVEN_AFTER_PREFIX: ReadonlySet<string> = new Set('明红丽芳军强华龙燕英平刚宝玉海云花国文');

const LATIN_PREFIXES: ReadonlySet<string> = new Set([
  'mr',
  'mrs',
  'ms',
  'miss',
  'mx',
  'dr',
  'prof',
  'professor',
  'sir',
  'dame',
  'madam',
  'madame',
  'mme',
  'mlle',
  'herr',
  'frau',
  'rev',
]);
const LATIN_SUFFIXES: ReadonlySet<string> = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'phd', 'md', 'esq']);

/** Every Latin title word, lower-case without its dot: for generators that must avoid them. */
export const LATIN_TITLE_WORDS: ReadonlySet<string> = new Set([...LATIN_PREFIXES, ...LATIN_SUFFIXES]);

export interface HonorificCut {
  rest: string;
  found: string;
}

/**
 * Removes one honorific from a cleaned name (single spaces, trimmed), or returns null when
 * there is none. Callers repeat until null: "Dr. Mr. Smith" carries two.
 */
export function cutHonorific(name: string): HonorificCut | null {
  return cutLatin(name) ?? cutHan(name);
}

function cutLatin(name: string): HonorificCut | null {
  const words = name.split(' ');
  if (words.length < 2) return null;
  const first = bare(words[0] ?? '');
  if (LATIN_PREFIXES.has(first.toLowerCase())) return { rest: words.slice(1).join(' '), found: first };
  const last = bare(words[words.length - 1] ?? '');
  if (LATIN_SUFFIXES.has(last.toLowerCase())) return { rest: words.slice(0, -1).join(' '), found: last };
  return null;
}

function cutHan(name: string): HonorificCut | null {
  // Match on the simplified form (陳老師 holds 老师); cut the original when OpenCC kept the
  // length, which it does for names, else fall back to the simplified text.
  const simplified = toSimplified(name);
  const text = simplified.length === name.length ? name : simplified;
  const cut = (from: number, to: number): HonorificCut => ({
    rest: text.slice(0, from) + text.slice(to),
    found: text.slice(from, to),
  });
  for (const title of HAN_TITLES) {
    if (simplified.length > title.length && simplified.endsWith(title)) {
      return cut(text.length - title.length, text.length);
    }
  }
  for (const title of HAN_SURNAME_TITLES) {
    if (simplified.endsWith(title) && isSurname(simplified.slice(0, -title.length))) {
      return cut(text.length - title.length, text.length);
    }
  }
  for (const prefix of HAN_PREFIXES) {
    const rest = simplified.slice(prefix.length);
    if (simplified.startsWith(prefix) && isSurname(rest) && !GIVEN_AFTER_PREFIX.has(rest)) {
      return cut(0, prefix.length);
    }
  }
  return null;
}

function bare(word: string): string {
  return word.replace(/[.,]+$/, '');
}
