// Probabilistic resolution on the live path: when a customer appears or learns something new, it is
// compared (Fellegi–Sunter, the tenant's model) with the customers that share one of its blocking
// keys — found through the `identity_match_keys` index, never by scanning — and then merged above
// the tenant's upper threshold, suggested for review between the thresholds, or left alone.
import type { Actor } from '../core/index.js';
import type { Db, StoreDeps } from '../storage/index.js';
import { loadCustomer, loadCustomers } from './customers.js';
import {
  addSample,
  blockingKeys,
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
import { mergeCustomers } from './merge.js';
import { prepareCustomer } from './prepare-customer.js';
import { suggestMerge } from './suggestions.js';
import { type TenantMatching, tenantMatching } from './tenant-model.js';

/** A key shared by more customers than this says too little to compare them all (as in the batch engine). */
const MAX_BLOCK = 200;
/** Candidates scored per run, those sharing the most keys first. */
const MAX_CANDIDATES = 50;
/** Fields that may overcome clearly different names: neither the name itself nor a phone a household shares. */
const OVERRIDE_SKIPS = ['name', 'phone'];

export interface MatchOutcome {
  candidates: number;
  merged?: { survivorId: string; mergedId: string; mergeId: string; confidence: number };
  suggested: { customerId: string; confidence: number }[];
}

/** Replaces the customer's blocking keys. */
async function indexKeys(db: Db, tenantId: string, customerId: string, keys: string[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    let del = trx
      .deleteFrom('identity_match_keys')
      .where('tenant_id', '=', tenantId)
      .where('customer_id', '=', customerId);
    if (keys.length) del = del.where('key', 'not in', keys);
    await del.execute();
    if (keys.length)
      await trx
        .insertInto('identity_match_keys')
        .values(keys.map((key) => ({ tenant_id: tenantId, key, customer_id: customerId })))
        .onConflict((oc) => oc.doNothing())
        .execute();
  });
}

/** Customers sharing a usable key, most shared keys first, and how many customers bear each name key. */
async function candidatesFor(db: Db, tenantId: string, customerId: string, keys: string[]) {
  if (keys.length === 0) return { ids: [], counts: new Map<string, number>() };
  const sizes = await db
    .selectFrom('identity_match_keys')
    .select(['key', db.fn.countAll<string>().as('n')])
    .where('tenant_id', '=', tenantId)
    .where('key', 'in', keys)
    .groupBy('key')
    .execute();
  const counts = new Map(sizes.map((s) => [s.key, Number(s.n)]));
  const usable = sizes.filter((s) => Number(s.n) > 1 && Number(s.n) <= MAX_BLOCK).map((s) => s.key);
  if (usable.length === 0) return { ids: [], counts };
  const rows = await db
    .selectFrom('identity_match_keys')
    .select('customer_id')
    .where('tenant_id', '=', tenantId)
    .where('key', 'in', usable)
    .where('customer_id', '<>', customerId)
    .execute();
  const shared = new Map<string, number>();
  for (const r of rows) shared.set(r.customer_id, (shared.get(r.customer_id) ?? 0) + 1);
  const ids = [...shared.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_CANDIDATES)
    .map(([id]) => id);
  return { ids, counts };
}

/** Pairs a person already decided (a rejected suggestion, an undone merge) are never proposed again. */
async function decidedApart(db: Db, tenantId: string, me: string, others: string[]): Promise<Set<string>> {
  if (others.length === 0) return new Set();
  const [rejected, undone] = await Promise.all([
    db
      .selectFrom('merge_suggestions')
      .select(['customer_a', 'customer_b'])
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'rejected')
      .where((eb) =>
        eb.or([
          eb.and([eb('customer_a', '=', me), eb('customer_b', 'in', others)]),
          eb.and([eb('customer_b', '=', me), eb('customer_a', 'in', others)]),
        ]),
      )
      .execute(),
    db
      .selectFrom('customer_merges')
      .select(['survivor_id', 'merged_id'])
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'undone')
      .where((eb) =>
        eb.or([
          eb.and([eb('survivor_id', '=', me), eb('merged_id', 'in', others)]),
          eb.and([eb('merged_id', '=', me), eb('survivor_id', 'in', others)]),
        ]),
      )
      .execute(),
  ]);
  const apart = new Set<string>();
  for (const r of rejected) apart.add(r.customer_a === me ? r.customer_b : r.customer_a);
  for (const r of undone) apart.add(r.survivor_id === me ? r.merged_id : r.survivor_id);
  return apart;
}

async function rhythmProfiles(db: Db, tenantId: string, ids: string[]): Promise<Map<string, RhythmProfile>> {
  const rows = await db
    .selectFrom('typing_profiles')
    .select(['customer_id', 'profile'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', 'in', ids)
    .execute();
  const out = new Map<string, RhythmProfile>();
  for (const r of rows) {
    const p = parseRhythmProfile(r.profile);
    if (p) out.set(r.customer_id, p);
  }
  return out;
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

/**
 * Compares one customer with its candidates and acts on the best: merge (the older customer
 * survives, so the record agents know keeps its id) at or above `upper` unless names clearly
 * conflict; a review suggestion for each candidate between `lower` and `upper` (or vetoed).
 */
export async function matchCustomer(
  deps: StoreDeps,
  actor: Actor,
  customerId: string,
): Promise<MatchOutcome> {
  const tenantId = actor.tenantId;
  const m = await tenantMatching(deps.db, tenantId);
  const customer = await loadCustomer(deps.db, tenantId, customerId);
  if (customer.mergedInto) return { candidates: 0, suggested: [] };
  const me = prepareCustomer(customer, m.settings);
  const keys = blockingKeys(me);
  await indexKeys(deps.db, tenantId, customerId, keys);
  const { ids, counts } = await candidatesFor(deps.db, tenantId, customerId, keys);
  const outcome: MatchOutcome = { candidates: ids.length, suggested: [] };
  if (ids.length === 0) return outcome;

  const rows = await deps.db
    .selectFrom('customers')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .where('merged_into', 'is', null)
    .execute();
  const [others, apart, profiles] = await Promise.all([
    loadCustomers(deps.db, tenantId, rows),
    decidedApart(deps.db, tenantId, customerId, ids),
    rhythmProfiles(deps.db, tenantId, [customerId, ...ids]),
  ]);
  const scorer = new Scorer(m.model, {
    count: (anagram) => counts.get(`n:${anagram}`) ?? 1,
    named: m.model.named,
    collision: m.model.collision,
  });
  const scored: Candidate[] = others
    .filter((o) => !apart.has(o.id))
    .map((o) => ({
      id: o.id,
      createdAt: o.createdAt,
      ...score(m, scorer, me, prepareCustomer(o, m.settings), {
        mine: profiles.get(customerId),
        theirs: profiles.get(o.id),
      }),
    }))
    .filter((c) => c.posterior >= m.settings.lower)
    .sort((a, b) => b.total - a.total || (a.id < b.id ? -1 : 1));

  const best = scored[0];
  // Two candidates above `upper` with clearly different names (a shared household line): nobody decides for them.
  const ambiguous =
    scored.length > 1 &&
    scored[1]!.posterior >= m.settings.upper &&
    !customer.displayName.trim() &&
    namesConflict(
      prepareCustomer(others.find((o) => o.id === scored[0]!.id)!, m.settings).name,
      prepareCustomer(others.find((o) => o.id === scored[1]!.id)!, m.settings).name,
    );
  for (const c of scored) {
    const evidence = {
      source: 'probabilistic' as const,
      fields: c.evidence.map((e) => ({ field: e.field, level: e.level, weight: round(e.weight) })),
      total: round(c.total),
      note: m.trained
        ? 'Fellegi–Sunter with the tenant model'
        : 'Fellegi–Sunter with prior weights (no model trained yet)',
    };
    if (c === best && c.posterior >= m.settings.upper && !c.vetoed && !ambiguous) {
      const [survivor, merged] = c.createdAt <= customer.createdAt ? [c.id, customerId] : [customerId, c.id];
      const merge = await mergeCustomers(deps, actor, {
        survivorId: survivor,
        mergedId: merged,
        confidence: c.posterior,
        evidence,
      });
      outcome.merged = { survivorId: survivor, mergedId: merged, mergeId: merge.id, confidence: c.posterior };
      continue;
    }
    await suggestMerge(deps, actor, { customerIds: [customerId, c.id], confidence: c.posterior, evidence });
    outcome.suggested.push({ customerId: c.id, confidence: c.posterior });
  }
  return outcome;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Folds a message's typing timings into the customer's rhythm profile. */
export async function recordTypingRhythm(
  db: Db,
  tenantId: string,
  customerId: string,
  sample: RhythmSample,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
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
  });
}
