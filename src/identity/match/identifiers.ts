// Deterministic links on exact normalised identifiers. A strong identifier (a WeChat unionid, a
// device, a mailbox) joins its records outright. A weak one (a phone, which a household can share)
// joins customers whose names agree; a customer known only by a surname (张先生), or not named at
// all, is attached only when exactly one customer on that identifier fits: otherwise whose it is
// stays open, and Fellegi–Sunter decides on the other fields. No weak link is made when the other
// fields (another city, another birth date) argue against it.
import type { Clusters } from './clusters.js';
import { compareNames, NAME_LEVELS } from './compare.js';
import type { Prepared, PreparedIdentifier } from './prepare.js';

const MAX_WEAK_HOLDERS = 2000;

export interface IdentifierLink {
  i: number;
  j: number;
  strong: boolean;
}

interface Holder {
  record: number;
  id: PreparedIdentifier;
}

/** The identifier kinds two records share (a phone on one may be the WhatsApp number on the other). */
export function sharedIdentifiers(a: Prepared, b: Prepared): string[] {
  const out: string[] = [];
  for (const x of a.ids)
    for (const y of b.ids)
      if (x.namespace === y.namespace && x.value === y.value)
        out.push(x.kind === y.kind ? x.kind : `${x.kind}=${y.kind}`);
  return [...new Set(out)];
}

/** Whether the fields other than this identifier argue against the pair (e.g. another city and birth date). */
export type Contradiction = (i: number, j: number, namespace: string) => boolean;

export function linkIdentifiers(
  records: readonly Prepared[],
  clusters: Clusters,
  contradicts: Contradiction,
): IdentifierLink[] {
  // Records are in canonical (id) order, so groups and their members are too.
  const groups = new Map<string, Holder[]>();
  records.forEach((r, record) => {
    for (const id of r.ids) {
      const key = `${id.namespace}\u0000${id.value}`;
      const g = groups.get(key);
      if (!g) groups.set(key, [{ record, id }]);
      else if (g[g.length - 1]!.record !== record) g.push({ record, id });
    }
  });
  const links: IdentifierLink[] = [];

  for (const g of groups.values()) {
    const strong = g.filter((h) => h.id.strong);
    const first = strong[0];
    if (!first) continue;
    for (const h of strong.slice(1))
      if (clusters.join(first.record, h.record)) links.push({ i: first.record, j: h.record, strong: true });
  }

  for (const g of groups.values()) {
    if (g.length < 2 || g.every((h) => h.id.strong)) continue;
    // One representative holder per customer currently on this identifier.
    const reps = new Map<number, Holder>();
    for (const h of g) if (!reps.has(clusters.find(h.record))) reps.set(clusters.find(h.record), h);
    // A number thousands of customers give (a switchboard, 13800000000 typed to fill a form) is
    // no identifier, and pairing its holders would be quadratic.
    if (reps.size < 2 || reps.size > MAX_WEAK_HOLDERS) continue;
    linkWeakGroup([...reps.values()], records, clusters, contradicts, links);
  }
  return links;
}

const SIMILAR = NAME_LEVELS.indexOf('similar');

/** Names on both sides, and they agree: exactly, in another script, or with a slip. */
function namesAgree(records: readonly Prepared[], clusters: Clusters, a: Holder, b: Holder): boolean {
  const level = compareNames(records[a.record]!.name, records[b.record]!.name);
  return level >= 0 && level < SIMILAR && !clusters.conflict(a.record, b.record);
}

function linkWeakGroup(
  holders: readonly Holder[],
  records: readonly Prepared[],
  clusters: Clusters,
  contradicts: Contradiction,
  links: IdentifierLink[],
): void {
  const join = (a: Holder, b: Holder) => {
    if (contradicts(a.record, b.record, a.id.namespace)) return;
    if (clusters.join(a.record, b.record)) links.push({ i: a.record, j: b.record, strong: false });
  };
  // 1. Named customers whose names agree, greedily in canonical order.
  const named = holders.filter((h) => clusters.hasNames(h.record));
  named.forEach((h, k) => {
    const target = named.slice(0, k).find((x) => namesAgree(records, clusters, x, h));
    if (target) join(target, h);
  });
  // 2. Named customers left over, then nameless ones, each join the one named customer they fit.
  const nameless = holders.filter((h) => !clusters.hasNames(h.record));
  for (const h of [...named, ...nameless]) {
    const fits = new Map<number, Holder>();
    for (const x of holders) {
      const root = clusters.find(x.record);
      if (root !== clusters.find(h.record) && !fits.has(root) && !clusters.conflict(x.record, h.record))
        fits.set(root, x);
    }
    const fitting = [...fits.values()];
    const namedFits = fitting.filter((x) => clusters.hasNames(x.record));
    // Nameless records on a number nobody has named are one caller as far as anyone can tell.
    const target =
      namedFits.length === 1
        ? namedFits[0]
        : namedFits.length === 0 && !clusters.hasNames(h.record)
          ? fitting[0]
          : undefined;
    if (target) join(target, h);
  }
}
