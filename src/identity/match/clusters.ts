// Customers under construction: disjoint sets of records that also remember the distinct names in
// each set, so a merge can be refused when it would put two clearly different names together
// (otherwise a nameless record sharing a household phone would chain 张伟 to 李娜).
import { namesConflict } from './compare.js';
import type { Prepared, PreparedName } from './prepare.js';
import { UnionFind } from './unionfind.js';

export class Clusters {
  private readonly sets: UnionFind;
  private readonly names = new Map<number, PreparedName[]>();

  constructor(records: readonly Prepared[]) {
    this.sets = new UnionFind(records.length);
    records.forEach((r, i) => {
      if (r.name) this.names.set(i, [r.name]);
    });
  }

  find(i: number): number {
    return this.sets.find(i);
  }

  hasNames(i: number): boolean {
    return this.names.has(this.find(i));
  }

  /** True when some name in i's customer clearly disagrees with some name in j's. */
  conflict(i: number, j: number): boolean {
    const a = this.names.get(this.find(i));
    const b = this.names.get(this.find(j));
    if (!a || !b) return false;
    return a.some((x) => b.some((y) => namesConflict(x, y)));
  }

  /** Joins two customers; returns false when they were already one. */
  join(i: number, j: number): boolean {
    const ri = this.find(i);
    const rj = this.find(j);
    const root = this.sets.union(ri, rj);
    if (root < 0) return false;
    const child = root === ri ? rj : ri;
    const moved = this.names.get(child);
    if (moved) {
      const kept = this.names.get(root) ?? [];
      for (const n of moved) if (!kept.some((k) => k.simplified === n.simplified)) kept.push(n);
      this.names.set(root, kept);
      this.names.delete(child);
    }
    return true;
  }
}
