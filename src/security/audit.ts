import { type RawBuilder, sql } from 'kysely';
import { type Actor, newId } from '../core/index.js';
import type { Trx } from '../storage/index.js';

export interface AuditEntry {
  tenantId: string;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId?: string | null;
  detail?: Record<string, unknown>;
  ip?: string | null;
}

function auditRow(entry: AuditEntry) {
  return {
    id: newId(),
    tenant_id: entry.tenantId,
    actor_id: entry.actorId,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId ?? null,
    detail: JSON.stringify(entry.detail ?? {}),
    ip: entry.ip ?? null,
  };
}

/** Writes to the append-only audit log in the caller's transaction: no change without its record. */
export async function audit(trx: Trx, entry: AuditEntry): Promise<void> {
  await trx.insertInto('audit_log').values(auditRow(entry)).execute();
}

/**
 * The same record as a CTE named `name` of a statement of the caller's (in its transaction, one
 * round trip less): `WITH name AS (INSERT INTO audit_log …), … <the statement>`.
 */
export function auditCte(trx: Trx, name: string, entry: AuditEntry): RawBuilder<unknown> {
  return sql`${sql.id(name)} AS (${trx.insertInto('audit_log').values(auditRow(entry))})`;
}

/** The usual case: the acting user, in their tenant, from their address. */
export function auditBy(
  trx: Trx,
  actor: Actor,
  action: string,
  targetType: string,
  targetId: string,
  detail: Record<string, unknown> = {},
): Promise<void> {
  return audit(trx, {
    tenantId: actor.tenantId,
    actorId: actor.userId,
    action,
    targetType,
    targetId,
    detail,
    ip: actor.ip,
  });
}
