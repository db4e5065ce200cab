// Match weights from the estimated model: each field adds log2(m/u) for its level (Fellegi &
// Sunter 1969), and an agreeing name is adjusted for how common it is (Winkler's term-frequency
// adjustment): two records named 张伟 say less than two named 欧阳娜娜.
import { decodePattern, FIELDS, MISSING } from './compare.js';
import type { Evidence } from './model.js';
import type { Prepared } from './prepare.js';
import type { MixtureModel } from './training.js';

/** Bounds on the frequency adjustment, in bits: a rare name helps a little, a common one can sink. */
const TF_MAX_BONUS = 1;
const TF_MAX_PENALTY = -10;

export interface Score {
  evidence: Evidence[];
  total: number;
  posterior: number;
}

/** How common each name is among a tenant's records: the batch counts them, the live path asks its index. */
export interface NameStats {
  /** Records named with this anagram key (at least 1 for a name that is being compared). */
  count(anagram: string): number;
  /** Records with a name at all. */
  named: number;
  /** Σ f², the chance that two random named records share a name: the baseline the adjustment is relative to. */
  collision: number;
}

export function nameStatsOf(records: readonly Prepared[]): NameStats {
  const frequency = new Map<string, number>();
  let named = 0;
  for (const r of records) {
    if (!r.name) continue;
    named++;
    frequency.set(r.name.anagram, (frequency.get(r.name.anagram) ?? 0) + 1);
  }
  let collision = 0;
  for (const c of frequency.values()) collision += (c / named) ** 2;
  return { count: (anagram) => frequency.get(anagram) ?? 1, named, collision };
}

export class Scorer {
  private readonly weights: number[][];
  private readonly priorLogit: number;

  constructor(
    readonly model: MixtureModel,
    private readonly names: NameStats,
  ) {
    this.weights = model.m.map((row, f) => row.map((m, l) => Math.log2(m / model.u[f]![l]!)));
    this.priorLogit = Math.log2(model.lambda / (1 - model.lambda));
  }

  /** The adjustment (bits) for two records that agree on one name; 0 when names differ. */
  private frequencyAdjustment(a: Prepared, b: Prepared): number {
    if (!a.name || !b.name || a.name.anagram !== b.name.anagram) return 0;
    if (this.names.named === 0 || this.names.collision === 0) return 0;
    const f = Math.max(1, this.names.count(a.name.anagram)) / this.names.named;
    return Math.max(TF_MAX_PENALTY, Math.min(TF_MAX_BONUS, Math.log2(this.names.collision / f)));
  }

  posterior(total: number): number {
    return 1 / (1 + 2 ** -(this.priorLogit + total));
  }

  /** Total weight of a pair whose comparison vector is already known (the hot path). */
  total(code: number, a: Prepared, b: Prepared): number {
    let total = 0;
    decodePattern(code).forEach((l, f) => {
      if (l !== MISSING) total += this.weights[f]![l]!;
    });
    return total + this.frequencyAdjustment(a, b);
  }

  /** The weight of every field but those in `skip` (an identifier the pair already shares, the name). */
  otherFields(a: Prepared, b: Prepared, skip: readonly string[]): number {
    let total = 0;
    FIELDS.forEach((f, k) => {
      if (skip.includes(f.field)) return;
      const l = f.compare(a, b);
      if (l !== MISSING) total += this.weights[k]![l]!;
    });
    return skip.includes('name') ? total : total + this.frequencyAdjustment(a, b);
  }

  /** The full explanation of a pair: every field's level and weight. */
  explain(a: Prepared, b: Prepared): Score {
    const evidence: Evidence[] = [];
    let total = 0;
    FIELDS.forEach((f, k) => {
      const l = f.compare(a, b);
      if (l === MISSING) return;
      const weight = this.weights[k]![l]!;
      evidence.push({ field: f.field, level: f.levels[l]!, weight });
      total += weight;
    });
    const adj = this.frequencyAdjustment(a, b);
    if (adj !== 0) {
      evidence.push({ field: 'nameFrequency', level: a.name!.tokenKey, weight: adj });
      total += adj;
    }
    return { evidence, total, posterior: this.posterior(total) };
  }
}
