// Conversations started per channel and time bucket: the wallboard's volume chart.
import { sql } from 'kysely';
import type { Db } from '../storage/index.js';
import { bucketStarts, firstIdAt, ID_SLACK_MS, type Window } from './window.js';

export interface VolumeReport {
  from: string;
  to: string;
  bucketMinutes: number;
  /** Channel types in the report: the tenant's configured channels and any seen in the window, sorted. */
  channels: string[];
  buckets: Array<{ start: string; byChannel: Record<string, number> }>;
}

/**
 * Conversations created in each bucket, by the channel of their first message (a conversation that
 * moved channel later still counts where it began; one without messages, by its own channel).
 */
export async function conversationVolume(db: Db, tenantId: string, w: Window): Promise<VolumeReport> {
  const from = new Date(w.from).toISOString();
  const to = new Date(w.to).toISOString();
  const [counts, configured] = await Promise.all([
    sql<{ channel: string; bucket: number; n: number }>`
      SELECT channel, bucket, count(*)::int AS n FROM (
        SELECT coalesce(
                 (SELECT m.channel_type FROM messages m
                   WHERE m.tenant_id = c.tenant_id AND m.conversation_id = c.id
                   ORDER BY m.id LIMIT 1),
                 c.channel_type) AS channel,
               floor(extract(epoch FROM (c.created_at - ${from}::timestamptz)) * 1000 / ${w.bucketMs})::int AS bucket
          FROM conversations c
         WHERE c.tenant_id = ${tenantId}
           AND c.id >= ${firstIdAt(w.from - ID_SLACK_MS)}::uuid AND c.id < ${firstIdAt(w.to + ID_SLACK_MS)}::uuid
           AND c.created_at >= ${from}::timestamptz AND c.created_at < ${to}::timestamptz
      ) started
      GROUP BY channel, bucket`.execute(db),
    db.selectFrom('channels').select('type').distinct().where('tenant_id', '=', tenantId).execute(),
  ]);
  const channels = [
    ...new Set([...configured.map((c) => c.type), ...counts.rows.map((r) => r.channel)]),
  ].sort();
  const buckets = bucketStarts(w).map((start) => ({
    start,
    byChannel: Object.fromEntries(channels.map((c) => [c, 0])) as Record<string, number>,
  }));
  for (const r of counts.rows) {
    const b = buckets[r.bucket];
    if (b) b.byChannel[r.channel] = (b.byChannel[r.channel] ?? 0) + r.n;
  }
  return { from, to, bucketMinutes: w.bucketMs / 60_000, channels, buckets };
}
