// Probabilistic resolution on the live path: when a customer appears or learns something new, it is
// compared (Fellegi–Sunter, the tenant's model) with the customers that share one of its blocking
// keys — found through the `identity_match_keys` index, never by scanning — and then merged above
// the tenant's upper threshold, suggested for review between the thresholds, or left alone.
import { sql } from 'kysely';
import type { Actor } from '../core/index.js';
import type { Db, StoreDeps } from '../storage/index.js';
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
import { prepareCustomer, prepareCustomerCached } from './prepare-customer.js';
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

interface MatchableRow {
  id: string;
  display_name: string;
  attributes: Record<string, unknown> | string;
  created_at: string | Date;
  identities: { kind: string; value: string }[] | string;
  profile: unknown;
}

const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

function toMatchable(r: MatchableRow): Matchable {
  return {
    id: r.id,
    displayName: r.display_name,
    attributes: json(r.attributes) ?? {},
    identities: json(r.identities) ?? [],
    createdAt: new Date(r.created_at).toISOString(),
    profile: parseRhythmProfile(json(r.profile as string)),
  };
}

/** Statement 1: the customer, its identities and typing profile, unless it was merged away. */
async function loadMatchable(db: Db, tenantId: string, customerId: string): Promise<Matchable | undefined> {
  const { rows } = await sql<MatchableRow>`
    SELECT c.id, c.display_name, c.attributes, c.created_at,
      (SELECT coalesce(json_agg(json_build_object('kind', i.kind, 'value', i.value)), '[]'::json)
         FROM identities i WHERE i.tenant_id = c.tenant_id AND i.customer_id = c.id) AS identities,
      (SELECT p.profile FROM typing_profiles p WHERE p.tenant_id = c.tenant_id AND p.customer_id = c.id) AS profile
    FROM customers c
    WHERE c.tenant_id = ${tenantId} AND c.id = ${customerId} AND c.merged_into IS NULL`.execute(db);
  return rows[0] ? toMatchable(rows[0]) : undefined;
}

/**
 * Statement 2, the ingestion path's only other read: rewrite the customer's blocking keys, count
 * each key's block, and return the candidates (customers sharing a key of a block small enough to
 * compare, most shared keys first) with their identities, typing profiles and whether a person
 * already decided the pair (a rejected suggestion, an undone merge). Data-modifying CTEs run once
 * whatever the query reads; the reads see the keys as they were before this statement.
 */
async function indexAndFindCandidates(db: Db, tenantId: string, customerId: string, keys: string[]) {
  const { rows } = await sql<{ sizes: Record<string, number> | string | null; candidates: unknown }>`
    WITH gone AS (
      DELETE FROM identity_match_keys
      WHERE tenant_id = ${tenantId} AND customer_id = ${customerId} AND NOT (key = ANY(${keys}::text[]))
    ), added AS (
      INSERT INTO identity_match_keys (tenant_id, key, customer_id)
      SELECT ${tenantId}, k, ${customerId} FROM unnest(${keys}::text[]) AS k
      ON CONFLICT DO NOTHING
    ), sizes AS (
      SELECT key, count(*)::int AS n FROM identity_match_keys
      WHERE tenant_id = ${tenantId} AND key = ANY(${keys}::text[]) AND customer_id <> ${customerId}
      GROUP BY key
    ), shared AS (
      SELECT k.customer_id, count(*) AS shared FROM sizes s
      JOIN identity_match_keys k ON k.tenant_id = ${tenantId} AND k.key = s.key
      WHERE s.n <= ${MAX_BLOCK} AND k.customer_id <> ${customerId}
      GROUP BY k.customer_id
      ORDER BY shared DESC, k.customer_id
      LIMIT ${MAX_CANDIDATES}
    )
    SELECT
      (SELECT json_object_agg(key, n) FROM sizes) AS sizes,
      (SELECT coalesce(json_agg(json_build_object(
          'id', c.id, 'display_name', c.display_name, 'attributes', c.attributes, 'created_at', c.created_at,
          'identities', (SELECT coalesce(json_agg(json_build_object('kind', i.kind, 'value', i.value)), '[]'::json)
                           FROM identities i WHERE i.tenant_id = c.tenant_id AND i.customer_id = c.id),
          'profile', (SELECT p.profile FROM typing_profiles p WHERE p.tenant_id = c.tenant_id AND p.customer_id = c.id),
          'apart', EXISTS (
              SELECT 1 FROM merge_suggestions ms
              WHERE ms.tenant_id = c.tenant_id AND ms.status = 'rejected'
                AND ms.customer_a = least(c.id, ${customerId}::uuid) AND ms.customer_b = greatest(c.id, ${customerId}::uuid))
            OR EXISTS (
              SELECT 1 FROM customer_merges cm
              WHERE cm.tenant_id = c.tenant_id AND cm.status = 'undone'
                AND ((cm.survivor_id = c.id AND cm.merged_id = ${customerId}) OR (cm.merged_id = c.id AND cm.survivor_id = ${customerId})))
        )), '[]'::json)
        FROM shared s JOIN customers c ON c.tenant_id = ${tenantId} AND c.id = s.customer_id AND c.merged_into IS NULL
      ) AS candidates`.execute(db);
  const row = rows[0];
  const sizes = new Map(Object.entries(json(row?.sizes ?? {}) ?? {}).map(([k, n]) => [k, Number(n)]));
  const raw = json((row?.candidates ?? []) as (MatchableRow & { apart: boolean })[] | string);
  const candidates = raw.map((r) => ({ ...toMatchable(r), apart: r.apart }));
  return { sizes, candidates };
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
  /** The customer as the caller just wrote it (a new customer at ingestion): saves reading it back. */
  known?: Matchable,
): Promise<MatchOutcome> {
  const tenantId = actor.tenantId;
  const m = await tenantMatching(deps.db, tenantId);
  const customer = known?.id === customerId ? known : await loadMatchable(deps.db, tenantId, customerId);
  if (!customer) return { candidates: 0, suggested: [] };
  const me = prepareCustomer(customer, m.settings);
  // An identifier only one customer can have (a device, an openid) never meets another customer's
  // key; a customer with nothing else to compare costs no statement at all.
  const keys = liveKeys(me);
  if (keys.length === 0 && known) return { candidates: 0, suggested: [] };
  const { sizes, candidates } = await indexAndFindCandidates(deps.db, tenantId, customerId, keys);
  const outcome: MatchOutcome = { candidates: candidates.length, suggested: [] };
  if (candidates.length === 0) return outcome;

  const scorer = new Scorer(m.model, {
    // The block counts others; this customer bears the name too.
    count: (anagram) => (sizes.get(`n:${anagram}`) ?? 0) + 1,
    named: m.model.named,
    collision: m.model.collision,
  });
  const prepared = new Map(candidates.map((c) => [c.id, prepareCustomerCached(c, m.settings)]));
  const scored: Candidate[] = candidates
    .filter((o) => !o.apart)
    .map((o) => ({
      id: o.id,
      createdAt: o.createdAt,
      ...score(m, scorer, me, prepared.get(o.id)!, { mine: customer.profile, theirs: o.profile }),
    }))
    .filter((c) => c.posterior >= m.settings.lower)
    .sort((a, b) => b.total - a.total || (a.id < b.id ? -1 : 1));

  const best = scored[0];
  // Two candidates above `upper` with clearly different names (a shared household line): nobody decides for them.
  const ambiguous =
    scored.length > 1 &&
    scored[1]!.posterior >= m.settings.upper &&
    !customer.displayName.trim() &&
    namesConflict(prepared.get(scored[0]!.id)!.name, prepared.get(scored[1]!.id)!.name);
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
): Promise<RhythmProfile> {
  return db.transaction().execute(async (trx) => {
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
  });
}
