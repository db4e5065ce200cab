import { CATEGORY_PRIORITY, type CompiledLexicon, compileLexicon, type Entry } from './lexicon.js';
import { joinTokens, type Token } from './tokens.js';
import type { Intent, IntentLexicon, ScoredCategory } from './types.js';

// A transparent scorer: every point a category gets comes from a named lexicon term, and
// `explainIntent` shows each one, negated or not. No training, no hidden state.

/** Below this a message is `other`: one decisive term (3) or two strong ones are needed. */
const THRESHOLD = 2;
/** How many tokens after 不需要 / "don't want" stay negated, unless the clause ends first. */
const NEGATION_REACH = 4;
/** Saying 退款 five times is emphasis, not five times the evidence. */
const MAX_REPEATS = 2;

export interface IntentHit {
  category: ScoredCategory;
  /** The lexicon term, as written there (`refund*` for a stem). */
  term: string;
  /** What the customer wrote. */
  text: string;
  weight: number;
  negated: boolean;
}

export interface IntentExplanation {
  intent: Intent;
  scores: Record<ScoredCategory, number>;
  hits: IntentHit[];
}

export function scoreIntent(tokens: readonly Token[], extra?: IntentLexicon): IntentExplanation {
  const hits = findHits(tokens, compileLexicon(extra));
  const scores: Record<ScoredCategory, number> = {
    refund: 0,
    delivery: 0,
    complaint: 0,
    technical: 0,
    billing: 0,
  };
  const repeats = new Map<string, number>();
  for (const hit of hits) {
    const key = `${hit.category}\u0000${hit.term}`;
    const seen = repeats.get(key) ?? 0;
    if (hit.negated || seen >= MAX_REPEATS) continue;
    repeats.set(key, seen + 1);
    scores[hit.category] += hit.weight;
  }
  return { intent: decide(scores, hits), scores, hits };
}

function decide(scores: Record<ScoredCategory, number>, hits: readonly IntentHit[]): Intent {
  // Stable sort over the priority order, so ties go to the earlier category.
  const ranked = [...CATEGORY_PRIORITY].sort((a, b) => scores[b] - scores[a]);
  const top = scores[ranked[0]!];
  const second = scores[ranked[1]!];
  if (top < THRESHOLD) {
    // Absence of evidence is weaker evidence than a match: 0.6 with nothing at all, less as
    // sub-threshold hits accumulate.
    return { category: 'other', confidence: round(0.3 + 0.3 * (1 - top / THRESHOLD)), matched: [] };
  }
  const winner = ranked[0]!;
  // Strength saturates with the score (3 → 0.78, 6 → 0.95); the margin over the runner-up scales
  // it from half (a tie) to whole (no competition).
  const strength = 1 - Math.exp(-top / 2);
  const margin = (top - second) / top;
  const matched = hits.filter((h) => h.category === winner && !h.negated).map((h) => h.term);
  return {
    category: winner,
    confidence: round(strength * (0.5 + 0.5 * margin)),
    matched: [...new Set(matched)],
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

function findHits(tokens: readonly Token[], lex: CompiledLexicon): IntentHit[] {
  const hits: IntentHit[] = [];
  const add = (entries: readonly Entry[], text: string, negated: boolean) => {
    for (const e of entries)
      hits.push({ category: e.category, term: e.term, text, weight: e.weight, negated });
  };
  let negatedFor = 0;
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i]!;
    if (token.kind === 'break') {
      negatedFor = 0;
      i++;
      continue;
    }
    const span = longestMatch(tokens, i, lex);
    if (span) {
      const text = joinTokens(tokens, i, i + span.length);
      if (span.role === 'negator') negatedFor = NEGATION_REACH + span.length;
      else if (span.role === 'breaker') negatedFor = 0;
      else add(span.entries, text, negatedFor > 0);
      negatedFor = Math.max(0, negatedFor - span.length);
      i += span.length;
      continue;
    }
    for (const [entries, text] of looseMatches(token, lex)) add(entries, text, negatedFor > 0);
    negatedFor = Math.max(0, negatedFor - 1);
    i++;
  }
  return hits;
}

type Span = { length: number; role?: 'negator' | 'breaker'; entries: readonly Entry[] };

/** The longest run of tokens from `i` that spells a lexicon term, negator or breaker. */
function longestMatch(tokens: readonly Token[], i: number, lex: CompiledLexicon): Span | undefined {
  let end = i;
  while (end < tokens.length && end - i < lex.maxTokens && tokens[end]!.kind !== 'break') end++;
  for (let j = end; j > i; j--) {
    const key = joinTokens(tokens, i, j);
    const role = lex.roles.get(key);
    if (role) return { length: j - i, role, entries: [] };
    const entries = lex.exact.get(key);
    if (entries) return { length: j - i, entries };
  }
  return undefined;
}

/** Matches inside one token: a stem (`refund*`), one slip in a long English word, or a Han term inside a longer jieba word (快递员 → 快递). */
function looseMatches(token: Token, lex: CompiledLexicon): [readonly Entry[], string][] {
  const text = token.text;
  if (token.kind === 'word') {
    for (let n = text.length; n >= 3; n--) {
      const entries = lex.stems.get(text.slice(0, n));
      if (entries) return [[entries, text]];
    }
    if (text.length < 5) return [];
    for (const [key, entries] of lex.typoTargets) {
      if (key[0] === text[0] && Math.abs(key.length - text.length) <= 1 && withinOneSlip(key, text)) {
        return [[entries, text]];
      }
    }
    return [];
  }
  if (token.kind !== 'han') return [];
  const chars = [...text];
  const found: [readonly Entry[], string][] = [];
  for (let start = 0; start < chars.length - 1; start++) {
    for (let end = chars.length; end - start >= 2; end--) {
      if (start === 0 && end === chars.length) continue; // the whole token already failed
      const entries = lex.exact.get(chars.slice(start, end).join(''));
      if (entries) {
        found.push([entries, text]);
        start = end - 1;
        break;
      }
    }
  }
  return found;
}

/** One letter dropped, added, or two neighbours swapped: the slips that rarely make another word. */
export function withinOneSlip(a: string, b: string): boolean {
  if (a === b) return true;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  if (a.length === b.length + 1) return a.slice(i + 1) === b.slice(i);
  if (b.length === a.length + 1) return a.slice(i) === b.slice(i + 1);
  return false;
}
