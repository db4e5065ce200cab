// Typing rhythm, the soft behavioural signal: how long keys are held (dwell) and the time from one
// key press to the next (flight), never which keys. The widget and the app send the timings with a
// message; they are summarised into log-spaced histograms per customer and compared with a
// candidate's by the Bhattacharyya coefficient. The weight is bounded and counts only beside other
// agreeing evidence, so a typing style alone never merges two customers.

/** Log-spaced bin edges, ms. Flights above the last edge are pauses (thinking), not rhythm. */
const FLIGHT_EDGES = [30, 45, 65, 90, 120, 160, 210, 280, 370, 500, 680, 900, 1200];
const DWELL_EDGES = [20, 40, 55, 70, 85, 100, 120, 145, 175, 220, 300];

/** Fewer timings than this on either side and the comparison says nothing. */
export const RHYTHM_MIN_SAMPLES = 60;
/** The most a rhythm comparison adds or takes away, in bits (log2 Bayes factor). */
export const RHYTHM_MAX_BITS = 1.5;
/** Profiles keep at most this many timings' worth of counts, so a customer's recent typing counts. */
const PROFILE_CAP = 4000;
/** Bhattacharyya coefficients around which the same typist and different typists fall (see rhythm.test.ts). */
const SAME_BC = 0.97;
const DIFFERENT_BC = 0.88;

export interface RhythmSample {
  /** Key press to next key press, ms. */
  flights: number[];
  /** Key press to its release, ms. */
  dwells: number[];
}

export interface RhythmProfile {
  flights: number[];
  dwells: number[];
  /** Timings counted (after the cap's scaling). */
  n: number;
}

function histogram(values: readonly number[], edges: readonly number[], upper: number): number[] {
  const bins = new Array<number>(edges.length - 1).fill(0);
  for (const v of values) {
    if (!Number.isFinite(v) || v < edges[0]! || v >= upper) continue;
    let k = 0;
    while (k < bins.length - 1 && v >= edges[k + 1]!) k++;
    bins[k]!++;
  }
  return bins;
}

export function emptyProfile(): RhythmProfile {
  return {
    flights: new Array<number>(FLIGHT_EDGES.length - 1).fill(0),
    dwells: new Array<number>(DWELL_EDGES.length - 1).fill(0),
    n: 0,
  };
}

/** Adds a message's timings to a profile; old counts are scaled down past the cap. */
export function addSample(profile: RhythmProfile, sample: RhythmSample): RhythmProfile {
  const f = histogram(sample.flights, FLIGHT_EDGES, FLIGHT_EDGES.at(-1)!);
  const d = histogram(sample.dwells, DWELL_EDGES, DWELL_EDGES.at(-1)!);
  const added = f.reduce((s, x) => s + x, 0) + d.reduce((s, x) => s + x, 0);
  const total = profile.n + added;
  const scale = total > PROFILE_CAP ? (PROFILE_CAP - added) / Math.max(1, profile.n) : 1;
  const mix = (old: number[], add: number[]) => old.map((x, k) => Math.max(0, x * scale) + add[k]!);
  return {
    flights: mix(profile.flights, f),
    dwells: mix(profile.dwells, d),
    n: Math.min(total, PROFILE_CAP),
  };
}

function bhattacharyya(a: readonly number[], b: readonly number[]): number | undefined {
  const sa = a.reduce((s, x) => s + x, 0);
  const sb = b.reduce((s, x) => s + x, 0);
  if (sa === 0 || sb === 0) return undefined;
  let bc = 0;
  for (let k = 0; k < a.length; k++) bc += Math.sqrt((a[k]! / sa) * (b[k]! / sb));
  return bc;
}

export interface RhythmComparison {
  level: 'similar' | 'different' | 'inconclusive';
  /** Bits, within ±RHYTHM_MAX_BITS; 0 when inconclusive. */
  weight: number;
  similarity?: number;
}

export function compareRhythm(a: RhythmProfile | undefined, b: RhythmProfile | undefined): RhythmComparison {
  if (!a || !b || a.n < RHYTHM_MIN_SAMPLES || b.n < RHYTHM_MIN_SAMPLES)
    return { level: 'inconclusive', weight: 0 };
  const flight = bhattacharyya(a.flights, b.flights);
  const dwell = bhattacharyya(a.dwells, b.dwells);
  const parts = [flight, dwell].filter((x): x is number => x !== undefined);
  if (parts.length === 0) return { level: 'inconclusive', weight: 0 };
  const similarity = parts.reduce((s, x) => s + x, 0) / parts.length;
  // Linear between the two anchors: SAME_BC → +max, DIFFERENT_BC → −max, clamped.
  const mid = (SAME_BC + DIFFERENT_BC) / 2;
  const raw = ((similarity - mid) / ((SAME_BC - DIFFERENT_BC) / 2)) * RHYTHM_MAX_BITS;
  const weight = Math.max(-RHYTHM_MAX_BITS, Math.min(RHYTHM_MAX_BITS, raw));
  const level = weight > 0.25 ? 'similar' : weight < -0.25 ? 'different' : 'inconclusive';
  return { level, weight: level === 'inconclusive' ? 0 : weight, similarity };
}

/** Timings from an untrusted client: numbers only, bounded in count and range; anything else is dropped. */
export function parseRhythmSample(raw: unknown): RhythmSample | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  const list = (v: unknown) =>
    Array.isArray(v)
      ? v
          .filter((x): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0 && x < 10_000)
          .slice(0, 500)
      : [];
  const sample = { flights: list(o.flights), dwells: list(o.dwells) };
  return sample.flights.length + sample.dwells.length > 0 ? sample : undefined;
}

export function parseRhythmProfile(raw: unknown): RhythmProfile | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const o = raw as Partial<RhythmProfile>;
  const e = emptyProfile();
  if (
    !Array.isArray(o.flights) ||
    !Array.isArray(o.dwells) ||
    o.flights.length !== e.flights.length ||
    o.dwells.length !== e.dwells.length ||
    typeof o.n !== 'number'
  )
    return undefined;
  return { flights: o.flights.map(Number), dwells: o.dwells.map(Number), n: o.n };
}
