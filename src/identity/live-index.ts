// The live matcher's blocking index for one tenant, in memory: blocking key → customers, customer →
// what the matcher compares (its prepared record, typing profile, creation time, keys), and the pairs
// a person separated (a rejected suggestion, an undone merge). Pure: the database side (loading it,
// keeping it fresh, writing `identity_match_keys` behind it) is `live.ts`.
import { blockingKeys, type MatchSettings, type Prepared, type RhythmProfile } from './match/index.js';
import { prepareCustomer } from './prepare-customer.js';

/** A key shared by more customers than this says too little to compare them all (as in the batch engine). */
export const MAX_BLOCK = 200;
/** Candidates scored per run, those sharing the most keys first. */
export const MAX_CANDIDATES = 50;

/**
 * The blocking keys worth indexing live: an identifier only one customer can own (a device, an openid,
 * a mailbox) never meets another customer's key; phone numbers can (a phone and a WhatsApp number).
 */
export function liveKeys(p: Prepared): string[] {
  return blockingKeys(p).filter((k) => !k.startsWith('i:') || k.startsWith('i:tel:'));
}

/** A customer as the matcher reads it: enough to prepare it, plus its typing profile. */
export interface Matchable {
  id: string;
  displayName: string;
  attributes: Record<string, unknown>;
  identities: { kind: string; value: string }[];
  createdAt: string;
  profile?: RhythmProfile | undefined;
}

/** One customer in the index. Only the attributes the matcher reads are kept. */
export interface LiveEntry extends Matchable {
  prepared: Prepared;
  keys: string[];
}

const MATCHED_ATTRIBUTES = ['birthDate', 'birthday', 'city'];

export function toEntry(c: Matchable, settings: MatchSettings): LiveEntry {
  const attributes: Record<string, unknown> = {};
  for (const a of MATCHED_ATTRIBUTES) if (c.attributes[a] !== undefined) attributes[a] = c.attributes[a];
  const data: Matchable = {
    id: c.id,
    displayName: c.displayName,
    attributes,
    identities: c.identities.map((i) => ({ kind: i.kind, value: i.value })),
    createdAt: c.createdAt,
    ...(c.profile && { profile: c.profile }),
  };
  const prepared = prepareCustomer(data, settings);
  return { ...data, prepared, keys: liveKeys(prepared) };
}

/** What a merge makes of the survivor before the database says so: its identities plus the other's, and a name if it had none. */
export function mergedInto(survivor: Matchable, merged: Matchable): Matchable {
  const seen = new Set(survivor.identities.map((i) => `${i.kind}\u0000${i.value}`));
  return {
    ...survivor,
    displayName: survivor.displayName.trim() ? survivor.displayName : merged.displayName,
    identities: [
      ...survivor.identities,
      ...merged.identities.filter((i) => !seen.has(`${i.kind}\u0000${i.value}`)),
    ],
  };
}

const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

export interface SearchResult {
  /** For each of the customer's keys shared with others: how many others bear it. */
  sizes: Map<string, number>;
  /** Customers sharing a key of a block no larger than `maxBlock`, most shared keys first (then id), at most `maxCandidates`. */
  candidates: string[];
}

export class BlockingIndex {
  private readonly entries = new Map<string, LiveEntry>();
  private readonly blocks = new Map<string, Set<string>>();
  private readonly apartPairs = new Set<string>();

  constructor(
    private readonly limits: { maxBlock: number; maxCandidates: number } = {
      maxBlock: MAX_BLOCK,
      maxCandidates: MAX_CANDIDATES,
    },
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(id: string): LiveEntry | undefined {
    return this.entries.get(id);
  }

  ids(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** Every customer, and every separated pair: enough to build the same index elsewhere. */
  dump(): { entries: LiveEntry[]; apart: [string, string][] } {
    return {
      entries: [...this.entries.values()],
      apart: [...this.apartPairs].map((p) => p.split('|') as [string, string]),
    };
  }

  /** Adds or replaces a customer; a customer without keys is kept out (nothing can find it). */
  put(entry: LiveEntry): void {
    const old = this.entries.get(entry.id);
    if (old) for (const k of old.keys) if (!entry.keys.includes(k)) this.unblock(k, entry.id);
    if (entry.keys.length === 0) {
      this.entries.delete(entry.id);
      return;
    }
    for (const k of entry.keys) {
      let block = this.blocks.get(k);
      if (!block) {
        block = new Set();
        this.blocks.set(k, block);
      }
      block.add(entry.id);
    }
    this.entries.set(entry.id, entry);
  }

  delete(id: string): void {
    const old = this.entries.get(id);
    if (!old) return;
    for (const k of old.keys) this.unblock(k, id);
    this.entries.delete(id);
  }

  private unblock(key: string, id: string): void {
    const block = this.blocks.get(key);
    if (!block) return;
    block.delete(id);
    if (block.size === 0) this.blocks.delete(key);
  }

  /** A person decided these two are not one (a rejected suggestion, an undone merge): never proposed again. */
  separate(a: string, b: string): void {
    this.apartPairs.add(pairKey(a, b));
  }

  apart(a: string, b: string): boolean {
    return this.apartPairs.has(pairKey(a, b));
  }

  /**
   * The candidates of a customer with these keys, as the SQL over `identity_match_keys` found them:
   * block sizes count the others, blocks above `maxBlock` are skipped, candidates are ranked by the
   * number of keys they share (then by id) and cut at `maxCandidates`.
   */
  search(self: string, keys: readonly string[]): SearchResult {
    const sizes = new Map<string, number>();
    const shared = new Map<string, number>();
    for (const k of keys) {
      const block = this.blocks.get(k);
      if (!block) continue;
      const n = block.size - (block.has(self) ? 1 : 0);
      if (n === 0) continue;
      sizes.set(k, n);
      if (n > this.limits.maxBlock) continue;
      for (const id of block) if (id !== self) shared.set(id, (shared.get(id) ?? 0) + 1);
    }
    const ranked = [...shared].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return { sizes, candidates: ranked.slice(0, this.limits.maxCandidates).map(([id]) => id) };
  }
}
