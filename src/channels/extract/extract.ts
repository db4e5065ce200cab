import { InvalidInput } from '../../core/index.js';
import { extractAmounts } from './amounts.js';
import { extractDates } from './dates.js';
import { extractEmails } from './emails.js';
import { type IntentExplanation, scoreIntent } from './intent.js';
import { normalizeText } from './normalize.js';
import { compileOrderPatterns, DEFAULT_ORDER_PATTERNS, extractOrderNumbers } from './orders.js';
import { extractPhones } from './phones.js';
import { defaultSegmenter } from './segment.js';
import { tokenize } from './tokens.js';
import type { Extracted, ExtractOptions } from './types.js';

/** ECMAScript's Date range: ±100,000,000 days around 1970. */
const MAX_EPOCH_MS = 8.64e15;

/**
 * Structured fields from one customer message. Pure apart from the segmenter's one-off dictionary
 * load: the same text and options always give the same result.
 *
 * Order matters: e-mails, order numbers, dates and amounts each blank out what they claimed before
 * phones are looked for, so 12345678@qq.com, SB20261118-00421, 2026-11-18 and ¥13800 never turn
 * into phone numbers. Intent reads the whole text.
 */
export function extractFields(text: string, options: ExtractOptions): Extracted {
  // Any text is fine; a clock outside Date's range is a caller's bug, reported as such.
  if (!Number.isFinite(options.now) || Math.abs(options.now) > MAX_EPOCH_MS) {
    throw new InvalidInput(`now must be epoch milliseconds, got ${options.now}`, 'now');
  }
  const normalized = normalizeText(text);
  const region = options.defaultRegion ?? 'CN';
  const emails = extractEmails(normalized);
  const orders = extractOrderNumbers(
    emails.rest,
    compileOrderPatterns(options.orderPatterns ?? DEFAULT_ORDER_PATTERNS),
  );
  const dates = extractDates(orders.rest, options.now, options.timeZone ?? 'Asia/Shanghai');
  const amounts = extractAmounts(dates.rest);
  const phones = extractPhones(amounts.rest, region);
  return {
    phones: phones.found,
    emails: emails.found,
    orderNumbers: orders.found,
    amounts: amounts.found,
    dates: dates.found,
    intent: scoreIntent(tokensOf(normalized, options), options.lexicon).intent,
  };
}

/** The intent with every scored and negated term, for agents and for tuning a tenant's lexicon. */
export function explainIntent(
  text: string,
  options: Pick<ExtractOptions, 'lexicon' | 'segmenter'>,
): IntentExplanation {
  return scoreIntent(tokensOf(normalizeText(text), options), options.lexicon);
}

const tokensOf = (normalized: string, options: Pick<ExtractOptions, 'segmenter'>) =>
  tokenize(normalized.toLowerCase(), options.segmenter ?? defaultSegmenter());
