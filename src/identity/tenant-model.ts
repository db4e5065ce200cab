// A tenant's matching configuration as the live path uses it: the settings (thresholds, region,
// identifier trust) from `tenants.settings.identity`, and the Fellegi–Sunter model estimated by EM
// on the tenant's own customers (`identity_models`), with priors until the first training.
import { type Actor, Conflict } from '../core/index.js';
import { auditBy } from '../security/index.js';
import type { Db, StoreDeps } from '../storage/index.js';
import { loadCustomers } from './customers.js';
import { liveKeys } from './live-index.js';
import {
  blockPairs,
  DEFAULT_SETTINGS,
  FIELDS,
  initialM,
  type MatchSettings,
  type MixtureModel,
  nameStatsOf,
  type Prepared,
  parseMatchSettings,
  trainModel,
} from './match/index.js';
import type { IdentifierOptions } from './normalize/index.js';
import { prepareCustomer } from './prepare-customer.js';

/** The model as stored: the mixture plus the name statistics the frequency adjustment needs. */
export interface StoredModel extends MixtureModel {
  named: number;
  collision: number;
  /** The comparison levels the model was fitted on; a model of other levels is not used. */
  levels: string[][];
}

export interface TenantMatching {
  settings: MatchSettings;
  model: StoredModel;
  trained: { at: string; records: number } | null;
}

/**
 * Before any training: m from the priors, u from the field priors, and a prior that two customers
 * who share a blocking key are one person of 1 in 10,000.
 */
export function priorModel(): StoredModel {
  return {
    m: initialM(),
    u: FIELDS.map((f) => [...f.u0]),
    lambda: 1e-4,
    iterations: 0,
    converged: true,
    named: 0,
    collision: 0,
    levels: FIELDS.map((f) => [...f.levels]),
  };
}

function levelsMatch(model: StoredModel): boolean {
  return (
    Array.isArray(model.levels) &&
    model.levels.length === FIELDS.length &&
    FIELDS.every((f, k) => model.levels[k]?.join() === f.levels.join())
  );
}

/** How the tenant spells identifiers: its phone region and e-mail rules (cached with the settings). */
export async function identifierOptionsOf(db: Db, tenantId: string): Promise<IdentifierOptions> {
  const { settings } = await tenantMatching(db, tenantId);
  return { region: settings.defaultRegion, gmailDots: settings.gmailDots, plusTags: settings.plusTags };
}

/** Settings from `tenants.settings`: `identity` holds the matcher's own; `defaultRegion` is shared with extraction. */
export function settingsOf(tenantSettings: Record<string, unknown>): MatchSettings {
  const own = tenantSettings.identity;
  const region = tenantSettings.defaultRegion;
  try {
    const base = own && typeof own === 'object' ? (own as Record<string, unknown>) : {};
    return parseMatchSettings({
      ...(typeof region === 'string' && !('defaultRegion' in base) && { defaultRegion: region }),
      ...base,
    });
  } catch {
    // Settings are validated when written; a row edited by hand must not stop ingestion.
    return DEFAULT_SETTINGS;
  }
}

const TTL_MS = 30_000;
interface Cached {
  at: number;
  value: TenantMatching;
  refreshing?: boolean;
}
const caches = new WeakMap<Db, Map<string, Cached>>();

export function forgetTenantMatching(db: Db, tenantId: string): void {
  caches.get(db)?.delete(tenantId);
}

async function readTenantMatching(db: Db, tenantId: string): Promise<TenantMatching> {
  const [tenant, stored] = await Promise.all([
    db.selectFrom('tenants').select('settings').where('id', '=', tenantId).executeTakeFirst(),
    db.selectFrom('identity_models').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst(),
  ]);
  const model = stored?.model as unknown as StoredModel | undefined;
  const usable = model !== undefined && levelsMatch(model);
  return {
    settings: settingsOf(tenant?.settings ?? {}),
    model: usable ? model : priorModel(),
    trained:
      usable && stored ? { at: new Date(stored.trained_at).toISOString(), records: stored.records } : null,
  };
}

/**
 * Settings and model change rarely: read them at most every 30 s per tenant. An expired entry is
 * still answered at once and re-read behind it, so the ingestion path never waits for this read;
 * a change made through this process (`forgetTenantMatching`) is read before the next use.
 */
export async function tenantMatching(db: Db, tenantId: string): Promise<TenantMatching> {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  const hit = cache.get(tenantId);
  if (hit) {
    if (Date.now() - hit.at >= TTL_MS && !hit.refreshing) {
      hit.refreshing = true;
      const store = cache;
      readTenantMatching(db, tenantId).then(
        (value) => {
          // Unless it was forgotten meanwhile (a change): then this read may be the older one.
          if (store.get(tenantId) === hit) store.set(tenantId, { at: Date.now(), value });
        },
        () => {
          hit.refreshing = false;
        },
      );
    }
    return hit.value;
  }
  const value = await readTenantMatching(db, tenantId);
  cache.set(tenantId, { at: Date.now(), value });
  return value;
}

export interface TrainingReport {
  records: number;
  candidatePairs: number;
  lambda: number;
  iterations: number;
  converged: boolean;
  keys: number;
}

const PAGE = 5_000;
/** EM on fewer customers fits noise (two records make a prior of one half); the priors serve until then. */
export const MIN_TRAINING_RECORDS = 100;
/** However the estimate comes out, two customers sharing a blocking key are not presumed one person. */
const MAX_LAMBDA = 0.01;

/**
 * Estimates the tenant's model from all its live customers and rewrites every customer's blocking
 * keys (so customers from before the index existed, or from an import, become candidates).
 */
export async function trainIdentityModel(deps: StoreDeps, actor: Actor): Promise<TrainingReport> {
  const tenantId = actor.tenantId;
  const { settings } = await tenantMatching(deps.db, tenantId);
  const records: Prepared[] = [];
  let cursor: string | undefined;
  for (;;) {
    const rows = await deps.db
      .selectFrom('customers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('merged_into', 'is', null)
      .$if(cursor !== undefined, (q) => q.where('id', '>', cursor as string))
      .orderBy('id')
      .limit(PAGE)
      .execute();
    if (rows.length === 0) break;
    for (const c of await loadCustomers(deps.db, tenantId, rows)) records.push(prepareCustomer(c, settings));
    cursor = rows.at(-1)!.id;
  }
  const n = records.length;
  if (n < MIN_TRAINING_RECORDS)
    throw new Conflict(
      `the model needs at least ${MIN_TRAINING_RECORDS} customers to learn from; this tenant has ${n}, so the prior weights stay in use`,
    );
  const { pairs } = blockPairs(records, { maxBlockSize: 200, linkOnly: false });
  const fitted = trainModel(records, pairs, (n * (n - 1)) / 2, {
    seed: 0x5eed,
    uSamplePairs: 20_000,
    linkOnly: false,
    maxIterations: 200,
    tolerance: 1e-6,
  });
  const names = nameStatsOf(records);
  const model: StoredModel = {
    ...fitted,
    lambda: Math.min(MAX_LAMBDA, fitted.lambda),
    named: names.named,
    collision: names.collision,
    levels: FIELDS.map((f) => [...f.levels]),
  };
  let keys = 0;
  await deps.outbox.transact(async ({ trx }) => {
    await trx
      .insertInto('identity_models')
      .values({ tenant_id: tenantId, model: JSON.stringify(model), records: n })
      .onConflict((oc) =>
        oc
          .column('tenant_id')
          .doUpdateSet({ model: JSON.stringify(model), records: n, trained_at: new Date() }),
      )
      .execute();
    await trx.deleteFrom('identity_match_keys').where('tenant_id', '=', tenantId).execute();
    for (let k = 0; k < records.length; k += 500) {
      const rows = records
        .slice(k, k + 500)
        .flatMap((r) => liveKeys(r).map((key) => ({ tenant_id: tenantId, key, customer_id: r.id })));
      keys += rows.length;
      if (rows.length) await trx.insertInto('identity_match_keys').values(rows).execute();
    }
    await auditBy(trx, actor, 'identity.model_trained', 'tenant', tenantId, {
      records: n,
      candidatePairs: pairs.length,
      lambda: fitted.lambda,
    });
  });
  forgetTenantMatching(deps.db, tenantId);
  return {
    records: n,
    candidatePairs: pairs.length,
    lambda: model.lambda,
    iterations: fitted.iterations,
    converged: fitted.converged,
    keys,
  };
}

/** Stores the tenant's matching settings (validated: unknown keys and bad values are refused). */
export async function updateMatchSettings(
  deps: StoreDeps,
  actor: Actor,
  raw: unknown,
): Promise<MatchSettings> {
  const settings = parseMatchSettings(raw);
  await deps.outbox.transact(async ({ trx }) => {
    const row = await trx
      .selectFrom('tenants')
      .select('settings')
      .where('id', '=', actor.tenantId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('tenants')
      .set({ settings: JSON.stringify({ ...row.settings, identity: raw }) })
      .where('id', '=', actor.tenantId)
      .execute();
    await auditBy(trx, actor, 'identity.settings_changed', 'tenant', actor.tenantId, {
      settings: raw as object,
    });
  });
  forgetTenantMatching(deps.db, actor.tenantId);
  return settings;
}
