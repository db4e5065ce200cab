// Recording rows: saved when a recorded call ends, listed for supervisors, and opened for playback by
// the roles the tenant allows, with every playback in the audit log.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Actor, Forbidden, NotFound, ROLES, type Role } from '../../core/index.js';
import { auditBy, type Cipher } from '../../security/index.js';
import type { Db, Outbox, Row } from '../../storage/index.js';
import { RecordingUnreadable, readRecording } from './format.js';
import type { RecordingFile } from './recorder.js';

export interface RecordingStoreDeps {
  db: Db;
  outbox: Outbox;
  cipher: Cipher;
  /** The recordings root, DATA_DIR/recordings (`recordingsRoot`); rows keep paths relative to it. */
  dir: string;
}

/** What a supervisor sees of a recording: never its key or its file's place. */
export interface CallRecording {
  id: string;
  conversationId: string;
  callId: string;
  customerId: string | null;
  agentIds: string[];
  durationMs: number;
  bytes: number;
  startedAt: string;
  endedAt: string;
  createdAt: string;
}

export interface NewRecording {
  tenantId: string;
  conversationId: string;
  /** The SIP call's id (Call-ID or our call id). */
  callId: string;
  customerId?: string | null | undefined;
  /** Every agent who was on the call (a transfer adds one). */
  agentIds: string[];
  /** What `Recorder.stop()` gave; its `id` becomes the row's id (a uuid: use `newId()`). */
  file: RecordingFile;
}

export const DEFAULT_PLAYBACK_ROLES: readonly Role[] = ['supervisor', 'admin', 'owner'];

/** DATA_DIR/recordings: the root every row's file path is relative to. */
export function recordingsRoot(dataDir: string): string {
  return path.join(dataDir, 'recordings');
}

/** Where a tenant's recordings are written: the recorder's `dir`. */
export function recordingsDir(dataDir: string, tenantId: string): string {
  return path.join(recordingsRoot(dataDir), tenantId);
}

function toRecording(row: Row<'call_recordings'>): CallRecording {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    callId: row.call_id,
    customerId: row.customer_id,
    agentIds: row.agent_ids,
    durationMs: row.duration_ms,
    bytes: Number(row.bytes),
    startedAt: new Date(row.started_at).toISOString(),
    endedAt: new Date(row.ended_at).toISOString(),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** The file's path under the root, or an error if it lies elsewhere (the row must never point out). */
function relativeFile(root: string, file: string): string {
  const relative = path.relative(path.resolve(root), path.resolve(file));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative))
    throw new Error(`recording file ${file} is not under ${root}`);
  return relative.split(path.sep).join('/');
}

/** Records that a call's recording exists (the voice module calls this when the recorder stopped). */
export async function saveRecording(
  deps: Pick<RecordingStoreDeps, 'db' | 'dir'>,
  input: NewRecording,
): Promise<CallRecording> {
  const { file } = input;
  const row = await deps.db
    .insertInto('call_recordings')
    .values({
      tenant_id: input.tenantId,
      id: file.id,
      conversation_id: input.conversationId,
      call_id: input.callId,
      customer_id: input.customerId ?? null,
      agent_ids: [...new Set(input.agentIds)],
      file: relativeFile(deps.dir, file.path),
      wrapped_key: file.wrappedKey,
      duration_ms: file.durationMs,
      bytes: file.bytes,
      sha256: file.sha256 ?? null,
      started_at: file.startedAt,
      ended_at: file.endedAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRecording(row);
}

/** A conversation's or a customer's recordings (a customer's follow merges: through conversations). */
export async function listRecordings(
  deps: Pick<RecordingStoreDeps, 'db'>,
  actor: Actor,
  filter: { conversationId?: string | undefined; customerId?: string | undefined } = {},
): Promise<{ items: CallRecording[] }> {
  let q = deps.db
    .selectFrom('call_recordings as r')
    .innerJoin('conversations as c', (j) =>
      j.onRef('c.tenant_id', '=', 'r.tenant_id').onRef('c.id', '=', 'r.conversation_id'),
    )
    .selectAll('r')
    .where('r.tenant_id', '=', actor.tenantId);
  if (filter.conversationId) q = q.where('r.conversation_id', '=', filter.conversationId);
  const customerId = filter.customerId;
  if (customerId)
    q = q.where((eb) => eb.or([eb('c.customer_id', '=', customerId), eb('r.customer_id', '=', customerId)]));
  const rows = await q.orderBy('r.started_at', 'desc').orderBy('r.id').limit(500).execute();
  return { items: rows.map(toRecording) };
}

/** The tenant's `recordingPlaybackRoles`, or the default when unset or not a list of roles. */
export function playbackRoles(settings: Record<string, unknown>): readonly Role[] {
  const value = settings.recordingPlaybackRoles;
  if (!Array.isArray(value)) return DEFAULT_PLAYBACK_ROLES;
  return value.filter((r): r is Role => (ROLES as readonly string[]).includes(r));
}

/**
 * Decrypts a recording to a WAV for someone whose role the tenant allows. The row is read and the
 * playback audited in one transaction, which commits only when the audio could be decrypted: the
 * audit log lists every playback that returned audio. Another tenant's id is a 404.
 */
export async function openRecording(
  deps: RecordingStoreDeps,
  actor: Actor,
  id: string,
): Promise<{ wav: Buffer; row: CallRecording }> {
  return deps.outbox.transact(async ({ trx }) => {
    const tenant = await trx
      .selectFrom('tenants')
      .select('settings')
      .where('id', '=', actor.tenantId)
      .executeTakeFirst();
    if (!playbackRoles(tenant?.settings ?? {}).includes(actor.role))
      throw new Forbidden(
        `the ${actor.role} role may not play call recordings (tenant setting recordingPlaybackRoles)`,
      );
    const row = await trx
      .selectFrom('call_recordings')
      .selectAll()
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NotFound('recording', id);
    const file = await readFile(path.resolve(deps.dir, row.file)).catch((err: unknown) => {
      throw new RecordingUnreadable(`the file of recording ${id} cannot be read`, { cause: err });
    });
    if (row.sha256 && createHash('sha256').update(file).digest('hex') !== row.sha256)
      throw new RecordingUnreadable(`the file of recording ${id} is not the one that was written`);
    const wav = readRecording(file, row.wrapped_key, deps.cipher, row.id);
    const recording = toRecording(row);
    await auditBy(trx, actor, 'recording.played', 'call_recording', id, {
      conversationId: recording.conversationId,
      durationMs: recording.durationMs,
    });
    return { wav, row: recording };
  });
}
