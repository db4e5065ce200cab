// Estimating the Fellegi–Sunter model from the tenant's own records: u from random pairs, m by EM
// in two training sessions, then the prior. A session uses the pairs one family of blocking keys
// produced and learns only the fields that family did not look at: pairs that share a phone or an
// identifier teach what names, birth dates and cities of one person look like; pairs with the same
// name teach the same for phones, e-mails and the rest.
import { phoneTail } from '../normalize/index.js';
import type { PairList } from './blocking.js';
import { FIELDS, MISSING, PRIOR_PAIRS } from './compare.js';
import { type EmOptions, estimateM, estimatePrior, initialM } from './em.js';
import type { Prepared } from './prepare.js';
import { seededRandom } from './prng.js';

export interface MixtureModel {
  m: number[][];
  u: number[][];
  /** Prior probability that two records drawn at random are one person. */
  lambda: number;
  iterations: number;
  converged: boolean;
}

export interface TrainingOptions extends EmOptions {
  seed: number;
  uSamplePairs: number;
  linkOnly: boolean;
}

/** Fewer pairs than this in a session: keep the prior m rather than fit noise. */
const MIN_SESSION_PAIRS = 20;

/** Level frequencies over random pairs (almost all non-matches): u. */
function sampleU(records: readonly Prepared[], o: TrainingOptions, totalPairs: number): number[][] {
  const counts = FIELDS.map((f) => new Array<number>(f.levels.length).fill(0));
  const random = seededRandom(o.seed);
  const n = records.length;
  const wanted = Math.min(o.uSamplePairs, totalPairs);
  for (let drawn = 0, tries = 0; drawn < wanted && tries < wanted * 20; tries++) {
    const a = records[Math.floor(random() * n)]!;
    const b = records[Math.floor(random() * n)]!;
    if (a === b || (o.linkOnly && a.source === b.source)) continue;
    drawn++;
    FIELDS.forEach((f, k) => {
      const l = f.compare(a, b);
      if (l !== MISSING) counts[k]![l]!++;
    });
  }
  return counts.map((c, k) => {
    const u0 = FIELDS[k]!.u0;
    const total = c.reduce((s, x) => s + x, 0) + PRIOR_PAIRS;
    return c.map((x, l) => (x + PRIOR_PAIRS * u0[l]!) / total);
  });
}

function sharesIdentityKey(a: Prepared, b: Prepared): boolean {
  if (a.emailLocal !== null && a.emailLocal === b.emailLocal) return true;
  if (a.tels.some((x) => b.tels.some((y) => phoneTail(x, 7) === phoneTail(y, 7)))) return true;
  return a.ids.some((x) => b.ids.some((y) => x.namespace === y.namespace && x.value === y.value));
}

function sharesNameKey(a: Prepared, b: Prepared): boolean {
  return a.name !== null && a.name.anagram === b.name?.anagram;
}

const SESSIONS = [
  { matches: sharesIdentityKey, learns: ['name', 'birthDate', 'city'] },
  { matches: sharesNameKey, learns: ['email', 'phone', 'birthDate', 'city', 'identifier'] },
] as const;

export function trainModel(
  records: readonly Prepared[],
  pairs: PairList,
  totalPairs: number,
  o: TrainingOptions,
): MixtureModel {
  const u = sampleU(records, o, totalPairs);
  const all = new Map<number, number>();
  const sessions = SESSIONS.map(() => new Map<number, number>());
  for (let k = 0; k < pairs.length; k++) {
    const code = pairs.code[k]!;
    all.set(code, (all.get(code) ?? 0) + 1);
    const a = records[pairs.left[k]!]!;
    const b = records[pairs.right[k]!]!;
    SESSIONS.forEach((s, n) => {
      if (s.matches(a, b)) sessions[n]!.set(code, (sessions[n]!.get(code) ?? 0) + 1);
    });
  }
  const prior = initialM();
  // Each field's m is the mean over the sessions that learnt it.
  const sums = prior.map((row) => row.map(() => 0));
  const learnt = FIELDS.map(() => 0);
  let iterations = 0;
  let converged = true;
  SESSIONS.forEach((s, n) => {
    const patterns = sessions[n]!;
    let size = 0;
    for (const c of patterns.values()) size += c;
    if (size < MIN_SESSION_PAIRS) return;
    const active = FIELDS.map((f) => (s.learns as readonly string[]).includes(f.field));
    const fit = estimateM(patterns, active, { m: prior, u, lambda: 0.5 }, o);
    iterations = Math.max(iterations, fit.iterations);
    converged &&= fit.converged;
    active.forEach((on, f) => {
      if (!on) return;
      learnt[f]!++;
      fit.m[f]!.forEach((x, l) => {
        sums[f]![l]! += x;
      });
    });
  });
  const m = prior.map((row, f) => (learnt[f] ? sums[f]!.map((x) => x / learnt[f]!) : row));
  const lambda = estimatePrior(all, { m, u }, totalPairs, o);
  return { m, u, lambda, iterations, converged };
}
