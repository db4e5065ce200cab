// Probabilistic resolution on the live path: when a customer appears or learns something new, it is
// compared (Fellegi–Sunter, the tenant's model) with the customers that share one of its blocking
// keys — found in the tenant's in-memory blocking index (live-index.ts, kept by live.ts), never by
// scanning — and then merged above the tenant's upper threshold, suggested for review between the
// thresholds, or left alone.
//
// The decision is taken in memory, with no database round trip, by the identity worker: its index
// (live-state.ts) holds every candidate's prepared record, typing profile and the pairs a person
// separated. The callers on the ingestion path do not wait for it. Writing it (the merge
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
  typingProfileChanged,
} from './live.js';
import { liveKeys, type Matchable } from './live-index.js';
import { toMatchable } from './live-load.js';
import type { Decision } from './live-state.js';
import {
  addSample,
  emptyProfile,
  parseRhythmProfile,
  type RhythmProfile,
  type RhythmSample,
} from './match/index.js';
import { mergeCustomers } from './merge.js';
import { suggestMerge } from './suggestions.js';
import { type TenantMatching, tenantMatching } from './tenant-model.js';

export { liveKeys, type Matchable };

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
 * Queues the writing of a decision the worker took. Suggestions first, then the merge, then the
 * customer's keys: a stop half-way leaves it without keys, so it is matched again.
 */
function queueDecision(
  live: IdentityLive,
  t: TenantLive,
  m: TenantMatching,
  actor: Actor,
  meId: string,
  decision: Decision,
): MatchOutcome {
  const outcome = outcomeOf(decision, Promise.resolve());
  const deps = live.deps;
  const write = async (d: Decision, retry: boolean): Promise<void> => {
    try {
      for (const s of d.suggestions)
        await suggestMerge(deps, actor, {
          customerIds: [meId, s.customerId],
          confidence: s.confidence,
          evidence: s.evidence,
        });
      if (d.merge) {
        const merge = await mergeCustomers(deps, actor, d.merge);
        if (outcome.merged) outcome.merged.mergeId = merge.id;
      }
    } catch (err) {
      if (!d.merge) throw err;
      await live.unpend(t, d.merge.mergedId, meId);
      // The index was ahead of the database (another process merged one of them first): re-read
      // both, and decide once more on what is really there.
      await live.refresh(t.tenantId, [d.merge.survivorId, d.merge.mergedId], false);
      if (!(err instanceof Conflict) || !retry) throw err;
      const next = await live.redecide(t, m, meId);
      if (!next) throw err;
      Object.assign(outcome, outcomeOf(next, outcome.settled));
      if (!next.merge) delete outcome.merged;
      return write(next, false);
    }
    // Its keys say its decision is written (a merged-away customer has none: the merge removed them).
    // The merge itself re-read both customers before this (mergeCustomers → customersChanged): that
    // re-read, stamped after any read that began before the commit, is what keeps a concurrent
    // re-read of the survivor from setting it as it was before the merge.
    const keys = d.merge ? await live.unpend(t, d.merge.mergedId, meId) : d.keys;
    if (d.merge?.mergedId !== meId) live.queueKeys(t.tenantId, meId, keys);
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
  const live = identityLive(deps);
  const outcome = await live.track(decideFor(live, deps, actor, customerId, known));
  if (options.wait) await outcome.settled;
  return outcome;
}

async function decideFor(
  live: IdentityLive,
  deps: StoreDeps,
  actor: Actor,
  customerId: string,
  known: Matchable | undefined,
): Promise<MatchOutcome> {
  const tenantId = actor.tenantId;
  const release = live.hold(tenantId, customerId);
  try {
    const m = await tenantMatching(deps.db, tenantId);
    const customer = known?.id === customerId ? known : await loadMatchable(deps.db, tenantId, customerId);
    if (!customer) return none();
    const t = await live.tenant(tenantId, m.settings);
    const answer = await live.match(t, m, customerId, customer, customer === known);
    if (!answer.decision) {
      if (answer.hadKeys) live.queueKeys(tenantId, customerId, []);
      return none();
    }
    // At once, in the order the worker decided: the tenant's writes follow its decisions.
    return queueDecision(live, t, m, actor, customerId, answer.decision);
  } finally {
    release();
  }
}

/**
 * Starts matching a customer on the ingestion path without waiting for it: the message is committed,
 * and a failure is logged, never thrown (the customer is then matched again at the next load).
 */
export function matchInBackground(
  deps: StoreDeps,
  actor: Actor,
  customerId: string,
  known: Matchable | undefined,
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void },
): void {
  matchCustomer(deps, actor, customerId, known).then(
    (outcome) => {
      if (outcome.merged)
        outcome.settled.then(
          () => log.info({ customerId, merged: outcome.merged }, 'customers merged on a probabilistic match'),
          () => undefined,
        );
    },
    (err: unknown) => log.warn({ err, customerId }, 'identity resolution failed; the message is kept'),
  );
}

/** The load found customers whose decision was never written: decide for them now (system actor). */
registerRecovery(async (deps, t, ids) => {
  const live = identityLive(deps);
  const m = await tenantMatching(deps.db, t.tenantId);
  const actor = systemActor(t.tenantId);
  let last: Promise<void> = Promise.resolve();
  for (const id of ids) {
    const decision = await live.redecide(t, m, id);
    if (decision) last = queueDecision(live, t, m, actor, id, decision).settled.catch(() => undefined);
  }
  await last;
});

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
