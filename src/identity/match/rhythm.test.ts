import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from './prng.js';
import {
  addSample,
  compareRhythm,
  emptyProfile,
  parseRhythmSample,
  RHYTHM_MAX_BITS,
  RHYTHM_MIN_SAMPLES,
  type RhythmSample,
} from './rhythm.js';

/** A typist: log-normal flight and dwell times around their own medians. */
function typist(flightMedian: number, dwellMedian: number, seed: number) {
  const random = seededRandom(seed);
  const normal = () => {
    const u = Math.max(1e-12, random());
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  return (n: number): RhythmSample => ({
    flights: Array.from({ length: n }, () => flightMedian * Math.exp(0.45 * normal())),
    dwells: Array.from({ length: n }, () => dwellMedian * Math.exp(0.3 * normal())),
  });
}

function profileOf(samples: RhythmSample[]) {
  return samples.reduce(addSample, emptyProfile());
}

describe('typing rhythm', () => {
  it('finds two sessions of one typist similar', () => {
    const ana = typist(160, 95, 1);
    const a = profileOf([ana(150), ana(150)]);
    const b = profileOf([ana(200)]);
    const c = compareRhythm(a, b);
    expect(c.level).toBe('similar');
    expect(c.weight).toBeGreaterThan(0);
  });

  it('finds a slow and a fast typist different', () => {
    const a = profileOf([typist(130, 80, 2)(300)]);
    const b = profileOf([typist(330, 140, 3)(300)]);
    const c = compareRhythm(a, b);
    expect(c.level).toBe('different');
    expect(c.weight).toBeLessThan(0);
  });

  it('says nothing with too few timings', () => {
    const t = typist(160, 95, 4);
    const few = profileOf([t(Math.floor(RHYTHM_MIN_SAMPLES / 4))]);
    expect(compareRhythm(few, profileOf([t(300)]))).toEqual({ level: 'inconclusive', weight: 0 });
    expect(compareRhythm(undefined, few).weight).toBe(0);
  });

  it('never weighs more than the bound, whatever the timings', () => {
    const timings = fc.array(fc.double({ min: 1, max: 3000, noNaN: true }), { maxLength: 400 });
    fc.assert(
      fc.property(timings, timings, timings, timings, (f1, d1, f2, d2) => {
        const c = compareRhythm(
          addSample(emptyProfile(), { flights: f1, dwells: d1 }),
          addSample(emptyProfile(), { flights: f2, dwells: d2 }),
        );
        expect(Math.abs(c.weight)).toBeLessThanOrEqual(RHYTHM_MAX_BITS);
      }),
    );
  });

  it('keeps a profile bounded however long a customer types', () => {
    const t = typist(160, 95, 5);
    let p = emptyProfile();
    for (let k = 0; k < 50; k++) p = addSample(p, t(200));
    expect(p.n).toBeLessThanOrEqual(4000);
    expect(p.flights.reduce((s, x) => s + x, 0) + p.dwells.reduce((s, x) => s + x, 0)).toBeLessThanOrEqual(
      4001,
    );
  });

  it('accepts only numeric timings from a client, and no key contents', () => {
    expect(parseRhythmSample({ flights: [120, 'a', -1, 90], dwells: [80, null], keys: 'secret' })).toEqual({
      flights: [120, 90],
      dwells: [80],
    });
    expect(parseRhythmSample('x')).toBeUndefined();
    expect(parseRhythmSample({ flights: [] })).toBeUndefined();
  });
});
