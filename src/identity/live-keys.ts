// The write-behind of `identity_match_keys`: the durable blocking index, and the record of which
// customers have had their match decision written (live.ts explains why that is enough). Changes wait
// a few milliseconds and go out together, one statement per batch; a batch the database refuses is put
// back (unless a newer change for the customer came meanwhile) and tried again, more slowly each time.
import { sql } from 'kysely';
import type { Db } from '../storage/index.js';

/**
 * Key rows are written this long after the first change waiting (fewer, larger statements: each one
 * wakes PostgreSQL), or at once when this many customers wait.
 */
const KEY_FLUSH_MS = 50;
const KEY_FLUSH_CUSTOMERS = 500;
const KEY_RETRY_MAX_MS = 5_000;
/** Customers per key-writing statement (small batches keep each synchronous slice of the flush short). */
const KEY_BATCH_MAX = 500;

interface KeyChange {
  tenantId: string;
  customerId: string;
  keys: string[];
}

/** The first `n` items of an iterable, without copying the rest. */
export function take<T>(items: Iterable<T>, n: number): T[] {
  const out: T[] = [];
  for (const x of items) {
    if (out.length >= n) break;
    out.push(x);
  }
  return out;
}

export class KeyWriter {
  private readonly changes = new Map<string, KeyChange>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private retryMs = 0;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly failed: (err: unknown, customers: number) => void,
  ) {}

  /** Customers whose key change waits to be written. */
  get waiting(): number {
    return this.changes.size;
  }

  get busy(): boolean {
    return this.changes.size > 0 || this.writing !== undefined;
  }

  /** The database refused the last batch: what waits is retried later (or repaired by the next load). */
  get refused(): boolean {
    return this.changes.size > 0 && this.retryMs > 0;
  }

  /** The customer's key rows become `keys` (replacing any change still waiting for it). */
  queue(tenantId: string, customerId: string, keys: string[]): void {
    this.changes.set(`${tenantId}:${customerId}`, { tenantId, customerId, keys });
    this.schedule(this.changes.size >= KEY_FLUSH_CUSTOMERS ? 0 : KEY_FLUSH_MS);
  }

  private schedule(ms: number): void {
    if (this.writing || this.closed) return;
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(() => undefined);
    }, ms + this.retryMs);
    this.timer.unref();
  }

  /** Writes a batch of the waiting changes; resolves when they are stored (rejects if the database refused). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing.catch(() => undefined);
    if (this.changes.size === 0) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = take(this.changes.values(), KEY_BATCH_MAX);
    for (const b of batch) this.changes.delete(`${b.tenantId}:${b.customerId}`);
    this.writing = this.write(batch);
    try {
      await this.writing;
      this.retryMs = 0;
    } catch (err) {
      // Put them back unless a newer change is waiting; try again later, more slowly.
      for (const b of batch) {
        const k = `${b.tenantId}:${b.customerId}`;
        if (!this.changes.has(k)) this.changes.set(k, b);
      }
      this.retryMs = Math.min(KEY_RETRY_MAX_MS, Math.max(100, this.retryMs * 2));
      this.failed(err, batch.length);
      throw err;
    } finally {
      this.writing = undefined;
      if (this.changes.size > 0) this.schedule(KEY_FLUSH_MS);
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async write(batch: KeyChange[]): Promise<void> {
    const rows = batch.flatMap((b) => b.keys.map((key) => [b.tenantId, key, b.customerId] as const));
    // One statement: rows the customers no longer have go, new ones come (only for customers that
    // still exist: a customer row can be dropped by a lost creation race); rows kept are not touched,
    // so the delete and the insert never meet the same row.
    await sql`
      WITH who AS (
        SELECT * FROM unnest(${batch.map((b) => b.tenantId)}::uuid[], ${batch.map((b) => b.customerId)}::uuid[]) AS w(t, c)
      ), wanted AS (
        SELECT * FROM unnest(${rows.map((r) => r[0])}::uuid[], ${rows.map((r) => r[1])}::text[], ${rows.map((r) => r[2])}::uuid[]) AS x(t, k, c)
      ), gone AS (
        DELETE FROM identity_match_keys m USING who
        WHERE m.tenant_id = who.t AND m.customer_id = who.c
          AND NOT EXISTS (SELECT 1 FROM wanted x WHERE x.t = m.tenant_id AND x.c = m.customer_id AND x.k = m.key)
      )
      INSERT INTO identity_match_keys (tenant_id, key, customer_id)
      SELECT x.t, x.k, x.c FROM wanted x JOIN customers cu ON cu.tenant_id = x.t AND cu.id = x.c
      ON CONFLICT DO NOTHING`.execute(this.db);
  }
}
