// Per queue and time bucket, from the ACD's own tables: how many tasks arrived (offered), how many
// an agent took (answered), how many the customer left (abandoned), the service level and the
// average speed of answer. The wallboard's queue charts.
import { sql } from 'kysely';
import type { Db } from '../storage/index.js';
import { bucketStarts, firstIdAt, ID_SLACK_MS, type Window } from './window.js';

export interface QueueFigures {
  offered: number;
  answered: number;
  abandoned: number;
  answeredWithinSl: number;
  /** answeredWithinSl / (answered + abandoned); null when none of the bucket's tasks ended either way. */
  serviceLevel: number | null;
  /** Average wait of the answered, seconds; null when none was answered. */
  asaSeconds: number | null;
}

export interface QueueReport {
  from: string;
  to: string;
  bucketMinutes: number;
  queues: Array<{ queueId: string; name: string; serviceLevelSeconds: number }>;
  buckets: Array<{ start: string; byQueue: Record<string, QueueFigures> }>;
  /** The whole window per queue. */
  totals: Record<string, QueueFigures>;
}

interface Sums {
  offered: number;
  answered: number;
  abandoned: number;
  within: number;
  waitSeconds: number;
}

const zero = (): Sums => ({ offered: 0, answered: 0, abandoned: 0, within: 0, waitSeconds: 0 });

function figures(s: Sums): QueueFigures {
  const ended = s.answered + s.abandoned;
  return {
    offered: s.offered,
    answered: s.answered,
    abandoned: s.abandoned,
    answeredWithinSl: s.within,
    serviceLevel: ended === 0 ? null : s.within / ended,
    asaSeconds: s.answered === 0 ? null : Math.round((s.waitSeconds / s.answered) * 10) / 10,
  };
}

/**
 * Each task counts once, in the bucket it arrived in and the queue it was last placed in. It was
 * answered when an agent first took it: its first accepted offer, or a supervisor's direct
 * assignment (assigned_at) when no offer was ever accepted; its wait runs from arrival to then.
 */
export async function queueActivity(db: Db, tenantId: string, w: Window): Promise<QueueReport> {
  const from = new Date(w.from).toISOString();
  const to = new Date(w.to).toISOString();
  const [queues, rows] = await Promise.all([
    db
      .selectFrom('queues')
      .select(['id', 'name', 'service_level_seconds'])
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .execute(),
    sql<{
      queue_id: string;
      bucket: number;
      offered: number;
      answered: number;
      abandoned: number;
      within: number;
      wait_seconds: number;
    }>`
      WITH arrived AS (
        SELECT t.id, t.queue_id, t.status, t.created_at, t.assigned_at
          FROM routing_tasks t
         WHERE t.tenant_id = ${tenantId} AND t.queue_id IS NOT NULL
           AND t.id >= ${firstIdAt(w.from - ID_SLACK_MS)}::uuid AND t.id < ${firstIdAt(w.to + ID_SLACK_MS)}::uuid
           AND t.created_at >= ${from}::timestamptz AND t.created_at < ${to}::timestamptz
      ), answers AS (
        SELECT r.task_id, min(r.decided_at) AS at
          FROM routing_reservations r JOIN arrived a ON a.id = r.task_id
         WHERE r.tenant_id = ${tenantId} AND r.status = 'accepted'
         GROUP BY r.task_id
      ), waits AS (
        SELECT a.queue_id, a.status,
               floor(extract(epoch FROM (a.created_at - ${from}::timestamptz)) * 1000 / ${w.bucketMs})::int AS bucket,
               greatest(0, extract(epoch FROM (coalesce(x.at, a.assigned_at) - a.created_at)))::float8 AS wait,
               coalesce(x.at, a.assigned_at) IS NOT NULL AS answered
          FROM arrived a LEFT JOIN answers x ON x.task_id = a.id
      )
      SELECT w.queue_id, w.bucket,
             count(*)::int AS offered,
             count(*) FILTER (WHERE w.answered)::int AS answered,
             count(*) FILTER (WHERE w.status = 'abandoned' AND NOT w.answered)::int AS abandoned,
             count(*) FILTER (WHERE w.answered AND w.wait <= q.service_level_seconds)::int AS within,
             coalesce(sum(w.wait) FILTER (WHERE w.answered), 0)::float8 AS wait_seconds
        FROM waits w JOIN queues q ON q.tenant_id = ${tenantId} AND q.id = w.queue_id
       GROUP BY w.queue_id, w.bucket`.execute(db),
  ]);
  const sums = bucketStarts(w).map(() => new Map<string, Sums>());
  const totals = new Map<string, Sums>(queues.map((q) => [q.id, zero()]));
  for (const r of rows.rows) {
    const bucket = sums[r.bucket];
    if (!bucket) continue;
    const add = (s: Sums) => {
      s.offered += r.offered;
      s.answered += r.answered;
      s.abandoned += r.abandoned;
      s.within += r.within;
      s.waitSeconds += r.wait_seconds;
    };
    const s = bucket.get(r.queue_id) ?? zero();
    bucket.set(r.queue_id, s);
    add(s);
    const total = totals.get(r.queue_id);
    if (total) add(total);
  }
  const starts = bucketStarts(w);
  return {
    from,
    to,
    bucketMinutes: w.bucketMs / 60_000,
    queues: queues.map((q) => ({
      queueId: q.id,
      name: q.name,
      serviceLevelSeconds: q.service_level_seconds,
    })),
    buckets: starts.map((start, i) => ({
      start,
      byQueue: Object.fromEntries(queues.map((q) => [q.id, figures(sums[i]!.get(q.id) ?? zero())])),
    })),
    totals: Object.fromEntries(queues.map((q) => [q.id, figures(totals.get(q.id)!)])),
  };
}
