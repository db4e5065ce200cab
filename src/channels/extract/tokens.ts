import type { Segmenter } from './types.js';

export type TokenKind = 'han' | 'word' | 'emoji' | 'break';

export interface Token {
  text: string;
  kind: TokenKind;
}

// Han runs go to the segmenter; Latin words keep their apostrophe ("don't") so negations stay one
// token; punctuation becomes a `break`, which ends a negation's reach and a phrase.
const PIECES =
  /(\p{Script=Han}+)|((?:(?!\p{Script=Han})[\p{L}\p{N}])+(?:'\p{L}+)*)|(\p{Extended_Pictographic})|([,.!?;:。、…~\n()[\]"]+)/gu;

/** Tokens of normalised, lower-cased text, in order. */
export function tokenize(text: string, segmenter: Segmenter): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(PIECES)) {
    if (m[1] !== undefined) {
      for (const word of segmenter.cut(m[1])) {
        const trimmed = word.trim();
        if (trimmed) tokens.push({ text: trimmed, kind: 'han' });
      }
    } else if (m[2] !== undefined) {
      tokens.push({ text: m[2], kind: 'word' });
    } else if (m[3] !== undefined) {
      tokens.push({ text: m[3], kind: 'emoji' });
    } else {
      tokens.push({ text: m[0], kind: 'break' });
    }
  }
  return tokens;
}

/**
 * The text a run of tokens spells, as the lexicon writes it: Han tokens join directly (jieba may
 * split 闪退 into 闪|退), anything else joins with one space ("money back").
 */
export function joinTokens(tokens: readonly Token[], from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) {
    const t = tokens[i]!;
    const prev = tokens[i - 1];
    if (i > from && !(t.kind === 'han' && prev?.kind === 'han')) out += ' ';
    out += t.text;
  }
  return out;
}
