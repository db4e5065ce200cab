// The time window of a wallboard chart: `hours` back from the end of the current bucket, cut into
// buckets of `bucketMinutes` aligned on multiples of the bucket length since the epoch (UTC).
import { InvalidInput } from '../core/index.js';

export interface Window {
  /** Start of the first bucket, ms. */
  from: number;
  /** End of the last bucket (the current one), ms. */
  to: number;
  bucketMs: number;
  buckets: number;
}

export const MAX_BUCKETS = 2016;

export function windowOf(now: number, hours: number, bucketMinutes: number): Window {
  if (!Number.isInteger(bucketMinutes) || bucketMinutes < 1 || bucketMinutes > 1440)
    throw new InvalidInput('bucketMinutes must be a whole number from 1 to 1440', 'bucketMinutes');
  if (!Number.isInteger(hours) || hours < 1 || hours > 24 * 31)
    throw new InvalidInput('hours must be a whole number from 1 to 744', 'hours');
  const bucketMs = bucketMinutes * 60_000;
  const buckets = Math.ceil((hours * 60) / bucketMinutes);
  if (buckets > MAX_BUCKETS)
    throw new InvalidInput(
      `at most ${MAX_BUCKETS} buckets: use longer buckets for that many hours`,
      'bucketMinutes',
    );
  const to = Math.floor(now / bucketMs) * bucketMs + bucketMs;
  return { from: to - buckets * bucketMs, to, bucketMs, buckets };
}

export function bucketStarts(w: Window): string[] {
  return Array.from({ length: w.buckets }, (_, i) => new Date(w.from + i * w.bucketMs).toISOString());
}

/**
 * The smallest UUID v7 of a millisecond (core/ids.ts). Rows whose id was made when they were inserted
 * (conversations, routing tasks) can be range-scanned by primary key rather than by a timestamp that
 * has no index; the exact timestamp test follows.
 */
export function firstIdAt(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}

/** Allowance for the clocks of the process that made the id and the database that stamped the row. */
export const ID_SLACK_MS = 10 * 60_000;
