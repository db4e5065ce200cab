// Person names as comparable keys across scripts: 张伟, 張偉, "Zhang Wei", "WEI ZHANG" and
// "Zhang, Wei" all give the tokens ['wei', 'zhang'].
import { hasHan, toPinyin, toSimplified } from './chinese.js';
import { cutHonorific } from './honorifics.js';
import { asciiLetters } from './latin.js';
import { COMPOUND_SURNAMES, splitHanName } from './surnames.js';

export interface NameKey {
  /** Trimmed, honorifics removed, original script. */
  display: string;
  /** Chinese characters converted to simplified (opencc-js), Latin lower-cased. */
  simplified: string;
  script: 'han' | 'latin' | 'mixed' | 'other';
  /** Latin tokens of the name, lower-case, tone-less pinyin for Han (张伟 → ['zhang','wei']), sorted for order-free comparison. */
  tokens: string[];
  /** The surname when it can be told apart (Han: first character(s) via common compound surnames; Latin: last token unless "Surname, Given"). */
  surname?: string;
  /** 先生 / 女士 / 小姐 / Mr / Ms / Dr … (as found). */
  honorific?: string;
}

// Longer than any name: a guard against pasted documents, not a rule about names.
const MAX_RAW = 10_000;
const MAX_DISPLAY = 300;

const WORD_SPLIT = /[^\p{L}\p{M}\p{N}'’‐-]+/u;
const HAN_ONLY = /^\p{Script=Han}+$/u;
const MIDDLE_DOT = /[·・•‧]/u;

// Whole-token spellings of ü common in Chinese systems (LV for 吕 on ID-card keyboards, LYU on
// passports) brought to the folded form that 吕 itself gives.
const U_UMLAUT_SPELLINGS: ReadonlyMap<string, string> = new Map([
  ['lv', 'lu'],
  ['lyu', 'lu'],
  ['nv', 'nu'],
  ['nyu', 'nu'],
]);

/**
 * Normalises a person's name for matching, or null when it has no letters. Han names are
 * simplified, split into surname and given name and read in pinyin (surname readings for
 * the surname); Latin names are folded (José → jose). Cantonese and Wade-Giles spellings
 * (Chan, Cheung, Hsu) are not mapped to their Mandarin pinyin: "Chan Tai Man" does not meet 陈大文.
 */
export function normalizeName(raw: string): NameKey | null {
  if (typeof raw !== 'string' || raw.length > MAX_RAW) return null;
  let display = cleanName(raw);
  const honorifics: string[] = [];
  for (let cut = cutHonorific(display); cut; cut = cutHonorific(display)) {
    const rest = cleanName(cut.rest);
    // Keep the title when nothing would remain ("先生" alone), and guard termination.
    if (!/\p{L}/u.test(rest) || rest.length >= display.length) break;
    honorifics.push(cut.found);
    display = rest;
  }
  if (!/\p{L}/u.test(display) || display.length > MAX_DISPLAY) return null;

  const simplified = toSimplified(display).toLowerCase();
  const script = scriptOf(simplified);
  const text = toSimplified(display);
  const words = text.split(WORD_SPLIT).filter(Boolean);
  // A middle dot joins the parts of a transliterated name (迈克尔·杰克逊): each part is one
  // token, not a Chinese surname followed by a given name.
  const tokenize = MIDDLE_DOT.test(text) ? wordAsOneToken : wordTokens;
  const key: NameKey = { display, simplified, script, tokens: words.flatMap(tokenize).sort() };
  const surname = surnameOf(text, words, script);
  if (surname) key.surname = surname;
  if (honorifics.length > 0) key.honorific = honorifics.join(' ');
  return key;
}

/** Repeats one cleaning pass until it changes nothing, which makes the result a fixed point. */
function cleanName(raw: string): string {
  let s = raw;
  for (let next = cleanOnce(s); next !== s; next = cleanOnce(s)) s = next;
  return s;
}

function cleanOnce(s: string): string {
  return (
    s
      // Zero-width and control characters ride along with names copied from chats.
      .replace(/\p{C}/gu, '')
      // Annotations such as 张伟（销售） or "Li Na (VIP)" are about the contact, not the name.
      .replace(/[(（[【][^()（）[\]【】]*[)）\]】]/gu, ' ')
      // NFKC: full-width Latin, ideographic spaces and compatibility forms to their plain form.
      .normalize('NFKC')
      .replace(/\s+/gu, ' ')
      // 张 伟 and 张伟 are one name; spaces between Latin words are not removed.
      .replace(/(\p{Script=Han}) (?=\p{Script=Han})/gu, '$1')
      .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}\p{M}]+$/gu, '')
  );
}

function scriptOf(s: string): NameKey['script'] {
  const han = /\p{Script=Han}/u.test(s);
  const latin = /\p{Script=Latin}/u.test(s);
  const other = /[^\P{L}\p{Script=Han}\p{Script=Latin}]/u.test(s);
  const count = Number(han) + Number(latin) + Number(other);
  if (count > 1) return 'mixed';
  return han ? 'han' : latin ? 'latin' : 'other';
}

/** A Han word gives surname and given name as two tokens; any other word one folded token. */
function wordTokens(word: string): string[] {
  if (HAN_ONLY.test(word)) {
    const { surname, given } = splitHanName(word);
    const tokens = [surname ? toPinyin(surname, true) : '', given ? toPinyin(given) : ''];
    return tokens.filter(Boolean);
  }
  return wordAsOneToken(word);
}

function wordAsOneToken(word: string): string[] {
  const folded = hasHan(word) ? word.replace(/\p{Script=Han}+/gu, (han) => toPinyin(han)) : word;
  const token = asciiLetters(folded);
  return token ? [U_UMLAUT_SPELLINGS.get(token) ?? token] : [];
}

function surnameOf(text: string, words: string[], script: NameKey['script']): string | undefined {
  if (script === 'han') {
    const [first, ...others] = words;
    if (first === undefined) return undefined;
    if (others.length === 0 || !MIDDLE_DOT.test(text)) return splitHanName(first).surname;
    // Names joined by a middle dot are transliterations in the source order: given·surname
    // (迈克尔·杰克逊), except Manchu clan names, which lead (爱新觉罗·玄烨).
    return COMPOUND_SURNAMES.has(first) ? first : words[words.length - 1];
  }
  return script === 'latin' ? latinSurname(text, words) : undefined;
}

function latinSurname(text: string, words: string[]): string | undefined {
  const comma = text.indexOf(',');
  if (comma > 0) {
    const before = tokensOf(text.slice(0, comma).split(WORD_SPLIT));
    if (before && tokensOf(text.slice(comma + 1).split(WORD_SPLIT))) return before;
  }
  // A surname in capitals among mixed-case words is a common way to mark it: ZHANG Wei.
  const capitals = words.filter((w) => w.length > 1 && w === w.toUpperCase() && w !== w.toLowerCase());
  if (capitals.length === 1 && words.length > 1) return tokensOf(capitals);
  return tokensOf(words.slice(-1));
}

function tokensOf(words: string[]): string | undefined {
  return words.flatMap(wordTokens).join(' ') || undefined;
}
