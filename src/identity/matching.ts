// Probabilistic resolution on the live path: when a customer appears or learns something new, it is
// compared (Fellegi–Sunter, the tenant's model) with the customers that share one of its blocking
// keys — found in the tenant's in-memory blocking index (live-index.ts, kept by live.ts), never by
// scanning — and then merged above the tenant's upper threshold, suggested for review between the
// thresholds, or left alone.
//
// The decision is taken in memory, with no database round trip: the index already holds every
// candidate's prepared record, typing profile and the pairs a person separated. Writing it (the merge
// transaction, the suggestions, then the customer's `identity_match_keys` rows) happens right after,
// off the caller's path, on the tenant's serial queue, so two merges never race and later decisions
// see earlier ones (the index applies a merge as soon as it is decided). `MatchOutcome.settled` says
// when it is written; `{ wait: true }` returns only then. A process that stops before writing it
// leaves the customer without key rows, and the next load matches it again (live.ts explains why
// that is enough).
import { sql } from 'kysely';
import { type Actor, Conflict, systemActor } from '../core/index.js';
import type { Db, StoreDeps } from '../storage/index.js';
import {
  type IdentityLive,
  identityLive,
  registerRecovery,
  type TenantLive,
  toMatchable,
  typingProfileChanged,
} from './live.js';
import { type LiveEntry, liveKeys, type Matchable } from './live-index.js';
import {
  addSample,
  compareRhythm,
  type Evidence,
  emptyProfile,
  namesConflict,
  type Prepared,
  parseRhythmProfile,
  type RhythmProfile,
  type RhythmSample,
  Scorer,
} from './match/index.js';
import { type MergeEvidence, mergeCustomers } from './merge.js';
import { suggestMerge } from './suggestions.js';
import { type TenantMatching, tenantMatching } from './tenant-model.js';

export { liveKeys, type Matchable };

/** Fields that may overcome clearly different names: neither the name itself nor a phone a household shares. */
const OVERRIDE_SKIPS = ['name', 'phone'];

export interface MatchOutcome {
  candidates: number;
  /** `mergeId` is there once the merge is written (at once with `{ wait: true }`). */
  merged?: { survivorId: string; mergedId: string; mergeId?: string; confidence: number };
  suggested: { customerId: string; confidence: number }[];
  /**
   * Resolves when the decision is written (merge, suggestions, the customer's blocking keys queued);
   * rejects if writing it failed (also logged; the customer is then matched again at the next load).
   */
  settled: Promise<void>;
}

export interface MatchOptions {
  /** Return only once the decision is written (the CRM import, tests). */
  wait?: boolean;
}

/** Statement 1 when the caller did not hand the customer over: the customer, its identities and typing profile, unless merged away. */
async function loadMatchable(db: Db, tenantId: string, customerId: string): Promise<Matchable | undefined> {
  const { rows } = await sql<Parameters<typeof toMatchable>[0]>`
    SELECT c.id, c.display_name, c.attributes, c.created_at,
      (SELECT coalesce(json_agg(json_build_object('kind', i.kind, 'value', i.value) ORDER BY i.id), '[]'::json)
         FROM identities i WHERE i.tenant_id = c.tenant_id AND i.customer_id = c.id) AS identities,
      (SELECT p.profile FROM typing_profiles p WHERE p.tenant_id = c.tenant_id AND p.customer_id = c.id) AS profile
    FROM customers c
    WHERE c.tenant_id = ${tenantId} AND c.id = ${customerId} AND c.merged_into IS NULL`.execute(db);
  return rows[0] ? toMatchable(rows[0]) : undefined;
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

interface Decision {
  candidates: number;
  merge?: { survivorId: string; mergedId: string; confidence: number; evidence: MergeEvidence };
  suggestions: { customerId: string; confidence: number; evidence: MergeEvidence }[];
}

/**
 * Compares one customer with its candidates and decides on the best: merge (the older customer
 * survives, so the record agents know keeps its id) at or above `upper` unless names clearly
 * conflict; a review suggestion for each candidate between `lower` and `upper` (or vetoed).
 */
function decide(t: TenantLive, m: TenantMatching, me: LiveEntry): Decision {
  const { sizes, candidates } = t.index.search(me.id, me.keys);
  const decision: Decision = { candidates: candidates.length, suggestions: [] };
  if (candidates.length === 0) return decision;
  const scorer = new Scorer(m.model, {
    // The block counts others; this customer bears the name too.
    count: (anagram) => (sizes.get(`n:${anagram}`) ?? 0) + 1,
    named: m.model.named,
    collision: m.model.collision,
  });
  const others = candidates.map((id) => t.index.get(id)!);
  const scored: Candidate[] = others
    .filter((o) => !t.index.apart(me.id, o.id))
    .map((o) => ({
      id: o.id,
      createdAt: o.createdAt,
      ...score(m, scorer, me.prepared, o.prepared, { mine: me.profile, theirs: o.profile }),
    }))
    .filter((c) => c.posterior >= m.settings.lower)
    .sort((a, b) => b.total - a.total || (a.id < b.id ? -1 : 1));

  const best = scored[0];
  // Two candidates above `upper` with clearly different names (a shared household line): nobody decides for them.
  const ambiguous =
    scored.length > 1 &&
    scored[1]!.posterior >= m.settings.upper &&
    !me.displayName.trim() &&
    namesConflict(t.index.get(scored[0]!.id)!.prepared.name, t.index.get(scored[1]!.id)!.prepared.name);
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
function applyInMemory(live: IdentityLive, t: TenantLive, d: Decision): void {
  if (!d.merge) return;
  const merged = t.index.get(d.merge.mergedId);
  const survivor = t.index.get(d.merge.survivorId);
  if (!merged || !survivor) return;
  t.pendingMerges.set(merged.id, { survivorId: survivor.id, merged });
  live.set(t, merged.id, null);
  live.set(t, survivor.id, survivor);
}

function outcomeOf(d: Decision, settled: Promise<void>): MatchOutcome {
  return {
    candidates: d.candidates,
    ...(d.merge && {
      merged: { survivorId: d.merge.survivorId, mergedId: d.merge.mergedId, confidence: d.merge.confidence },
    }),
    suggested: d.suggestions.map((s) => ({ customerId: s.customerId, confidence: s.confidence })),
    settled,
  };
}

/**
 * Decides for a customer already set in the index and queues the writing. Suggestions first, then
 * the merge, then the customer's keys: a stop half-way leaves it without keys, so it is matched again.
 */
function decideAndQueue(
  live: IdentityLive,
  t: TenantLive,
  m: TenantMatching,
  actor: Actor,
  me: LiveEntry,
): MatchOutcome {
  const decision = decide(t, m, me);
  applyInMemory(live, t, decision);
  const outcome = outcomeOf(decision, Promise.resolve());
  const deps = live.deps;
  const write = async (d: Decision, retry: boolean): Promise<void> => {
    try {
      for (const s of d.suggestions)
        await suggestMerge(deps, actor, {
          customerIds: [me.id, s.customerId],
          confidence: s.confidence,
          evidence: s.evidence,
        });
      if (d.merge) {
        const merge = await mergeCustomers(deps, actor, d.merge);
        if (outcome.merged) outcome.merged.mergeId = merge.id;
      }
    } catch (err) {
      if (d.merge) t.pendingMerges.delete(d.merge.mergedId);
      if (!d.merge) throw err;
      // The index was ahead of the database (another process merged one of them first): re-read
      // both, and decide once more on what is really there.
      await live.refresh(t.tenantId, [d.merge.survivorId, d.merge.mergedId], false);
      const again = t.index.get(me.id);
      if (!(err instanceof Conflict) || !retry || !again) throw err;
      const next = decide(t, m, again);
      applyInMemory(live, t, next);
      Object.assign(outcome, outcomeOf(next, outcome.settled));
      if (!next.merge) delete outcome.merged;
      return write(next, false);
    }
    if (d.merge) t.pendingMerges.delete(d.merge.mergedId);
    // Its keys say its decision is written (a merged-away customer has none: the merge removed them).
    if (d.merge?.mergedId !== me.id) live.queueKeys(t.tenantId, me.id, t.index.get(me.id)?.keys ?? []);
  };
  outcome.settled = live.enqueue(t, () => write(decision, true));
  return outcome;
}

const none = (): MatchOutcome => ({ candidates: 0, suggested: [], settled: Promise.resolve() });

/**
 * Matches one customer: sets it in the tenant's index (loaded on first use), decides in memory, and
 * queues the writing of the decision. With the customer handed over (`known`, as ingestion does) and
 * the index loaded, no statement runs before it returns.
 */
export async function matchCustomer(
  deps: StoreDeps,
  actor: Actor,
  customerId: string,
  /** The customer as the caller just wrote it (a new customer at ingestion): saves reading it back. */
  known?: Matchable,
  options: MatchOptions = {},
): Promise<MatchOutcome> {
  const tenantId = actor.tenantId;
  const live = identityLive(deps);
  const release = live.hold(tenantId, customerId);
  let outcome: MatchOutcome;
  try {
    const m = await tenantMatching(deps.db, tenantId);
    const customer = known?.id === customerId ? known : await loadMatchable(deps.db, tenantId, customerId);
    if (!customer) return none();
    const t = await live.tenant(tenantId, m.settings);
    // A merge (decided a moment ago, or written) took this customer away: the caller's copy is stale.
    if (t.pendingMerges.has(customerId) || (customer === known && t.gone.has(customerId))) return none();
    const had = t.index.get(customerId)?.keys.length ?? 0;
    const me = live.set(t, customerId, customer);
    if (!me) {
      // Nothing to compare it by (a nameless visitor with a device id): no keys, no candidates.
      if (had > 0) live.queueKeys(tenantId, customerId, []);
      return none();
    }
    outcome = decideAndQueue(live, t, m, actor, me);
  } finally {
    release();
  }
  if (options.wait) await outcome.settled;
  return outcome;
}

/** The load found customers whose decision was never written: decide for them now (system actor). */
registerRecovery(async (deps, t, ids) => {
  const live = identityLive(deps);
  const m = await tenantMatching(deps.db, t.tenantId);
  const actor = systemActor(t.tenantId);
  let last: Promise<void> = Promise.resolve();
  for (const [k, id] of ids.entries()) {
    const me = t.index.get(id);
    if (!me || t.pendingMerges.has(id)) continue;
    last = decideAndQueue(live, t, m, actor, me).settled.catch(() => undefined);
    // Many at once would hold the event loop: let the ingestion path in between.
    if (k % 50 === 49) await new Promise((r) => setImmediate(r));
  }
  await last;
});

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Folds a message's typing timings into the customer's rhythm profile. */
export async function recordTypingRhythm(
  db: Db,
  tenantId: string,
  customerId: string,
  sample: RhythmSample,
): Promise<RhythmProfile> {
  return db
    .transaction()
    .execute(async (trx) => {
      const row = await trx
        .selectFrom('typing_profiles')
        .select('profile')
        .where('tenant_id', '=', tenantId)
        .where('customer_id', '=', customerId)
        .forUpdate()
        .executeTakeFirst();
      const profile = addSample(parseRhythmProfile(row?.profile) ?? emptyProfile(), sample);
      const json = JSON.stringify(profile);
      await trx
        .insertInto('typing_profiles')
        .values({ tenant_id: tenantId, customer_id: customerId, profile: json })
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'customer_id']).doUpdateSet({ profile: json, updated_at: new Date() }),
        )
        .execute();
      return profile;
    })
    .then((profile) => {
      typingProfileChanged(db, tenantId, customerId, profile);
      return profile;
    });
}
