// Collecting digits for an IVR menu or a PIN: pure rules over the digits as they come and the time
// since, so the same logic runs under a fake clock in tests.

export interface CollectOptions {
  /** Stop after this many digits. */
  max: number;
  /** Give up this long after starting if no digit came (ms). */
  timeoutMs: number;
  /** Give up this long after the last digit (ms); defaults to `timeoutMs`. */
  interDigitTimeoutMs?: number;
  /** A key that ends the entry early; it is not part of the digits. */
  terminator?: string;
}

export type CollectEnd = 'max' | 'terminator' | 'timeout' | 'hangup' | 'canceled';

export interface CollectResult {
  digits: string;
  reason: CollectEnd;
}

/** One digit collection: feed it digits and the time; it says when it is done. */
export class DigitCollector {
  private digits = '';
  private last: number;

  constructor(
    private readonly options: CollectOptions,
    startedAt: number,
  ) {
    this.last = startedAt;
  }

  /** The result if this digit ends the collection. */
  push(digit: string, now: number): CollectResult | undefined {
    this.last = now;
    if (this.options.terminator !== undefined && digit === this.options.terminator)
      return { digits: this.digits, reason: 'terminator' };
    this.digits += digit;
    if (this.digits.length >= this.options.max) return { digits: this.digits, reason: 'max' };
    return undefined;
  }

  /** When the collection times out if nothing else comes (ms, same clock as `push`). */
  deadline(): number {
    const wait =
      this.digits.length === 0
        ? this.options.timeoutMs
        : (this.options.interDigitTimeoutMs ?? this.options.timeoutMs);
    return this.last + wait;
  }

  result(reason: CollectEnd): CollectResult {
    return { digits: this.digits, reason };
  }
}
