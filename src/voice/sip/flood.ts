// Per-source token buckets: an INVITE flood from one address gets 503 + Retry-After, and a source
// sending us garbage stops getting answers, while every other source goes on as before.

export interface BucketOptions {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Most tokens a source can save up (the burst it may send at once). */
  burst: number;
  /** Sources remembered at most; the idlest are forgotten first (a full bucket is the same as none). */
  maxSources?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class SourceBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxSources: number;
  private readonly now: () => number;

  constructor(private readonly options: BucketOptions) {
    this.maxSources = options.maxSources ?? 10_000;
    this.now = options.now ?? (() => performance.now());
  }

  /** Takes a token for `source`; false when its bucket is empty. */
  take(source: string): boolean {
    const now = this.now();
    let bucket = this.buckets.get(source);
    if (!bucket) {
      if (this.buckets.size >= this.maxSources) this.forgetFull(now);
      bucket = { tokens: this.options.burst, at: now };
      this.buckets.set(source, bucket);
    } else {
      bucket.tokens = Math.min(
        this.options.burst,
        bucket.tokens + ((now - bucket.at) / 1000) * this.options.ratePerSecond,
      );
      bucket.at = now;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Seconds until `source` has a token again (for Retry-After), at least 1. */
  retryAfter(source: string): number {
    const bucket = this.buckets.get(source);
    if (!bucket) return 1;
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.options.ratePerSecond));
  }

  get size(): number {
    return this.buckets.size;
  }

  private forgetFull(now: number): void {
    for (const [source, bucket] of this.buckets) {
      const tokens = bucket.tokens + ((now - bucket.at) / 1000) * this.options.ratePerSecond;
      if (tokens >= this.options.burst) this.buckets.delete(source);
    }
    // Everyone is still paying off a burst: forget the oldest (Map keeps insertion order).
    if (this.buckets.size >= this.maxSources) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
  }
}
