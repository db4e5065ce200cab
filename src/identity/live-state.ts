// One tenant's live matching state and the decisions taken on it, with no I/O: the blocking index,
// the merges decided and not yet written, and which customers were set when. It lives in the identity
// worker (live-worker.ts), out of the gateway's heap; live.ts drives it from the main thread.
//
// A decision compares one customer with its candidates (Fellegi–Sunter, the tenant's model) and
// decides on the best: merge (the older customer survives, so the record agents know keeps its id) at
// or above `upper` unless names clearly conflict; a review suggestion for each candidate between
// `lower` and `upper` (or vetoed). The index applies a merge as soon as it is decided, so the next
// decision sees it before the database does.
import { BlockingIndex, type LiveEntry, type Matchable, mergedInto, toEntry } from './live-index.js';
import {
  compareRhythm,
  type Evidence,
  type MatchSettings,
  namesConflict,
  type Prepared,
  type RhythmProfile,
  Scorer,
} from './match/index.js';
import type { MergeEvidence } from './merge.js';
import type { TenantMatching } from './tenant-model.js';

/** Fields that may overcome clearly different names: neither the name itself nor a phone a household shares. */
const OVERRIDE_SKIPS = ['name', 'phone'];

export interface Decision {
  candidates: number;
  merge?: { survivorId: string; mergedId: string; confidence: number; evidence: MergeEvidence };
  suggestions: { customerId: string; confidence: number; evidence: MergeEvidence }[];
  /** The customer's blocking keys once the decision is applied (what its `identity_match_keys` rows become). */
  keys: string[];
}

/** A merge decided in memory and not yet committed: the merged customer stays out of the index, the survivor carries its identities. */
interface PendingMerge {
  survivorId: string;
  merged: Matchable;
}

interface Candidate {
  id: string;
  createdAt: string;
  evidence: Evidence[];
  total: number;
  posterior: number;
  vetoed: boolean;
}

function score(
  m: TenantMatching,
  scorer: Scorer,
  me: Prepared,
  other: Prepared,
  rhythm: { mine?: RhythmProfile | undefined; theirs?: RhythmProfile | undefined },
): Omit<Candidate, 'id' | 'createdAt'> {
  const s = scorer.explain(me, other);
  const evidence = [...s.evidence];
  let total = s.total;
  // The behavioural signal counts only beside agreeing evidence: it never merges on its own.
  if (evidence.some((e) => e.weight > 0)) {
    const r = compareRhythm(rhythm.mine, rhythm.theirs);
    if (r.weight !== 0) {
      evidence.push({ field: 'typingRhythm', level: r.level, weight: r.weight });
      total += r.weight;
    }
  }
  const vetoed =
    namesConflict(me.name, other.name) &&
    scorer.posterior(scorer.otherFields(me, other, OVERRIDE_SKIPS)) < m.settings.upper;
  return { evidence, total, posterior: scorer.posterior(total), vetoed };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export class TenantState {
  index = new BlockingIndex();
  settings: MatchSettings | undefined;
  /** Counts updates of the index; `stamps` says when each customer was last set, so an older read never overwrites a newer one. */
  seq = 0;
  loadSeq = 0;
  stamps = new Map<string, number>();
  /** Customers merged away (or being merged): a caller's stale copy of one must not put it back. */
  gone = new Set<string>();
  readonly pendingMerges = new Map<string, PendingMerge>();
  /** A load in progress: the index it builds replaces this one when it ends. */
  private building: BlockingIndex | undefined;
  private buildingSettings: MatchSettings | undefined;

  // ---- loading ---------------------------------------------------------------------------------

  loadStart(settings: MatchSettings): void {
    this.building = new BlockingIndex();
    this.buildingSettings = settings;
  }

  /**
   * Adds a page of the tenant's live customers to the index being built. Says which have no stored
   * keys (their decision was never written) and which have keys that disagree with their data.
   */
  loadPage(rows: { customer: Matchable; stored: string[] }[]): {
    recover: string[];
    rekey: { id: string; keys: string[] }[];
  } {
    const index = this.building;
    const settings = this.buildingSettings;
    if (!index || !settings) throw new Error('identity: a load page came without its start');
    const recover: string[] = [];
    const rekey: { id: string; keys: string[] }[] = [];
    for (const { customer, stored } of rows) {
      const entry = toEntry(customer, settings);
      index.put(entry);
      if (stored.length === 0) {
        if (entry.keys.length > 0) recover.push(entry.id);
      } else if (stored.length !== entry.keys.length || !entry.keys.every((k) => stored.includes(k))) {
        rekey.push({ id: entry.id, keys: entry.keys });
      }
    }
    return { recover, rekey };
  }

  loadEnd(apart: readonly (readonly [string, string])[]): number {
    const index = this.building;
    if (!index || !this.buildingSettings) throw new Error('identity: a load ended without its start');
    for (const [a, b] of apart) index.separate(a, b);
    this.index = index;
    this.settings = this.buildingSettings;
    this.building = undefined;
    this.buildingSettings = undefined;
    this.stamps = new Map();
    this.gone = new Set();
    this.loadSeq = ++this.seq;
    return index.size;
  }

  // ---- the index -------------------------------------------------------------------------------

  /**
   * Sets what the index knows of a customer (null: gone, merged away). A customer a pending merge
   * takes away stays out; one that survives pending merges carries their identities.
   */
  set(id: string, data: Matchable | null): LiveEntry | undefined {
    this.stamps.set(id, ++this.seq);
    if (!data || this.pendingMerges.has(id) || !this.settings) {
      this.index.delete(id);
      this.gone.add(id);
      return undefined;
    }
    this.gone.delete(id);
    let m = data;
    for (const p of this.pendingMerges.values()) if (p.survivorId === id) m = mergedInto(m, p.merged);
    if (!m.profile) {
      const profile = this.index.get(id)?.profile;
      if (profile) m = { ...m, profile };
    }
    this.index.put(toEntry(m, this.settings));
    return this.index.get(id);
  }

  /** Customers re-read from the database: set unless a newer write set them after the read began. */
  apply(
    startSeq: number,
    items: { id: string; data: Matchable | null; rekey: boolean }[],
  ): Record<string, string[]> {
    const keys: Record<string, string[]> = {};
    for (const { id, data, rekey } of items) {
      if ((this.stamps.get(id) ?? 0) <= startSeq) this.set(id, data);
      if (rekey) keys[id] = this.index.get(id)?.keys ?? [];
    }
    return keys;
  }

  setProfile(id: string, profile: RhythmProfile): void {
    const entry = this.index.get(id);
    if (entry) entry.profile = profile;
  }

  /** Of these customers, those nothing has set since the load (the recovery may match them). */
  unstamped(ids: readonly string[]): string[] {
    return ids.filter((id) => (this.stamps.get(id) ?? 0) <= this.loadSeq);
  }

  // ---- decisions -------------------------------------------------------------------------------

  /**
   * A customer as the caller has it (`known`: the caller just wrote it, no re-read): set in the index
   * and decided for. `undefined` when there is nothing to decide (merged away, or no keys to compare
   * it by); `hadKeys` then says whether its stored key rows must go.
   */
  match(
    m: TenantMatching,
    id: string,
    customer: Matchable,
    known: boolean,
  ): { decision: Decision } | { decision?: undefined; hadKeys: boolean } {
    // A merge (decided a moment ago, or written) took this customer away: the caller's copy is stale.
    if (this.pendingMerges.has(id) || (known && this.gone.has(id))) return { hadKeys: false };
    const had = this.index.get(id)?.keys.length ?? 0;
    const me = this.set(id, customer);
    // Nothing to compare it by (a nameless visitor with a device id): no keys, no candidates.
    if (!me) return { hadKeys: had > 0 };
    return { decision: this.decideAndApply(m, me) };
  }

  /** Decides again for a customer already in the index (after a conflict, or for the recovery); undefined if it is not. */
  redecide(m: TenantMatching, id: string): Decision | undefined {
    const me = this.index.get(id);
    if (!me || this.pendingMerges.has(id)) return undefined;
    return this.decideAndApply(m, me);
  }

  /** The merge is written (or failed): the index no longer has to hold it back. */
  unpend(mergedId: string): void {
    this.pendingMerges.delete(mergedId);
  }

  keysOf(id: string): string[] {
    return this.index.get(id)?.keys ?? [];
  }

  private decideAndApply(m: TenantMatching, me: LiveEntry): Decision {
    const decision = this.decide(m, me);
    this.applyInMemory(decision);
    decision.keys = this.keysOf(me.id);
    return decision;
  }

  private decide(m: TenantMatching, me: LiveEntry): Decision {
    const { sizes, candidates } = this.index.search(me.id, me.keys);
    const decision: Decision = { candidates: candidates.length, suggestions: [], keys: [] };
    if (candidates.length === 0) return decision;
    const scorer = new Scorer(m.model, {
      // The block counts others; this customer bears the name too.
      count: (anagram) => (sizes.get(`n:${anagram}`) ?? 0) + 1,
      named: m.model.named,
      collision: m.model.collision,
    });
    const scored: Candidate[] = [];
    for (const id of candidates) {
      const o = this.index.get(id)!;
      if (this.index.apart(me.id, o.id)) continue;
      const s = score(m, scorer, me.prepared, o.prepared, { mine: me.profile, theirs: o.profile });
      if (s.posterior >= m.settings.lower) scored.push({ id: o.id, createdAt: o.createdAt, ...s });
    }
    scored.sort((a, b) => b.total - a.total || (a.id < b.id ? -1 : 1));

    const best = scored[0];
    // Two candidates above `upper` with clearly different names (a shared household line): nobody decides for them.
    const ambiguous =
      scored.length > 1 &&
      scored[1]!.posterior >= m.settings.upper &&
      !me.displayName.trim() &&
      namesConflict(
        this.index.get(scored[0]!.id)!.prepared.name,
        this.index.get(scored[1]!.id)!.prepared.name,
      );
    for (const c of scored) {
      const evidence: MergeEvidence = {
        source: 'probabilistic',
        fields: c.evidence.map((e) => ({ field: e.field, level: e.level, weight: round(e.weight) })),
        total: round(c.total),
        note: m.trained
          ? 'Fellegi–Sunter with the tenant model'
          : 'Fellegi–Sunter with prior weights (no model trained yet)',
      };
      if (c === best && c.posterior >= m.settings.upper && !c.vetoed && !ambiguous) {
        const [survivorId, mergedId] = c.createdAt <= me.createdAt ? [c.id, me.id] : [me.id, c.id];
        decision.merge = { survivorId, mergedId, confidence: c.posterior, evidence };
        continue;
      }
      decision.suggestions.push({ customerId: c.id, confidence: c.posterior, evidence });
    }
    return decision;
  }

  /** The index as the decision leaves it: the merged customer out, the survivor with its identities. */
  private applyInMemory(d: Decision): void {
    if (!d.merge) return;
    const merged = this.index.get(d.merge.mergedId);
    const survivor = this.index.get(d.merge.survivorId);
    if (!merged || !survivor) return;
    this.pendingMerges.set(merged.id, { survivorId: survivor.id, merged });
    this.set(merged.id, null);
    this.set(survivor.id, survivor);
  }
}
