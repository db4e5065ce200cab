// Probabilistic merges: pairs above `upper` join their customers, strongest evidence first, unless
// the merge would put clearly different names together or is ambiguous; such pairs and those
// between `lower` and `upper` go to the review list instead.
import type { Clusters } from './clusters.js';
import type { Link, MatchSettings } from './model.js';
import type { Prepared } from './prepare.js';
import type { Scorer } from './score.js';

export interface Scored {
  i: number;
  j: number;
  total: number;
  posterior: number;
}

/** What may overcome clearly different names: neither the name itself nor a phone a household shares. */
const OVERRIDE_SKIPS = ['name', 'phone'];

/** `pairs` sorted by descending total, ties by index, so the greedy merges are canonical. */
export function mergePairs(
  pairs: readonly Scored[],
  records: readonly Prepared[],
  clusters: Clusters,
  scorer: Scorer,
  settings: MatchSettings,
): { links: Link[]; review: Link[] } {
  const partners = new Map<number, number[]>();
  for (const p of pairs) {
    if (p.posterior < settings.upper) continue;
    partners.set(p.i, [...(partners.get(p.i) ?? []), p.j]);
    partners.set(p.j, [...(partners.get(p.j) ?? []), p.i]);
  }
  // A record without a name that fits two customers with different names (a household's shared
  // line) belongs to neither as far as the data can tell.
  const ambiguous = (x: number, target: number) =>
    !clusters.hasNames(x) &&
    (partners.get(x) ?? []).some(
      (k) => clusters.find(k) !== clusters.find(target) && clusters.conflict(k, target),
    );

  const link = (p: Scored): Link => {
    const s = scorer.explain(records[p.i]!, records[p.j]!);
    return { a: records[p.i]!.id, b: records[p.j]!.id, kind: 'probabilistic', ...s, confidence: s.posterior };
  };
  const links: Link[] = [];
  const held: Scored[] = [];
  for (const p of pairs) {
    if (clusters.find(p.i) === clusters.find(p.j)) continue;
    // Clearly different names are overcome only by evidence that would merge on its own (FEBRL's
    // corrupted names with one id number, birth date and town).
    const vetoed =
      clusters.conflict(p.i, p.j) &&
      scorer.posterior(scorer.otherFields(records[p.i]!, records[p.j]!, OVERRIDE_SKIPS)) < settings.upper;
    if (p.posterior < settings.upper || vetoed || ambiguous(p.i, p.j) || ambiguous(p.j, p.i)) {
      held.push(p);
      continue;
    }
    clusters.join(p.i, p.j);
    links.push(link(p));
  }
  const review = held.filter((p) => clusters.find(p.i) !== clusters.find(p.j)).map(link);
  return { links, review };
}
