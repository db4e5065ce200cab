import type { CountryCode } from 'libphonenumber-js';

export const INTENT_CATEGORIES = [
  'refund',
  'delivery',
  'complaint',
  'technical',
  'billing',
  'other',
] as const;
export type IntentCategory = (typeof INTENT_CATEGORIES)[number];
/** The categories a lexicon can score; `other` is what is left when none of them scores enough. */
export type ScoredCategory = Exclude<IntentCategory, 'other'>;

export const CURRENCIES = ['CNY', 'USD', 'EUR', 'GBP', 'HKD', 'JPY', 'TWD', 'SGD', 'AUD', 'CAD'] as const;
export type Currency = (typeof CURRENCIES)[number];

export interface Amount {
  value: number;
  currency: Currency;
}

export interface Intent {
  category: IntentCategory;
  /** 0..1: how strong the winning evidence is and how far it leads the runner-up. */
  confidence: number;
  /** The lexicon terms that counted for `category`, as written in the lexicon. */
  matched: string[];
}

export interface Extracted {
  /** E.164, e.g. `+8613800138000`. */
  phones: string[];
  /** Lower-cased. */
  emails: string[];
  orderNumbers: string[];
  amounts: Amount[];
  /** ISO calendar dates (`2026-11-18`) in `timeZone`. */
  dates: string[];
  intent: Intent;
}

/**
 * Term → weight per category. Chinese terms are written in simplified characters and match whole
 * segmenter tokens or runs of them; English terms match whole words, a phrase matches consecutive
 * words, and a trailing `*` matches any word that starts with the stem.
 */
export type IntentLexicon = { readonly [C in ScoredCategory]?: Readonly<Record<string, number>> };

/** Splits a run of Han characters into words (jieba by default). */
export interface Segmenter {
  readonly name: string;
  cut(han: string): string[];
}

export interface ExtractOptions {
  /** Epoch ms that relative dates ("昨天", "last Friday") and year-less dates count from. */
  now: number;
  /** Region for numbers written without a country code; default `CN`. */
  defaultRegion?: CountryCode;
  /** IANA zone that decides which calendar day `now` falls on; default `Asia/Shanghai`. */
  timeZone?: string;
  /** Regex sources for a tenant's order numbers; a capture group, if any, is the number. */
  orderPatterns?: readonly string[];
  /** Extra or re-weighted terms, merged over the built-in lexicon (weight 0 removes a term). */
  lexicon?: IntentLexicon;
  /** Override the segmenter (tests, or a tenant dictionary). */
  segmenter?: Segmenter;
}
