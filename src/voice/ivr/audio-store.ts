// Recordings uploaded as prompts, already converted to what calls play (8 kHz G.711 µ-law), kept
// in the database so that every voice process can play them.
import { type Actor, actorTag, NotFound, newId } from '../../core/index.js';
import { auditBy } from '../../security/index.js';
import type { Db, StoreDeps } from '../../storage/index.js';
import type { PromptAudio } from '../tts/index.js';

export interface IvrAudio {
  id: string;
  name: string;
  durationMs: number;
  createdAt: string;
}

export async function saveAudio(
  deps: StoreDeps,
  actor: Actor,
  name: string,
  audio: PromptAudio,
): Promise<IvrAudio> {
  return deps.outbox.transact(async ({ trx }) => {
    const row = await trx
      .insertInto('ivr_audio')
      .values({
        tenant_id: actor.tenantId,
        id: newId(),
        name: name.trim().slice(0, 200) || 'recording',
        duration_ms: audio.durationMs,
        pcmu: Buffer.from(audio.pcmu.buffer, audio.pcmu.byteOffset, audio.pcmu.byteLength),
        created_by: actorTag(actor),
      })
      .returning(['id', 'name', 'duration_ms', 'created_at'])
      .executeTakeFirstOrThrow();
    await auditBy(trx, actor, 'ivr_audio.uploaded', 'ivr_audio', row.id, {
      name: row.name,
      durationMs: row.duration_ms,
    });
    return {
      id: row.id,
      name: row.name,
      durationMs: row.duration_ms,
      createdAt: new Date(row.created_at).toISOString(),
    };
  });
}

export async function listAudio(db: Db, actor: Actor): Promise<{ items: IvrAudio[] }> {
  const rows = await db
    .selectFrom('ivr_audio')
    .select(['id', 'name', 'duration_ms', 'created_at'])
    .where('tenant_id', '=', actor.tenantId)
    .orderBy('id', 'desc')
    .limit(500)
    .execute();
  return {
    items: rows.map((r) => ({
      id: r.id,
      name: r.name,
      durationMs: r.duration_ms,
      createdAt: new Date(r.created_at).toISOString(),
    })),
  };
}

export async function loadAudio(db: Db, tenantId: string, id: string): Promise<PromptAudio> {
  const row = await db
    .selectFrom('ivr_audio')
    .select(['pcmu', 'duration_ms'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new NotFound('recording', id);
  return { pcmu: new Uint8Array(row.pcmu), durationMs: row.duration_ms };
}
