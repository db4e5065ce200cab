// Expectation–maximisation for the Fellegi–Sunter mixture (Winkler 1988; Jaro 1989). u comes from
// random pairs and stays fixed; EM estimates m on pairs that were blocked on *other* fields, so the
// fields it learns from are not the ones that made the pairs look alike (the approach of Splink's
// training sessions). EM runs on distinct comparison vectors with their counts: its cost does not
// grow with the number of pairs.
import { decodePattern, FIELDS, MISSING } from './compare.js';

export interface EmOptions {
  maxIterations: number;
  tolerance: number;
}

export interface MEstimate {
  m: number[][];
  lambda: number;
  iterations: number;
  converged: boolean;
}

// A pseudo-count per level keeps a level that never occurs from getting probability 0 (an
// infinite weight).
const PSEUDO = 0.5;

/** Priors for m: agreement levels likely, in order of strength; disagreement rare. */
export function initialM(): number[][] {
  return FIELDS.map((f) => {
    const n = f.levels.length;
    const agree = Array.from({ length: n - 1 }, (_, k) => 2 ** -(k + 1));
    const total = agree.reduce((s, x) => s + x, 0);
    return [...agree.map((x) => (0.9 * x) / total), 0.1];
  });
}

/** Level probabilities from (weighted) level counts, smoothed. */
export function levelProbabilities(counts: number[][]): number[][] {
  return counts.map((c) => {
    const total = c.reduce((s, x) => s + x, 0) + PSEUDO * c.length;
    return c.map((x) => (x + PSEUDO) / total);
  });
}

interface Vectors {
  vectors: number[][];
  counts: number[];
  total: number;
}

function vectorsOf(patterns: ReadonlyMap<number, number>): Vectors {
  // Sorted codes: the floating-point sums, and so the model, do not depend on pair order.
  const codes = [...patterns.keys()].sort((x, y) => x - y);
  const counts = codes.map((c) => patterns.get(c)!);
  return { vectors: codes.map(decodePattern), counts, total: counts.reduce((s, x) => s + x, 0) };
}

/** P(match | vector) for each vector, using only the active fields. */
function posteriors(
  v: Vectors,
  m: number[][],
  u: number[][],
  lambda: number,
  active: readonly boolean[],
): number[] {
  return v.vectors.map((vec) => {
    let pm = lambda;
    let pu = 1 - lambda;
    vec.forEach((l, f) => {
      if (l === MISSING || !active[f]) return;
      pm *= m[f]![l]!;
      pu *= u[f]![l]!;
    });
    return pm / (pm + pu);
  });
}

/** m for the active fields (others keep `m0`) and the share of matches among these pairs. */
export function estimateM(
  patterns: ReadonlyMap<number, number>,
  active: readonly boolean[],
  init: { m: number[][]; u: number[][]; lambda: number },
  opts: EmOptions,
): MEstimate {
  const v = vectorsOf(patterns);
  let m = init.m.map((row) => [...row]);
  let lambda = init.lambda;
  if (v.total === 0) return { m, lambda, iterations: 0, converged: true };
  for (let iter = 1; iter <= opts.maxIterations; iter++) {
    const g = posteriors(v, m, init.u, lambda, active);
    const acc = FIELDS.map((f) => new Array<number>(f.levels.length).fill(0));
    let matchMass = 0;
    v.vectors.forEach((vec, k) => {
      const w = v.counts[k]! * g[k]!;
      matchMass += w;
      vec.forEach((l, f) => {
        if (l !== MISSING) acc[f]![l]! += w;
      });
    });
    const fitted = levelProbabilities(acc);
    const next = m.map((row, f) => (active[f] ? fitted[f]! : row));
    const nextLambda = Math.min(1 - 1e-9, Math.max(1e-9, matchMass / v.total));
    let change = Math.abs(nextLambda - lambda);
    next.forEach((row, f) => {
      row.forEach((x, l) => {
        change = Math.max(change, Math.abs(x - m[f]![l]!));
      });
    });
    m = next;
    lambda = nextLambda;
    if (change < opts.tolerance) return { m, lambda, iterations: iter, converged: true };
  }
  return { m, lambda, iterations: opts.maxIterations, converged: false };
}

/**
 * The prior: the probability that two records drawn at random are one person. Pairs the blocking
 * left out count as non-matches, so the expected number of matches is Σ P(match | γ) over the
 * candidates; iterate λ = that sum / all pairs to its fixed point.
 */
export function estimatePrior(
  patterns: ReadonlyMap<number, number>,
  model: { m: number[][]; u: number[][] },
  totalPairs: number,
  opts: EmOptions,
): number {
  const v = vectorsOf(patterns);
  if (totalPairs === 0 || v.total === 0) return 1e-9;
  const all = FIELDS.map(() => true);
  let lambda = Math.min(0.5, (0.1 * v.total) / totalPairs);
  for (let iter = 0; iter < opts.maxIterations; iter++) {
    const g = posteriors(v, model.m, model.u, lambda, all);
    const expected = g.reduce((s, x, k) => s + x * v.counts[k]!, 0);
    const next = Math.min(0.5, Math.max(1e-12, expected / totalPairs));
    const done = Math.abs(next - lambda) <= opts.tolerance * lambda;
    lambda = next;
    if (done) break;
  }
  return lambda;
}
