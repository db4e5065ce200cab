// Extraction owns turning one inbound customer message into structured fields (phones, e-mails,
// order numbers, amounts, dates) and an explainable intent, at the gateway, before routing.
// Pure over its inputs: the clock is `options.now`, tenant formats and lexicons come in options.
export { explainIntent, extractFields } from './extract.js';
export type { IntentExplanation, IntentHit } from './intent.js';
export { DEFAULT_LEXICON } from './lexicon.js';
export { parseChineseNumber } from './numerals.js';
export { compileOrderPatterns, DEFAULT_ORDER_PATTERNS, OrderPatternInvalid } from './orders.js';
export { normalizePhone } from './phones.js';
export { defaultSegmenter, intlSegmenter } from './segment.js';
export {
  type Amount,
  CURRENCIES,
  type Currency,
  type Extracted,
  type ExtractOptions,
  INTENT_CATEGORIES,
  type Intent,
  type IntentCategory,
  type IntentLexicon,
  type Segmenter,
} from './types.js';
