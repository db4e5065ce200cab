// Blocking: only records that share a key are compared, so the work grows with the block sizes,
// not with n². Each pair is emitted once however many keys it shares.
import { phoneTail } from '../normalize/index.js';
import { encodePattern } from './compare.js';
import type { Prepared } from './prepare.js';

export function blockingKeys(p: Prepared): string[] {
  const keys = new Set<string>();
  const year = p.birth?.slice(0, 4);
  if (p.name) {
    keys.add(`n:${p.name.anagram}`);
    for (const t of p.name.tokens) {
      // A pinyin token with the birth year or city: a namesake in another year or town is not compared.
      if (year) keys.add(`y:${t}|${year}`);
      if (p.city) keys.add(`c:${t}|${p.city}`);
    }
  }
  for (const tel of p.tels) keys.add(`p:${phoneTail(tel, 7)}`);
  if (p.emailLocal) keys.add(`e:${p.emailLocal}`);
  if (p.birth) keys.add(`b:${p.birth}`);
  for (const id of p.ids) keys.add(`i:${id.namespace}:${id.value}`);
  return [...keys];
}

/** Candidate pairs (i < j) with their comparison-vector codes, in growable typed arrays. */
export class PairList {
  length = 0;
  left = new Int32Array(1024);
  right = new Int32Array(1024);
  code = new Float64Array(1024);

  push(i: number, j: number, code: number): void {
    if (this.length === this.left.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.left = grow(this.left, (n) => new Int32Array(n));
      this.right = grow(this.right, (n) => new Int32Array(n));
      this.code = grow(this.code, (n) => new Float64Array(n));
    }
    this.left[this.length] = i;
    this.right[this.length] = j;
    this.code[this.length] = code;
    this.length++;
  }
}

export interface Blocking {
  pairs: PairList;
  skippedBlocks: number;
}

export function blockPairs(
  records: readonly Prepared[],
  opts: { maxBlockSize: number; linkOnly: boolean },
): Blocking {
  const index = new Map<string, number[]>();
  const keysOf = records.map(blockingKeys);
  keysOf.forEach((keys, i) => {
    for (const k of keys) {
      const list = index.get(k);
      if (list) list.push(i);
      else index.set(k, [i]);
    }
  });
  let skippedBlocks = 0;
  for (const [k, list] of index) {
    if (list.length > opts.maxBlockSize) skippedBlocks++;
    if (list.length > opts.maxBlockSize || list.length < 2) index.delete(k);
  }
  const pairs = new PairList();
  // seen[j] === i marks j as already paired with i: each pair once, no set of pairs in memory.
  const seen = new Int32Array(records.length).fill(-1);
  records.forEach((a, i) => {
    for (const k of keysOf[i]!) {
      const list = index.get(k);
      if (!list) continue;
      for (const j of list) {
        if (j <= i || seen[j] === i) continue;
        seen[j] = i;
        const b = records[j]!;
        if (opts.linkOnly && a.source === b.source) continue;
        pairs.push(i, j, encodePattern(a, b));
      }
    }
  });
  return { pairs, skippedBlocks };
}
