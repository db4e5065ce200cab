// Han text: traditional → simplified (OpenCC) and tone-less pinyin (pinyin-pro), each set up once.
import * as OpenCC from 'opencc-js/t2cn';
import { pinyin } from 'pinyin-pro';
import { asciiLetters } from './latin.js';

// Built at module load: building compiles OpenCC's dictionaries into a trie (milliseconds);
// a conversion afterwards costs a few microseconds. 't' reads Taiwan and Hong Kong forms alike.
const convertToSimplified = OpenCC.Converter({ from: 't', to: 'cn' });

const HAN = /\p{Script=Han}/u;

export function hasHan(s: string): boolean {
  return HAN.test(s);
}

/** Traditional Chinese characters to simplified (張偉 → 张伟); text without Han is returned as is. */
export function toSimplified(s: string): string {
  return hasHan(s) ? convertToSimplified(s) : s;
}

/**
 * Tone-less pinyin of a Han string as one run of ASCII letters (张伟 → 'zhangwei', 吕 → 'lu':
 * ü folds to u like every Latin diacritic, so 吕 meets the spelling "Lü"). A surname is read
 * with pinyin-pro's surname readings, which differ from the common ones for heteronyms
 * (单 shan not dan, 曾 zeng not ceng, 解 xie not jie, 仇 qiu, 朴 piao).
 */
export function toPinyin(han: string, asSurname = false): string {
  const syllables = asSurname
    ? pinyin(han, { toneType: 'none', type: 'array', mode: 'surname', surname: 'all' })
    : pinyin(han, { toneType: 'none', type: 'array' });
  return asciiLetters(syllables.join(''));
}
