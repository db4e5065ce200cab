// The live matcher's state per database and tenant: the in-memory blocking index (live-index.ts,
// held with the decisions taken on it by live-state.ts in the identity worker, live-worker.ts), loaded
// on a tenant's first match and kept fresh by the writes of this process and the bus events of the
// others; the write-behind queue that stores `identity_match_keys` after the fact; and each tenant's
// serial queue of merges and suggestions decided in memory and written just after.
//
// Durability. `identity_match_keys` is the durable index and the record of which customers have had
// their match decision written: the ingestion path writes a new customer's keys only after its merge
// or suggestions are committed (matching.ts), and every other writer of customers (create, update,
// identities, merge, unmerge) re-keys the customers it touched after its commit. So a live customer
// with blocking keys but no `identity_match_keys` row is one whose decision was never written (the
// process stopped between the message's commit and the decision, or before the keys were flushed).
// The load finds them: they are in the index at once (they come from `customers`, not from the keys),
// and a little later (RECOVERY_DELAY_MS, so that work another process or an import still has in
// flight can finish) those still without keys are matched again. Re-matching is harmless when the
// decision had in fact been written: a pair already pending is not suggested twice, a customer
// already merged is no longer live. Keys that merely disagree with the customer's data (an identity
// the customer learnt just before a crash) are rewritten at load, without matching again.
//
// Freshness. In this process every writer updates the index after its commit (awaited, so the next
// match sees it). Other processes' writes arrive as bus events (customer.created, customer.updated,
// customer.identity_added|removed, customer.merged, customer.unmerged, customer.merge_suggestion_rejected)
// and are re-read in batches; the staleness is the outbox relay's delay plus one read (milliseconds;
// at worst the relay's 1 s poll). Typing profiles recorded by another process are not followed (the
// rhythm signal is bounded and subordinate); a settings change rebuilds the tenant's index.
//
// Memory: everything a tenant's live customers need for matching (a few KB each; docs/benchmarks.md
// has the figure), for as long as the process runs, in the identity worker's heap, not the main one.
import { sql } from 'kysely';
import pino from 'pino';
import type { EventBus, Subscription } from '../bus/index.js';
import type { DomainEvent } from '../core/index.js';
import type { Db, StoreDeps } from '../storage/index.js';
import { BlockingIndex, type Matchable, toEntry } from './live-index.js';
import { KeyWriter, take } from './live-keys.js';
import { readCustomers, readTenant } from './live-load.js';
import type { Answers } from './live-protocol.js';
import type { Decision } from './live-state.js';
import { type IdentityWorker, identityWorker } from './live-worker.js';
import type { MatchSettings, RhythmProfile } from './match/index.js';
import { type TenantMatching, tenantMatching } from './tenant-model.js';

/** How many customers matched here a tenant remembers, so that their creation events are not re-read. */
const MATCHED_REMEMBERED = 100_000;
/** How long after a load the customers found without keys are matched again (see above). */
const RECOVERY_DELAY_MS = 10_000;

export interface LiveLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** The settings a prepared record depends on (thresholds do not: a change of them needs no rebuild). */
function preparationKey(s: MatchSettings): string {
  return JSON.stringify([s.defaultRegion, s.gmailDots, s.plusTags, s.identifierTrust]);
}

let spaces = 0;

export class TenantLive {
  settings: MatchSettings | undefined;
  settingsKey = '';
  /** The settings a rebuild in progress is for. */
  reloading: string | undefined;
  loaded = false;
  ready: Promise<void> = Promise.resolve();
  /** Customers matched here since the load (a bounded memory: forgetting one costs a re-read). */
  matched = new Set<string>();
  /** The model and settings the worker last received for this tenant. */
  sent: TenantMatching | undefined;
  /** The tenant's writes of decisions, one at a time, in the order they were decided. */
  tail: Promise<unknown> = Promise.resolve();
  queued = 0;
  /** Customers the load found without keys: their decision was never written (see the top of the file). */
  recover: string[] = [];

  constructor(
    readonly tenantId: string,
    /** The tenant's state in the worker. */
    readonly key: string,
  ) {}
}

type Recoverer = (deps: StoreDeps, t: TenantLive, ids: string[]) => Promise<void>;
let recoverer: Recoverer | undefined;

/** matching.ts hands over how to match a customer again (it owns the decision). */
export function registerRecovery(fn: Recoverer): void {
  recoverer = fn;
}

interface RefreshQueue {
  ids: Map<string, boolean>;
  waiters: { resolve: () => void; reject: (err: unknown) => void }[];
  running: boolean;
}

export class IdentityLive {
  readonly tenants = new Map<string, TenantLive>();
  private readonly space = `s${++spaces}`;
  private readonly worker: IdentityWorker = identityWorker();
  private readonly forgetOnLoss: () => void;
  /** Matches in progress (idle waits for them). */
  private readonly matching = new Set<Promise<unknown>>();
  logger: LiveLogger = pino({ name: 'identity', level: process.env.LOG_LEVEL ?? 'info' });
  private readonly refreshes = new Map<string, RefreshQueue>();
  private readonly holds = new Map<string, number>();
  /** Events this process wrote and already applied to its index: skipped when the bus brings them back. */
  private readonly own = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private subscription: Subscription | undefined;
  closed = false;

  private readonly keyWriter: KeyWriter;

  constructor(
    readonly db: Db,
    public deps: StoreDeps,
  ) {
    this.keyWriter = new KeyWriter(db, (err, customers) =>
      this.logger.warn({ err, customers }, 'identity: writing blocking keys failed; retrying'),
    );
    // The worker's state went with it: every tenant is loaded again on its next match.
    this.forgetOnLoss = this.worker.onLost((err) => {
      if (this.tenants.size > 0)
        this.logger.warn(
          { err },
          'identity: the matching worker stopped; indexes load again on the next match',
        );
      this.tenants.clear();
    });
  }

  // ---- tenants ---------------------------------------------------------------------------------

  /** The tenant's index, loaded on first use and rebuilt when the tenant's matching settings change. */
  async tenant(tenantId: string, settings: MatchSettings): Promise<TenantLive> {
    let t = this.tenants.get(tenantId);
    if (!t) {
      t = new TenantLive(tenantId, `${this.space}:${tenantId}`);
      this.tenants.set(tenantId, t);
      t.ready = this.load(t, settings);
    } else if (t.settings !== settings && t.loaded) {
      const key = preparationKey(settings);
      if (key === t.settingsKey) t.settings = settings;
      else if (t.reloading !== key) {
        // Prepared records depend on the settings (phone region, e-mail rules): rebuild. Until it is
        // done the old index serves the tenant's writes; if the rebuild fails it stays.
        t.reloading = key;
        const live = t;
        t.ready = this.load(t, settings).catch((err: unknown) => {
          live.reloading = undefined;
          this.logger.warn({ err, tenantId }, 'identity: rebuilding the blocking index failed');
        });
      }
    }
    try {
      await t.ready;
    } catch (err) {
      // A failed first load is tried again by the next call.
      if (!t.loaded && this.tenants.get(tenantId) === t) this.tenants.delete(tenantId);
      throw err;
    }
    return t;
  }

  /** One pass over the tenant's live customers (with identities, typing profile and stored keys) and its separated pairs. */
  private async load(t: TenantLive, settings: MatchSettings): Promise<void> {
    // A rebuild waits for the decisions already queued, so what it reads includes them.
    await t.tail;
    try {
      for (let i = 0; i < 20 && this.keyWriter.waiting > 0; i++) await this.flushKeys();
    } catch {
      // The keys stay queued; the load reads the customers themselves anyway.
    }
    const started = Date.now();
    const { size, recover, rekey } = await readTenant(this.db, this.worker, t.key, t.tenantId, settings);
    t.settings = settings;
    t.settingsKey = preparationKey(settings);
    t.reloading = undefined;
    t.matched = new Set();
    t.loaded = true;
    for (const r of rekey) this.queueKeys(t.tenantId, r.id, r.keys);
    t.recover = recover;
    this.logger.info(
      { tenantId: t.tenantId, customers: size, unkeyed: recover.length, ms: Date.now() - started },
      'identity: blocking index loaded',
    );
    if (recover.length > 0) this.later(RECOVERY_DELAY_MS, () => this.recover(t.tenantId));
  }

  private later(ms: number, fn: () => Promise<unknown>): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn().catch((err: unknown) => this.logger.warn({ err }, 'identity: background work failed'));
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  /** Matches again the customers the load found without keys and that still have none (see the top of the file). */
  async recover(tenantId: string): Promise<number> {
    const t = this.tenants.get(tenantId);
    if (!t?.loaded || t.recover.length === 0 || !recoverer || this.closed) return 0;
    const found = t.recover;
    t.recover = [];
    const { rows } = await sql<{ id: string }>`
      SELECT c.id FROM customers c
      WHERE c.tenant_id = ${tenantId} AND c.id = ANY(${found}::uuid[]) AND c.merged_into IS NULL
        AND NOT EXISTS (SELECT 1 FROM identity_match_keys k WHERE k.tenant_id = c.tenant_id AND k.customer_id = c.id)`.execute(
      this.db,
    );
    // Not those a match in this process has seen since the load: their decision is taken.
    const ids = await this.worker.call({
      op: 'unstamped',
      t: t.key,
      ids: rows.map((r) => r.id).filter((id) => !this.held(tenantId, id)),
    });
    if (ids.length === 0) return 0;
    this.logger.info(
      { tenantId, customers: ids.length },
      'identity: matching again customers whose decision was not written',
    );
    await recoverer(this.deps, t, ids);
    return ids.length;
  }

  /** Marks a customer as being matched by a call in progress (the recovery leaves it alone). */
  hold(tenantId: string, customerId: string): () => void {
    const key = `${tenantId}:${customerId}`;
    this.holds.set(key, (this.holds.get(key) ?? 0) + 1);
    return () => {
      const n = (this.holds.get(key) ?? 1) - 1;
      if (n <= 0) this.holds.delete(key);
      else this.holds.set(key, n);
    };
  }

  private held(tenantId: string, customerId: string): boolean {
    return this.holds.has(`${tenantId}:${customerId}`);
  }

  // ---- the index (in the worker) ---------------------------------------------------------------

  /** Sets the customer in the tenant's index and decides for it (live-state.ts `match`). */
  match(
    t: TenantLive,
    m: TenantMatching,
    id: string,
    customer: Matchable,
    known: boolean,
  ): Promise<Answers['match']> {
    if (t.matched.size >= MATCHED_REMEMBERED) t.matched.clear();
    t.matched.add(id);
    return this.worker.call({ op: 'match', t: t.key, ...this.model(t, m), id, customer, known });
  }

  /** Decides again for a customer in the index; null if it is not there (merged away, no keys). */
  redecide(t: TenantLive, m: TenantMatching, id: string): Promise<Decision | null> {
    return this.worker.call({ op: 'redecide', t: t.key, ...this.model(t, m), id });
  }

  /** The model travels only when the worker does not have this one yet. */
  private model(t: TenantLive, m: TenantMatching): { m?: TenantMatching } {
    if (t.sent === m) return {};
    t.sent = m;
    return { m };
  }

  /** A merge is written (or failed): the index stops holding it back. Answers the keys `id` has now. */
  unpend(t: TenantLive, mergedId: string, id: string): Promise<string[]> {
    return this.worker.call({ op: 'unpend', t: t.key, mergedId, keysOf: id });
  }

  /** Tracks a match in progress until it has decided (`idle` waits for it). */
  track<T>(work: Promise<T>): Promise<T> {
    this.matching.add(work);
    const done = () => this.matching.delete(work);
    work.then(done, done);
    return work;
  }

  setProfile(tenantId: string, customerId: string, profile: RhythmProfile): void {
    const t = this.tenants.get(tenantId);
    if (t?.loaded) this.worker.post({ op: 'profile', t: t.key, id: customerId, profile });
  }

  async separate(tenantId: string, a: string, b: string): Promise<void> {
    const t = this.tenants.get(tenantId);
    if (!t) return;
    if (!t.loaded) await t.ready.catch(() => undefined);
    this.worker.post({ op: 'separate', t: t.key, a, b });
  }

  /** A copy of the tenant's index as the worker has it (tests, the benchmark). */
  async snapshot(tenantId: string): Promise<BlockingIndex> {
    const t = this.tenants.get(tenantId);
    const index = new BlockingIndex();
    if (!t) return index;
    await t.ready;
    const { entries, apart } = await this.worker.call({ op: 'snapshot', t: t.key });
    for (const e of entries) index.put(e);
    for (const [a, b] of apart) index.separate(a, b);
    return index;
  }

  // ---- the tenant's decision queue -------------------------------------------------------------

  /** Runs `task` after the tenant's earlier decisions are written; failures are logged here and reach whoever awaits. */
  enqueue(t: TenantLive, task: () => Promise<void>): Promise<void> {
    t.queued++;
    const run = t.tail.then(task);
    t.tail = run.then(
      () => {
        t.queued--;
      },
      () => {
        t.queued--;
      },
    );
    run.catch((err: unknown) =>
      this.logger.warn({ err, tenantId: t.tenantId }, 'identity: writing a match decision failed'),
    );
    return run;
  }

  // ---- re-reading customers --------------------------------------------------------------------

  /**
   * Re-reads customers after a write (in batches) and sets them in the index if the tenant's is
   * loaded here. `keys`: this process wrote them, so it also rewrites their `identity_match_keys`
   * rows (another process's write is re-keyed by that process).
   */
  refresh(tenantId: string, ids: readonly string[], keys: boolean): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    let q = this.refreshes.get(tenantId);
    if (!q) {
      q = { ids: new Map(), waiters: [], running: false };
      this.refreshes.set(tenantId, q);
    }
    for (const id of ids) q.ids.set(id, keys || (q.ids.get(id) ?? false));
    const promise = new Promise<void>((resolve, reject) => q.waiters.push({ resolve, reject }));
    if (!q.running) {
      q.running = true;
      setImmediate(() => void this.drainRefresh(tenantId, q));
    }
    return promise;
  }

  private async drainRefresh(tenantId: string, q: RefreshQueue): Promise<void> {
    while (q.ids.size > 0) {
      const batch = new Map(take(q.ids, 200));
      for (const id of batch.keys()) q.ids.delete(id);
      const waiters = q.ids.size === 0 ? q.waiters.splice(0) : [];
      try {
        await this.reread(tenantId, batch);
        for (const w of waiters) w.resolve();
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
    }
    for (const w of q.waiters.splice(0)) w.resolve();
    q.running = false;
  }

  private async reread(tenantId: string, batch: Map<string, boolean>): Promise<void> {
    let t = this.tenants.get(tenantId);
    if (t && !t.loaded) {
      await t.ready.catch(() => undefined);
      t = this.tenants.get(tenantId);
    }
    const loaded = t?.loaded ? t : undefined;
    const settings = loaded?.settings ?? (await tenantMatching(this.db, tenantId)).settings;
    // Where the index stood when the read began: a customer set after that keeps what it was set to.
    const startSeq = loaded ? await this.worker.call({ op: 'seq', t: loaded.key }) : 0;
    const found = await readCustomers(this.db, tenantId, [...batch.keys()]);
    const items = [...batch].map(([id, rekey]) => ({ id, data: found.get(id) ?? null, rekey }));
    if (loaded && this.tenants.get(tenantId) === loaded) {
      const keys = await this.worker.call({ op: 'apply', t: loaded.key, startSeq, items });
      for (const [id, k] of Object.entries(keys)) this.queueKeys(tenantId, id, k);
    } else {
      for (const { id, data, rekey } of items)
        if (rekey) this.queueKeys(tenantId, id, data ? toEntry(data, settings).keys : []);
    }
  }

  // ---- write-behind of identity_match_keys (live-keys.ts) ----------------------------------------

  queueKeys(tenantId: string, customerId: string, keys: string[]): void {
    if (!this.closed) this.keyWriter.queue(tenantId, customerId, keys);
  }

  flushKeys(): Promise<void> {
    return this.keyWriter.flush();
  }

  // ---- other processes' writes -----------------------------------------------------------------

  async subscribe(bus: EventBus): Promise<void> {
    this.subscription = await bus.subscribe({
      pattern: 'sb.*.customer.>',
      handler: (e) => this.onEvent(e),
    });
  }

  /** An event whose effect the writer applies here itself (after its commit). */
  ownEvent(id: string): void {
    if (this.own.size >= 10_000) this.own.clear(); // events the bus never brought back (a bus without subscribers)
    this.own.add(id);
  }

  private async onEvent(e: DomainEvent): Promise<void> {
    if (this.own.delete(e.id)) return;
    const t = this.tenants.get(e.tenantId);
    if (!t || this.closed) return;
    const p = (e.payload ?? {}) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' ? [v] : []);
    try {
      switch (e.type) {
        case 'customer.created': {
          const id = str(p.id);
          // The match that followed the creation here has already put it in the index.
          if (t.loaded && id[0] && t.matched.has(id[0])) return;
          return await this.refresh(e.tenantId, id, false);
        }
        case 'customer.updated':
          return await this.refresh(e.tenantId, str(p.id), false);
        case 'customer.identity_added':
        case 'customer.identity_removed':
          return await this.refresh(e.tenantId, str(p.customerId), false);
        case 'customer.merged':
          return await this.refresh(e.tenantId, [...str(p.customerId), ...str(p.mergedId)], false);
        case 'customer.unmerged': {
          const [a, b] = [str(p.customerId)[0], str(p.restoredId)[0]];
          if (a && b) await this.separate(e.tenantId, a, b);
          return await this.refresh(e.tenantId, [...str(a), ...str(b)], false);
        }
        case 'customer.merge_suggestion_rejected': {
          const [a, b] = Array.isArray(p.customerIds) ? (p.customerIds as string[]) : [];
          if (a && b) await this.separate(e.tenantId, a, b);
          return;
        }
      }
    } catch (err) {
      this.logger.warn({ err, event: e.type, tenantId: e.tenantId }, 'identity: could not follow an event');
    }
  }

  // ---- idle and close --------------------------------------------------------------------------

  /** Resolves once every queued decision, re-read and key row is written (tests, shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      while (this.matching.size > 0) await Promise.allSettled([...this.matching]);
      for (const t of this.tenants.values()) {
        await t.ready.catch(() => undefined);
        await t.tail;
      }
      for (const q of this.refreshes.values())
        if (q.running)
          await new Promise<void>((resolve) => q.waiters.push({ resolve, reject: () => resolve() }));
      await this.flushKeys().catch(() => undefined);
      const busy =
        this.matching.size > 0 ||
        [...this.tenants.values()].some((t) => t.queued > 0) ||
        [...this.refreshes.values()].some((q) => q.running) ||
        this.keyWriter.busy;
      if (!busy) return;
      if (this.keyWriter.refused) return; // the database refuses them: the next start repairs it
    }
  }

  async close(): Promise<void> {
    await this.subscription?.unsubscribe();
    this.subscription = undefined;
    await this.idle();
    this.closed = true;
    this.forgetOnLoss();
    for (const t of this.tenants.values()) this.worker.post({ op: 'drop', t: t.key });
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.keyWriter.close();
  }
}

const lives = new WeakMap<Db, IdentityLive>();

/** The live state of one database (tests run many apps, each with its own, in one process). */
export function identityLive(deps: StoreDeps): IdentityLive {
  let live = lives.get(deps.db);
  if (!live) {
    live = new IdentityLive(deps.db, deps);
    lives.set(deps.db, live);
  }
  return live;
}

/** After a write that changed customers (their names, attributes, identities, merges): the index and key rows follow. */
export async function customersChanged(
  deps: StoreDeps,
  tenantId: string,
  ids: readonly string[],
): Promise<void> {
  const live = identityLive(deps);
  try {
    await live.refresh(tenantId, ids, true);
  } catch (err) {
    // The write is committed; the next load rewrites the keys from the customers' data.
    live.logger.warn({ err, tenantId, customerIds: ids }, 'identity: could not re-index changed customers');
  }
}

/** Marks an event the writer applies to this process's index itself, so the bus's copy is not re-read. */
export function ownIdentityEvent(deps: StoreDeps, eventId: string): void {
  identityLive(deps).ownEvent(eventId);
}

/** After a person separated two customers (a rejected suggestion, an undone merge). */
export async function customersSeparated(
  deps: StoreDeps,
  tenantId: string,
  a: string,
  b: string,
): Promise<void> {
  await identityLive(deps).separate(tenantId, a, b);
}

export function typingProfileChanged(
  db: Db,
  tenantId: string,
  customerId: string,
  profile: RhythmProfile,
): void {
  lives.get(db)?.setProfile(tenantId, customerId, profile);
}

/** Wires the live index to the app: its logger, and the bus events of other processes. Close it before the outbox. */
export async function startIdentityLive(
  deps: StoreDeps,
  options: { bus?: EventBus; logger?: LiveLogger } = {},
): Promise<{ close(): Promise<void> }> {
  const live = identityLive(deps);
  live.deps = deps;
  if (options.logger) live.logger = options.logger;
  if (options.bus) await live.subscribe(options.bus);
  return { close: () => live.close() };
}

/** Waits until this database's queued match decisions and key rows are written. */
export async function identityIdle(db: Db): Promise<void> {
  await lives.get(db)?.idle();
}

/** The tenant's index in this process, loaded if it was not (the benchmark's warm-up, tests). */
export async function loadIdentityIndex(deps: StoreDeps, tenantId: string): Promise<TenantLive> {
  const { settings } = await tenantMatching(deps.db, tenantId);
  return identityLive(deps).tenant(tenantId, settings);
}

/** Runs now the re-matching a load schedules for customers found without keys; resolves once written. */
export async function recoverIdentityIndex(deps: StoreDeps, tenantId: string): Promise<number> {
  const live = identityLive(deps);
  const n = await live.recover(tenantId);
  await live.idle();
  return n;
}

/** A copy of the tenant's index as this process's worker has it, loaded if it was not (tests, the benchmark). */
export async function identityIndexSnapshot(deps: StoreDeps, tenantId: string): Promise<BlockingIndex> {
  await loadIdentityIndex(deps, tenantId);
  return identityLive(deps).snapshot(tenantId);
}
