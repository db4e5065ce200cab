import { DomainError } from '../../core/index.js';
import { type Claimed, claim, unique } from './mask.js';

/**
 * Platform-style codes: two letters, an 8-digit date or serial, then 3–6 more digits
 * (SB20261118-00421, TB20261117123456). Tenants replace this list with their own formats.
 */
export const DEFAULT_ORDER_PATTERNS: readonly string[] = ['\\b[A-Za-z]{2}\\d{8}-?\\d{3,6}\\b'];

// Bare digit strings are order numbers only next to a label (订单号：…, "order no. …"); unlabelled
// ones could as well be phones, tracking or account numbers. Always on, whatever the tenant sets.
// 快递单号/运单号 (tracking numbers) are deliberately not labels. Whitespace runs are bounded:
// consecutive unbounded \s* would backtrack cubically on a long run of spaces.
const LABELLED =
  /(?:订单(?:号码|编号|号)?|order\s{0,3}(?:no\.?|number|num|id|#|code)?)\s{0,3}(?:是|为|:|#|is)?\s{0,3}[:#]?\s{0,3}(\d{8,30})(?!\d)/gi;

/** A tenant's order pattern that is not a valid regular expression; raised when compiling. */
export class OrderPatternInvalid extends DomainError {
  readonly code = 'ORDER_PATTERN_INVALID';
  readonly status = 400;
  constructor(
    readonly pattern: string,
    reason: string,
  ) {
    super(`order pattern ${JSON.stringify(pattern)} is not a valid regular expression: ${reason}`);
    this.extra.pattern = pattern;
  }
}

const compiled = new Map<string, RegExp[]>();

/** Compiles (once per distinct list) and validates a tenant's patterns; call it when loading config. */
export function compileOrderPatterns(patterns: readonly string[]): RegExp[] {
  const key = patterns.join('\u0000');
  let regexes = compiled.get(key);
  if (!regexes) {
    regexes = patterns.map((source) => {
      try {
        return new RegExp(source, 'g');
      } catch (err) {
        throw new OrderPatternInvalid(source, err instanceof Error ? err.message : String(err));
      }
    });
    compiled.set(key, regexes);
  }
  return regexes;
}

/** Order numbers in order of appearance: the tenant's patterns first, then labelled digit strings. */
export function extractOrderNumbers(text: string, patterns: readonly RegExp[]): Claimed<string> {
  const found: { at: number; value: string }[] = [];
  let rest = text;
  for (const pattern of [...patterns, LABELLED]) {
    const step = claim(rest, pattern, (m) => {
      const value = (m[1] ?? m[0]).trim();
      return value ? { at: m.index, value } : undefined;
    });
    found.push(...step.found);
    rest = step.rest;
  }
  return { found: unique(found.sort((a, b) => a.at - b.at).map((f) => f.value)), rest };
}
