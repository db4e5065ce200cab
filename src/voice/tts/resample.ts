/**
 * Sample-rate conversion by windowed-sinc interpolation (Blackman window, 16 zero crossings a
 * side): eSpeak NG speaks at 22 050 Hz, uploads come at 16 kHz or more, a call carries 8 kHz. The
 * low-pass sits at 92 % of the lower Nyquist frequency, so nothing above 3.7 kHz folds back into
 * the telephone band when going down to 8 kHz.
 *
 * Polyphase: with from/to reduced by their gcd to M/L, output n sits at input n·M/L, whose fraction
 * is one of L phases; each phase's taps are computed once per rate pair (22 050 → 8 000 is 160
 * phases of 98 taps), so converting is multiply-adds only. More than 1 024 phases (odd rates) are
 * rounded to the nearest of 1 024.
 */
const ZERO_CROSSINGS = 16;
const PASS = 0.92;
const MAX_PHASES = 1024;

interface Filter {
  /** Input samples advanced per output sample: M / L. */
  step: number;
  phases: number;
  /** Taps each side: output n uses inputs base - (k - 1) … base + k. */
  k: number;
  /** phases × 2k weights. */
  taps: Float64Array;
}

const filters = new Map<string, Filter>();

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

function blackman(u: number): number {
  // u in [-1, 1]; 0 at the edges, 1 in the middle.
  return 0.42 + 0.5 * Math.cos(Math.PI * u) + 0.08 * Math.cos(2 * Math.PI * u);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function filterFor(from: number, to: number): Filter {
  const key = `${from}:${to}`;
  let f = filters.get(key);
  if (f) return f;
  const g = gcd(from, to);
  const l = to / g;
  const phases = Math.min(l, MAX_PHASES);
  // Cut-off as a fraction of the input rate's Nyquist frequency.
  const cutoff = Math.min(1, to / from) * PASS;
  const half = ZERO_CROSSINGS / cutoff;
  const k = Math.ceil(half);
  const taps = new Float64Array(phases * 2 * k);
  for (let p = 0; p < phases; p++) {
    const frac = p / phases;
    for (let j = -k + 1; j <= k; j++) {
      const d = frac - j;
      taps[p * 2 * k + (j + k - 1)] = Math.abs(d) < half ? cutoff * sinc(cutoff * d) * blackman(d / half) : 0;
    }
  }
  f = { step: from / to, phases, k, taps };
  filters.set(key, f);
  return f;
}

function convert(input: Int16Array, out: Int16Array, f: Filter, start: number, end: number): void {
  const { step, phases, k, taps } = f;
  const width = 2 * k;
  for (let n = start; n < end; n++) {
    const t = n * step;
    let base = Math.floor(t);
    let p = Math.round((t - base) * phases);
    if (p === phases) {
      base++;
      p = 0;
    }
    const first = base - k + 1;
    const lo = Math.max(0, first);
    const hi = Math.min(input.length - 1, base + k);
    const row = p * width - first;
    let sum = 0;
    for (let i = lo; i <= hi; i++) sum += input[i]! * taps[row + i]!;
    out[n] = sum > 32767 ? 32767 : sum < -32768 ? -32768 : Math.round(sum);
  }
}

function check(from: number, to: number): void {
  if (!(Number.isInteger(from) && Number.isInteger(to) && from > 0 && to > 0))
    throw new RangeError(`sample rates must be positive whole numbers (${from} → ${to})`);
}

export function resample(input: Int16Array, from: number, to: number): Int16Array {
  check(from, to);
  if (from === to) return input.slice();
  const f = filterFor(from, to);
  const out = new Int16Array(Math.floor((input.length * to) / from));
  convert(input, out, f, 0, out.length);
  return out;
}

/** The same, a slice at a time with the event loop let through in between (long uploads). */
export async function resampleInSlices(
  input: Int16Array,
  from: number,
  to: number,
  slice = 4000,
): Promise<Int16Array> {
  check(from, to);
  if (from === to) return input.slice();
  const f = filterFor(from, to);
  const out = new Int16Array(Math.floor((input.length * to) / from));
  for (let start = 0; start < out.length; start += slice) {
    convert(input, out, f, start, Math.min(out.length, start + slice));
    if (start + slice < out.length) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}
