// The resolution pipeline: blocking and model estimation first (the weak identifier links consult
// the model), then deterministic identifier links, then Fellegi–Sunter merges in order of weight.
// Records are sorted by id first, so nothing downstream depends on the input order.
import { InvalidInput } from '../../core/index.js';
import { blockPairs } from './blocking.js';
import { Clusters } from './clusters.js';
import { FIELDS } from './compare.js';
import { linkIdentifiers, sharedIdentifiers } from './identifiers.js';
import { mergePairs, type Scored } from './merge.js';
import {
  type Assignment,
  type ContactRecord,
  DEFAULT_SETTINGS,
  type Link,
  type MatchSettings,
  type Resolution,
  type ResolveOptions,
} from './model.js';
import { type Prepared, prepareRecord } from './prepare.js';
import { nameStatsOf, Scorer } from './score.js';
import { trainModel } from './training.js';

const DEFAULTS: Required<ResolveOptions> = {
  mode: 'dedupe',
  seed: 0x5eed,
  maxBlockSize: 200,
  uSamplePairs: 20_000,
  emMaxIterations: 200,
};

function comparablePairs(records: readonly Prepared[], linkOnly: boolean): number {
  const n = records.length;
  if (!linkOnly) return (n * (n - 1)) / 2;
  const bySource = new Map<string, number>();
  for (const r of records) bySource.set(r.source, (bySource.get(r.source) ?? 0) + 1);
  let same = 0;
  for (const c of bySource.values()) same += c * c;
  return (n * n - same) / 2;
}

/** The comparison field that already counts an identifier namespace (the rest have none). */
const NAMESPACE_FIELDS: Record<string, string> = { tel: 'phone', email: 'email' };
/** Bits of net disagreement on the other fields that veto a weak identifier link. */
const CONTRADICTION = -2;

export function resolveRecords(
  input: readonly ContactRecord[],
  settings: MatchSettings = DEFAULT_SETTINGS,
  options: ResolveOptions = {},
): Resolution {
  const o = { ...DEFAULTS, ...options };
  const order = input.map((_, k) => k).sort((x, y) => cmp(input[x]!.id, input[y]!.id));
  order.forEach((k, pos) => {
    const id = input[k]!.id;
    if (typeof id !== 'string' || id === '') throw new InvalidInput(`record ${k + 1} has no id`, 'id');
    if (pos > 0 && input[order[pos - 1]!]!.id === id)
      throw new InvalidInput(`duplicate record id ${id}`, 'id');
  });
  const records = order.map((k) => prepareRecord(input[k]!, settings));
  const linkOnly = o.mode === 'link';

  const { pairs, skippedBlocks } = blockPairs(records, { maxBlockSize: o.maxBlockSize, linkOnly });
  const totalPairs = comparablePairs(records, linkOnly);
  const model = trainModel(records, pairs, totalPairs, {
    seed: o.seed,
    uSamplePairs: o.uSamplePairs,
    linkOnly,
    maxIterations: o.emMaxIterations,
    tolerance: 1e-6,
  });
  const scorer = new Scorer(model, nameStatsOf(records));

  const clusters = new Clusters(records);
  const contradicts = (i: number, j: number, namespace: string) =>
    scorer.otherFields(records[i]!, records[j]!, [NAMESPACE_FIELDS[namespace] ?? 'identifier']) <
    CONTRADICTION;
  const identifierLinks = linkOnly ? [] : linkIdentifiers(records, clusters, contradicts);

  const above: Scored[] = [];
  for (let k = 0; k < pairs.length; k++) {
    const i = pairs.left[k]!;
    const j = pairs.right[k]!;
    const total = scorer.total(pairs.code[k]!, records[i]!, records[j]!);
    const posterior = scorer.posterior(total);
    if (posterior >= settings.lower) above.push({ i, j, total, posterior });
  }
  // Strongest evidence first, ties by index: the greedy merges are canonical.
  above.sort((x, y) => y.total - x.total || x.i - y.i || x.j - y.j);

  const links: Link[] = identifierLinks.map(({ i, j, strong }) => {
    const s = scorer.explain(records[i]!, records[j]!);
    return {
      a: records[i]!.id,
      b: records[j]!.id,
      kind: 'identifier',
      identifiers: sharedIdentifiers(records[i]!, records[j]!),
      evidence: s.evidence,
      total: s.total,
      confidence: strong ? 1 : s.posterior,
    };
  });
  const merged = mergePairs(above, records, clusters, scorer, settings);
  links.push(...merged.links);
  const review = merged.review;

  return {
    ...assemble(records, input, clusters, links, review),
    links,
    review,
    stats: {
      records: records.length,
      totalPairs,
      candidatePairs: pairs.length,
      blockingShare: totalPairs === 0 ? 0 : pairs.length / totalPairs,
      skippedBlocks,
      emIterations: model.iterations,
      emConverged: model.converged,
      lambda: model.lambda,
      model: FIELDS.map((f, k) => ({
        field: f.field,
        levels: [...f.levels],
        m: model.m[k]!,
        u: model.u[k]!,
      })),
    },
  };
}

/** Code-unit order, not locale order: the same on every machine. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function assemble(
  records: readonly Prepared[],
  input: readonly ContactRecord[],
  clusters: Clusters,
  links: readonly Link[],
  review: readonly Link[],
): Pick<Resolution, 'assignments' | 'clusters'> {
  const index = new Map(records.map((r, k) => [r.id, k]));
  // A merged record's confidence is its strongest link; a lone record's is 1 minus its best
  // review suggestion (1 when nobody resembles it).
  const best = new Float64Array(records.length).fill(-1);
  for (const l of links)
    for (const id of [l.a, l.b]) {
      const k = index.get(id)!;
      best[k] = Math.max(best[k]!, l.confidence);
    }
  const doubt = new Float64Array(records.length);
  for (const l of review)
    for (const id of [l.a, l.b]) {
      const k = index.get(id)!;
      doubt[k] = Math.max(doubt[k]!, l.confidence);
    }
  const members = new Map<number, string[]>();
  records.forEach((r, k) => {
    const root = clusters.find(k);
    const list = members.get(root);
    if (list) list.push(r.id);
    else members.set(root, [r.id]);
  });
  const assignments: Assignment[] = input.map((r) => {
    const k = index.get(r.id)!;
    const confidence = best[k]! >= 0 ? best[k]! : 1 - doubt[k]!;
    // The root is the smallest index, and records are sorted by id: the customer id is the smallest id.
    return { id: r.id, customerId: records[clusters.find(k)]!.id, confidence };
  });
  const multi = [...members.entries()]
    .filter(([, ids]) => ids.length > 1)
    .sort(([x], [y]) => x - y)
    .map(([root, recordIds]) => ({ customerId: records[root]!.id, recordIds }));
  return { assignments, clusters: multi };
}
