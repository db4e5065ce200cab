import data from './lexicon.json' with { type: 'json' };
import type { IntentLexicon, ScoredCategory } from './types.js';

// The lexicon is data (lexicon.json) so it can be read, reviewed and extended without touching
// code; this file only gives it a type and compiles it into lookup tables once.

export const DEFAULT_LEXICON: IntentLexicon = data.categories;
export const NEGATORS: readonly string[] = data.negators;
export const SCOPE_BREAKERS: readonly string[] = data.scopeBreakers;

/**
 * Ties go to the earlier category. Complaint comes last: "太差了" beside "退款" is a refund that the
 * right team should see; an explicit 投诉 / "complain" carries weight 4 and wins on its own.
 */
export const CATEGORY_PRIORITY: readonly ScoredCategory[] = [
  'refund',
  'billing',
  'delivery',
  'technical',
  'complaint',
];

export interface Entry {
  category: ScoredCategory;
  term: string;
  weight: number;
}

export type Role = 'negator' | 'breaker';

export interface CompiledLexicon {
  /** Whole words and phrases, keyed as `joinTokens` spells them. */
  exact: ReadonlyMap<string, readonly Entry[]>;
  /** `refund*`-style stems, keyed by stem. */
  stems: ReadonlyMap<string, readonly Entry[]>;
  /**
   * Single Latin words and stems of five letters or more, which tolerate one dropped, extra or
   * swapped letter ("refnd", "delievry"). Not a changed letter: that too often makes another
   * real word ("changed" is not "charged").
   */
  typoTargets: readonly (readonly [string, readonly Entry[]])[];
  roles: ReadonlyMap<string, Role>;
  /** Longest phrase, in tokens, worth trying (Han terms may come out of jieba in several pieces). */
  maxTokens: number;
}

/** Built-in Han terms of two characters or more, negators and breakers included, for the segmenter. */
export function lexiconHanTerms(): string[] {
  const terms = [
    ...Object.values(DEFAULT_LEXICON).flatMap((c) => Object.keys(c)),
    ...NEGATORS,
    ...SCOPE_BREAKERS,
  ];
  return [...new Set(terms.filter((t) => /^\p{Script=Han}{2,}$/u.test(t)))];
}

const cache = new WeakMap<IntentLexicon, CompiledLexicon>();
let base: CompiledLexicon | undefined;

/** The built-in lexicon with `extra` merged over it (same term: extra's weight; weight 0 removes). */
export function compileLexicon(extra?: IntentLexicon): CompiledLexicon {
  if (!extra) {
    base ??= build([DEFAULT_LEXICON]);
    return base;
  }
  let compiled = cache.get(extra);
  if (!compiled) {
    compiled = build([DEFAULT_LEXICON, extra]);
    cache.set(extra, compiled);
  }
  return compiled;
}

function build(layers: readonly IntentLexicon[]): CompiledLexicon {
  const weights = new Map<string, Entry>();
  for (const layer of layers) {
    for (const category of CATEGORY_PRIORITY) {
      for (const [raw, weight] of Object.entries(layer[category] ?? {})) {
        const term = raw.trim().toLowerCase();
        weights.set(`${category}\u0000${term}`, { category, term, weight });
      }
    }
  }
  const exact = new Map<string, Entry[]>();
  const stems = new Map<string, Entry[]>();
  for (const entry of weights.values()) {
    if (entry.weight === 0 || entry.term === '' || entry.term === '*') continue;
    const [map, key] = entry.term.endsWith('*') ? [stems, entry.term.slice(0, -1)] : [exact, entry.term];
    map.set(key, [...(map.get(key) ?? []), entry]);
  }
  const typoTargets = [...exact, ...stems].filter(([key]) => /^[a-z]{5,}$/.test(key));
  const roles = new Map<string, Role>();
  for (const n of NEGATORS) roles.set(n, 'negator');
  for (const b of SCOPE_BREAKERS) roles.set(b, 'breaker');
  const keys = [...exact.keys(), ...roles.keys()];
  // A Han term can come back from the segmenter as one token per character, so it may span as
  // many tokens as it has characters; a Latin phrase spans one token per word.
  const spans = keys.map((k) => (/\p{Script=Han}/u.test(k) ? [...k].length : k.split(' ').length));
  return { exact, stems, typoTargets, roles, maxTokens: Math.min(8, Math.max(1, ...spans)) };
}
