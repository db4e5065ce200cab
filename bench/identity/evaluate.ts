// Pairwise precision, recall and F1 of a clustering against the truth, counted from the
// cluster × person contingency table (never by listing pairs), plus the exact-identifier baseline.
import type { ContactRecord } from '../../src/identity/match/index.js';

export interface PairScores {
  truePairs: number;
  predictedPairs: number;
  correctPairs: number;
  precision: number;
  recall: number;
  f1: number;
}

/** Pairs within one group: all of them, or in linkage only those across two sources. */
function pairsIn(bySource: Map<string, number>, linkage: boolean): number {
  let n = 0;
  let sq = 0;
  for (const c of bySource.values()) {
    n += c;
    sq += c * c;
  }
  return linkage ? (n * n - sq) / 2 : (n * (n - 1)) / 2;
}

function countPairs(groups: Iterable<string[]>, sourceOf: (id: string) => string, linkage: boolean): number {
  let total = 0;
  for (const ids of groups) {
    const bySource = new Map<string, number>();
    for (const id of ids) bySource.set(sourceOf(id), (bySource.get(sourceOf(id)) ?? 0) + 1);
    total += pairsIn(bySource, linkage);
  }
  return total;
}

function groupBy(ids: Iterable<string>, key: (id: string) => string): string[][] {
  const groups = new Map<string, string[]>();
  for (const id of ids) {
    const k = key(id);
    const g = groups.get(k);
    if (g) g.push(id);
    else groups.set(k, [id]);
  }
  return [...groups.values()];
}

export function pairwiseScores(
  predicted: ReadonlyMap<string, string>,
  truth: ReadonlyMap<string, string>,
  sourceOf: (id: string) => string = () => '',
  linkage = false,
): PairScores {
  const ids = [...truth.keys()];
  const truePairs = countPairs(
    groupBy(ids, (id) => truth.get(id)!),
    sourceOf,
    linkage,
  );
  const predictedPairs = countPairs(
    groupBy(ids, (id) => predicted.get(id) ?? id),
    sourceOf,
    linkage,
  );
  const cells = groupBy(ids, (id) => `${predicted.get(id) ?? id}\u0000${truth.get(id)}`);
  const correctPairs = countPairs(cells, sourceOf, linkage);
  const precision = predictedPairs === 0 ? 1 : correctPairs / predictedPairs;
  const recall = truePairs === 0 ? 1 : correctPairs / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePairs, predictedPairs, correctPairs, precision, recall, f1 };
}

const RAW_FIELDS = [
  'phone',
  'whatsapp',
  'email',
  'deviceId',
  'wechatOpenId',
  'wechatUnionId',
  'telegramId',
] as const;

/** The baseline: records that share any identifier written exactly alike are one customer. */
export function exactIdentifierBaseline(records: readonly ContactRecord[]): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  const owner = new Map<string, string>();
  for (const r of records) {
    parent.set(r.id, r.id);
    const values = [
      ...RAW_FIELDS.map((f) => [f === 'whatsapp' ? 'phone' : f, r[f]] as const),
      ...Object.entries(r.identifiers ?? {}),
    ];
    for (const [kind, v] of values) {
      if (!v) continue;
      const key = `${kind}\u0000${v}`;
      const other = owner.get(key);
      if (other === undefined) owner.set(key, r.id);
      else {
        const [a, b] = [find(other), find(r.id)];
        if (a !== b) parent.set(b, a);
      }
    }
  }
  return new Map(records.map((r) => [r.id, find(r.id)]));
}
