// Reading customers as the live matcher needs them: a whole tenant into the identity worker (its load),
// and a few customers again after a write (their freshness).
import { sql } from 'kysely';
import type { Db } from '../storage/index.js';
import type { Matchable } from './live-index.js';
import type { IdentityWorker } from './live-worker.js';
import { type MatchSettings, parseRhythmProfile } from './match/index.js';

/** Customers read per statement when loading a tenant. */
const LOAD_PAGE = 5_000;
/** Customers per request to the worker while loading (each request holds the worker for its length). */
const LOAD_CHUNK = 500;

interface MatchableRow {
  id: string;
  display_name: string;
  attributes: Record<string, unknown> | string;
  created_at: string | Date;
  identities: { kind: string; value: string }[] | string;
  profile: unknown;
}

const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

export function toMatchable(r: MatchableRow): Matchable {
  return {
    id: r.id,
    displayName: r.display_name,
    attributes: json(r.attributes) ?? {},
    identities: json(r.identities) ?? [],
    createdAt: new Date(r.created_at).toISOString(),
    profile: parseRhythmProfile(json(r.profile as string)),
  };
}

/**
 * One pass over the tenant's live customers (with identities, typing profile and stored keys) and its
 * separated pairs, into the worker's state `key` (it replaces the index there when complete). Says which
 * customers have no key rows (their decision was never written) and which have key rows that disagree.
 */
export async function readTenant(
  db: Db,
  worker: IdentityWorker,
  key: string,
  tenantId: string,
  settings: MatchSettings,
): Promise<{ size: number; recover: string[]; rekey: { id: string; keys: string[] }[] }> {
  const recover: string[] = [];
  const rekey: { id: string; keys: string[] }[] = [];
  await worker.call({ op: 'loadStart', t: key, settings });
  let cursor = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await sql<MatchableRow & { stored: string[] | string | null }>`
      SELECT c.id, c.display_name, c.attributes, c.created_at,
        (SELECT coalesce(json_agg(json_build_object('kind', i.kind, 'value', i.value) ORDER BY i.id), '[]'::json)
           FROM identities i WHERE i.tenant_id = c.tenant_id AND i.customer_id = c.id) AS identities,
        (SELECT p.profile FROM typing_profiles p WHERE p.tenant_id = c.tenant_id AND p.customer_id = c.id) AS profile,
        (SELECT json_agg(k.key) FROM identity_match_keys k WHERE k.tenant_id = c.tenant_id AND k.customer_id = c.id) AS stored
      FROM customers c
      WHERE c.tenant_id = ${tenantId} AND c.merged_into IS NULL AND c.id > ${cursor}::uuid
      ORDER BY c.id
      LIMIT ${LOAD_PAGE}`.execute(db);
    for (let k = 0; k < rows.length; k += LOAD_CHUNK) {
      const page = await worker.call({
        op: 'loadPage',
        t: key,
        rows: rows
          .slice(k, k + LOAD_CHUNK)
          .map((row) => ({ customer: toMatchable(row), stored: json(row.stored) ?? [] })),
      });
      recover.push(...page.recover);
      rekey.push(...page.rekey);
    }
    if (rows.length < LOAD_PAGE) break;
    cursor = rows.at(-1)!.id;
  }
  const { rows: apart } = await sql<{ a: string; b: string }>`
    SELECT customer_a AS a, customer_b AS b FROM merge_suggestions WHERE tenant_id = ${tenantId} AND status = 'rejected'
    UNION
    SELECT survivor_id, merged_id FROM customer_merges WHERE tenant_id = ${tenantId} AND status = 'undone'`.execute(
    db,
  );
  // Key rows of customers merged away (written before merges removed them) find nobody any more.
  await sql`
    DELETE FROM identity_match_keys k USING customers c
    WHERE k.tenant_id = ${tenantId} AND c.tenant_id = k.tenant_id AND c.id = k.customer_id
      AND c.merged_into IS NOT NULL`.execute(db);
  const size = await worker.call({ op: 'loadEnd', t: key, apart: apart.map((p) => [p.a, p.b]) });
  return { size, recover, rekey };
}

/** These customers as they are now: absent from the map when gone (deleted or merged away). */
export async function readCustomers(
  db: Db,
  tenantId: string,
  ids: string[],
): Promise<Map<string, Matchable>> {
  const { rows } = await sql<MatchableRow & { merged_into: string | null }>`
    SELECT c.id, c.display_name, c.attributes, c.created_at, c.merged_into,
      (SELECT coalesce(json_agg(json_build_object('kind', i.kind, 'value', i.value) ORDER BY i.id), '[]'::json)
         FROM identities i WHERE i.tenant_id = c.tenant_id AND i.customer_id = c.id) AS identities,
      (SELECT p.profile FROM typing_profiles p WHERE p.tenant_id = c.tenant_id AND p.customer_id = c.id) AS profile
    FROM customers c
    WHERE c.tenant_id = ${tenantId} AND c.id = ANY(${ids}::uuid[])`.execute(db);
  return new Map(rows.filter((r) => !r.merged_into).map((r) => [r.id, toMatchable(r)]));
}
