// The ACD live: one engine per tenant in memory, driven by the API and the event bus, with every
// decision written to the database (persist.ts) before the call that caused it returns. Timers fire
// at the engine's next deadline (offer timeouts, overflow, wrap-up). Exactly one process runs the
// engines: on PostgreSQL the holder of an advisory lock (per schema), the others stand by and take
// over by rebuilding from the database; PGlite has one process by construction.
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { EventBus } from '../bus/index.js';
import { Conflict, Forbidden, InvalidInput, NotFound, newId, Unavailable } from '../core/index.js';
import type { Db, StoreDeps, UnitOfWork } from '../storage/index.js';
import {
  type Clock,
  type RoutingEngine,
  type RoutingEvent,
  type RuleSet,
  restoreRoutingEngine,
} from './engine/index.js';
import { liveStatsOf } from './live-stats.js';
import { engineOptionsOf, loadAgents, loadQueues, loadSnapshot } from './load.js';
import { persistDecisions } from './persist.js';

export interface RoutingLiveDeps extends StoreDeps {
  logger: Logger;
  kind: 'pglite' | 'postgres';
  /** Live statistics go straight to the bus (not the event log): wallboards subscribe to `routing.stats`. */
  bus?: EventBus | undefined;
  clock?: Clock | undefined;
  /** How often statistics are published for tenants with something going on. Default 2 s. */
  statsEveryMs?: number | undefined;
}

interface TenantRouter {
  tenantId: string;
  engine: RoutingEngine;
  buffer: RoutingEvent[];
  queue: Promise<unknown>;
  timer: NodeJS.Timeout | undefined;
  /** Something was decided since statistics were last published. */
  changed: boolean;
  /** Calls run in memory whose decisions wait for the transaction after the one being written. */
  group: WriteGroup | undefined;
  /** The transaction being written. */
  writing: Promise<void> | undefined;
  /** A write failed: this engine is dropped, and calls still queued on it are refused. */
  failed: Error | undefined;
}

/** Calls whose decisions are written in one transaction (group commit); each learns the outcome. */
interface WriteGroup {
  members: { events: RoutingEvent[]; also: ((uow: UnitOfWork) => Promise<void>) | undefined }[];
  done: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** At most this many calls share one transaction. */
const MAX_GROUP = 100;

const SYSTEM_CLOCK: Clock = { now: () => Date.now() };
const STANDBY_POLL_MS = 2000;

export class RoutingLive {
  private readonly routers = new Map<string, Promise<TenantRouter>>();
  private statsTimer: NodeJS.Timeout | undefined;
  private leader = false;
  private closed = false;
  private release: (() => void) | undefined;
  private lease: Promise<void> | undefined;
  readonly clock: Clock;

  constructor(private readonly deps: RoutingLiveDeps) {
    this.clock = deps.clock ?? SYSTEM_CLOCK;
  }

  get db(): Db {
    return this.deps.db;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  /** PGlite: lead at once. PostgreSQL: lead when the lock is ours; until then, stand by and retry. */
  async start(): Promise<void> {
    if (this.deps.bus) {
      this.statsTimer = setInterval(() => {
        this.publishStats().catch((err: unknown) =>
          this.deps.logger.warn({ err }, 'routing: statistics not published'),
        );
      }, this.deps.statsEveryMs ?? 2000);
      this.statsTimer.unref();
    }
    if (this.deps.kind === 'pglite') {
      this.leader = true;
      await this.resumeAll();
      return;
    }
    const acquired = new Promise<void>((resolve) => {
      this.lease = this.holdLease(resolve).catch((err: unknown) =>
        this.deps.logger.error({ err }, 'routing leadership lease failed'),
      );
      // A standby must not hold up startup.
      setTimeout(resolve, 500).unref();
    });
    await acquired;
  }

  private async holdLease(acquired: () => void): Promise<void> {
    await this.deps.db.connection().execute(async (conn) => {
      const key = sql`hashtext(current_schema() || ':switchboard-acd')`;
      while (!this.closed) {
        const { rows } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(${key}) AS ok`.execute(conn);
        if (rows[0]?.ok) {
          this.leader = true;
          this.deps.logger.info('this process now runs the routing engine');
          await this.resumeAll();
          acquired();
          await new Promise<void>((resolve) => {
            this.release = resolve;
            if (this.closed) resolve();
          });
          await sql`SELECT pg_advisory_unlock(${key})`.execute(conn);
          return;
        }
        await new Promise((r) => setTimeout(r, STANDBY_POLL_MS));
      }
    });
  }

  /** Rebuilds the engines of tenants with live work, so their timers run again after a restart. */
  private async resumeAll(): Promise<void> {
    const rows = await this.deps.db
      .selectFrom('routing_tasks')
      .select('tenant_id')
      .where('status', 'in', ['waiting', 'reserved', 'assigned', 'wrapping'])
      .union(this.deps.db.selectFrom('routing_agents').select('tenant_id').where('presence', '<>', 'offline'))
      .execute();
    for (const r of rows) await this.router(r.tenant_id);
  }

  /**
   * Statistics for every tenant whose engine decided something since the last round, or that has
   * work waiting (its longest wait grows by itself): one `routing.stats` event each, bus only.
   */
  async publishStats(): Promise<void> {
    const bus = this.deps.bus;
    if (!bus || !this.leader) return;
    for (const p of this.routers.values()) {
      const t = await p.catch(() => undefined);
      if (!t) continue;
      if (!t.changed && !t.engine.allQueueStats().some((q) => q.waiting > 0)) continue;
      t.changed = false;
      const at = this.clock.now();
      await bus.publish({
        id: newId(at),
        tenantId: t.tenantId,
        type: 'routing.stats',
        aggregateType: 'routing',
        aggregateId: t.tenantId,
        payload: liveStatsOf(t.engine, at) as unknown as Record<string, unknown>,
        actor: 'system:acd',
        occurredAt: new Date(at).toISOString(),
      });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.statsTimer) clearInterval(this.statsTimer);
    for (const p of this.routers.values()) {
      const t = await p.catch(() => undefined);
      if (!t) continue;
      if (t.timer) clearTimeout(t.timer);
      await t.queue.catch(() => undefined);
      while (t.writing) await t.writing;
    }
    this.routers.clear();
    this.release?.();
    await this.lease;
  }

  private router(tenantId: string): Promise<TenantRouter> {
    if (!this.leader)
      throw new Unavailable('the routing engine runs on another node; try again there or later');
    let p = this.routers.get(tenantId);
    if (!p) {
      p = this.load(tenantId);
      this.routers.set(tenantId, p);
      p.catch(() => this.routers.delete(tenantId));
    }
    return p;
  }

  private async load(tenantId: string): Promise<TenantRouter> {
    const db = this.deps.db;
    const tenant = await db
      .selectFrom('tenants')
      .select('settings')
      .where('id', '=', tenantId)
      .executeTakeFirst();
    if (!tenant) throw new NotFound('tenant', tenantId);
    const options = { ...engineOptionsOf(tenant.settings), clock: this.clock };
    const snapshot = await loadSnapshot(db, tenantId, this.clock.now(), options.lastAgentWindowMs ?? 0);
    const engine = restoreRoutingEngine(options, snapshot);
    const t: TenantRouter = {
      tenantId,
      engine,
      buffer: [],
      queue: Promise.resolve(),
      timer: undefined,
      changed: true,
      group: undefined,
      writing: undefined,
      failed: undefined,
    };
    engine.onEvent((e) => t.buffer.push(e));
    // Offers that expired while nobody ran the engine time out now, and their tasks are offered again.
    await this.step(t, (e) => e.advance());
    return t;
  }

  /**
   * Runs `op` on the tenant's engine, one at a time per tenant, then writes what the engine decided
   * (and `also`, the caller's own rows) in one transaction. If that write fails the engine is
   * dropped and rebuilt from the database on next use: memory never runs ahead of what is stored.
   */
  async run<T>(
    tenantId: string,
    op: (engine: RoutingEngine) => T | Promise<T>,
    also?: (uow: UnitOfWork) => Promise<void>,
  ): Promise<T> {
    const t = await this.router(tenantId);
    return this.step(t, op, also);
  }

  /**
   * Runs `op` in memory, one at a time per tenant, and answers once what it decided is stored. The
   * next call does not wait for that write: calls that run while a transaction is being written are
   * written together in the next one (group commit), so a tenant's throughput is not one database
   * round trip per call. Nobody is answered before their decisions are committed; if a write fails,
   * every call in it and every call run after it on the same engine fail, and the engine is rebuilt
   * from the database on next use.
   */
  private step<T>(
    t: TenantRouter,
    op: (engine: RoutingEngine) => T | Promise<T>,
    also?: (uow: UnitOfWork) => Promise<void>,
  ): Promise<T> {
    let stored: Promise<void> = Promise.resolve();
    const ran = t.queue.then(async () => {
      if (t.failed) throw t.failed;
      let result: T;
      try {
        result = await op(t.engine);
      } catch (err) {
        // A refused call changes nothing of the caller's; anything the engine did decide is still stored.
        stored = this.store(t, t.buffer.splice(0), undefined);
        stored.catch(() => undefined);
        this.schedule(t);
        throw err;
      }
      stored = this.store(t, t.buffer.splice(0), also);
      stored.catch(() => undefined);
      this.schedule(t);
      return result;
    });
    t.queue = ran.catch(() => undefined);
    return ran.then(
      async (result) => {
        await stored;
        return result;
      },
      async (err: unknown) => {
        // The write's failure, if any, says more than the refusal (the engine was rebuilt).
        await stored;
        throw err;
      },
    );
  }

  /** Joins the next transaction, or, with nothing to write, waits for what earlier calls wrote. */
  private store(
    t: TenantRouter,
    events: RoutingEvent[],
    also: ((uow: UnitOfWork) => Promise<void>) | undefined,
  ): Promise<void> {
    if (t.failed) return Promise.reject(t.failed);
    if (events.length > 0) t.changed = true;
    if (events.length === 0 && !also) {
      // A read: what it saw must be stored before it is answered.
      const earlier = t.group?.done ?? t.writing;
      if (!earlier) return Promise.resolve();
      return earlier.then(() => {
        if (t.failed) throw t.failed;
      });
    }
    if (!t.group || t.group.members.length >= MAX_GROUP) {
      if (t.group) this.write(t);
      let resolve!: () => void;
      let reject!: (err: unknown) => void;
      const done = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      t.group = { members: [], done, resolve, reject };
    }
    const group = t.group;
    group.members.push({ events, also });
    if (!t.writing) this.write(t);
    return group.done;
  }

  /** Writes the open group now if no transaction is being written, else after it. */
  private write(t: TenantRouter): void {
    const group = t.group;
    if (!group) return;
    t.group = undefined;
    const previous = t.writing ?? Promise.resolve();
    const writing = previous.then(async () => {
      if (t.failed) throw t.failed;
      try {
        await this.deps.outbox.transact(async (uow) => {
          for (const m of group.members) {
            if (m.also) await m.also(uow);
            await persistDecisions(uow, t.tenantId, t.engine, m.events);
          }
        });
      } catch (err) {
        if (t.timer) clearTimeout(t.timer);
        t.timer = undefined;
        this.routers.delete(t.tenantId);
        this.deps.logger.error({ err, tenantId: t.tenantId }, 'routing decisions not stored; engine rebuilt');
        const refused =
          err instanceof Conflict || err instanceof InvalidInput || err instanceof Forbidden
            ? err
            : new Unavailable('routing could not store its decision; try again');
        // Later calls ran on the state this write lost: they fail too.
        t.failed = new Unavailable('routing state was reloaded after a failed write; try again');
        if (t.group) {
          t.group.reject(t.failed);
          t.group.done.catch(() => undefined);
          t.group = undefined;
        }
        throw refused;
      }
    });
    t.writing = writing.then(
      () => undefined,
      () => undefined,
    );
    const current = t.writing;
    writing.then(group.resolve, group.reject);
    group.done.catch(() => undefined);
    void current.then(() => {
      if (t.writing !== current) return;
      t.writing = undefined;
      // Calls that ran meanwhile: their transaction goes now.
      if (t.group && !t.failed) this.write(t);
    });
  }

  private schedule(t: TenantRouter): void {
    if (t.timer) clearTimeout(t.timer);
    t.timer = undefined;
    const at = t.engine.nextDeadline();
    if (at === undefined || this.closed) return;
    // Real timers can fire a little early; the engine only acts on deadlines that are due.
    const delay = Math.max(0, at - this.clock.now()) + 1;
    t.timer = setTimeout(
      () => {
        t.timer = undefined;
        if (this.routers.get(t.tenantId) === undefined) return;
        this.step(t, (e) => e.advance()).catch((err: unknown) =>
          this.deps.logger.error({ err, tenantId: t.tenantId }, 'routing timer failed'),
        );
      },
      Math.min(delay, 2 ** 31 - 1),
    );
    t.timer.unref();
  }

  /** Queues, skills, agents or teams changed: the engine takes the new picture; work in hand stays. */
  async refresh(tenantId: string): Promise<void> {
    if (!this.leader || !this.routers.has(tenantId)) return;
    const db: Db = this.deps.db;
    const [queues, agents] = await Promise.all([loadQueues(db, tenantId), loadAgents(db, tenantId)]);
    await this.run(tenantId, (engine) => {
      engine.setQueues(queues);
      const known = new Set(agents.map((a) => a.spec.id));
      for (const a of agents) engine.upsertAgent(a.spec);
      for (const s of engine.allAgentStats()) {
        if (known.has(s.agentId)) continue;
        try {
          engine.setPresence(s.agentId, 'offline');
          engine.removeAgent(s.agentId);
        } catch (err) {
          // Still holding work (a disabled agent mid-call): it leaves once the work is done.
          if (!(err instanceof Conflict)) throw err;
        }
      }
    });
  }

  /** Drops the tenant's engine (after the calls in flight) so the next use rebuilds it with fresh options. */
  async reload(tenantId: string): Promise<void> {
    const p = this.routers.get(tenantId);
    if (!p) return;
    const t = await p.catch(() => undefined);
    if (t) {
      await t.queue.catch(() => undefined);
      if (t.timer) clearTimeout(t.timer);
    }
    this.routers.delete(tenantId);
    if (this.leader) await this.router(tenantId);
  }

  /** A new rules version is in force: waiting tasks are placed again by it, none dropped. */
  async applyRules(tenantId: string, rules: RuleSet): Promise<void> {
    if (!this.leader) return;
    await this.run(tenantId, (engine) => engine.setRules(rules));
  }
}
