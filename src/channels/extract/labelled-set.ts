import { readFileSync } from 'node:fs';
import type { Amount, ExtractOptions, IntentCategory } from './types.js';

// The labelled set (test/fixtures/extraction.json) is read by the table-driven test and by
// bench/extraction.ts; both must see the same messages with the same options. Not part of the
// module's face: production code never reads it.

export const FIELDS = ['phones', 'emails', 'orderNumbers', 'amounts', 'dates'] as const;
export type Field = (typeof FIELDS)[number];

export interface LabelledMessage {
  id: string;
  channel: string;
  text: string;
  options?: Partial<ExtractOptions>;
  expected: {
    phones: string[];
    emails: string[];
    orderNumbers: string[];
    amounts: Amount[];
    dates: string[];
    intent: IntentCategory;
  };
}

export interface LabelledSet {
  now: number;
  timeZone: string;
  messages: LabelledMessage[];
}

const FIXTURE = new URL('../../../test/fixtures/extraction.json', import.meta.url);

export function loadLabelledSet(): LabelledSet {
  const raw = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
    now: string;
    timeZone: string;
    messages: LabelledMessage[];
  };
  const now = Date.parse(raw.now);
  if (!Number.isFinite(now)) throw new RangeError(`extraction.json: "now" is not a date: ${raw.now}`);
  return { now, timeZone: raw.timeZone, messages: raw.messages };
}

/** The options a labelled message is extracted with. */
export function optionsFor(set: LabelledSet, message: LabelledMessage): ExtractOptions {
  return { now: set.now, timeZone: set.timeZone, ...message.options };
}

/** One comparable string per extracted value, so amounts compare like the other fields. */
export function keysOf(values: readonly (string | Amount)[]): string[] {
  return values.map((v) => (typeof v === 'string' ? v : `${v.currency} ${v.value}`));
}
