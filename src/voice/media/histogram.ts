// Timer lateness in fixed 50 µs bins up to 100 ms (and a count above): recording is one increment, so
// the media tick can afford it every 20 ms.

const BIN_MS = 0.05;
const BINS = 2000;

export interface LatenessSummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  /** Ticks later than one period (a frame was sent late or skipped). */
  overPeriod: number;
}

export class LatenessHistogram {
  private bins = new Uint32Array(BINS + 1);
  private n = 0;
  private maximum = 0;
  private over = 0;

  constructor(private readonly periodMs: number) {}

  record(ms: number): void {
    const v = Math.max(ms, 0);
    this.bins[Math.min(BINS, Math.floor(v / BIN_MS))]!++;
    this.n++;
    if (v > this.maximum) this.maximum = v;
    if (v > this.periodMs) this.over++;
  }

  reset(): void {
    this.bins.fill(0);
    this.n = 0;
    this.maximum = 0;
    this.over = 0;
  }

  /** Quantiles in ms (bin upper edges: an over-estimate by at most 50 µs). */
  summary(): LatenessSummary {
    return {
      count: this.n,
      p50: this.quantile(0.5),
      p99: this.quantile(0.99),
      max: this.maximum,
      overPeriod: this.over,
    };
  }

  private quantile(q: number): number {
    if (this.n === 0) return 0;
    const target = Math.ceil(q * this.n);
    let seen = 0;
    for (let i = 0; i <= BINS; i++) {
      seen += this.bins[i]!;
      if (seen >= target) return i === BINS ? this.maximum : Math.min(this.maximum, (i + 1) * BIN_MS);
    }
    return this.maximum;
  }
}
