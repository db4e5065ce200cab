import { Conflict, InvalidInput, NotFound } from '../core/index.js';
import type { Db } from './database.js';
import type { Trx } from './outbox.js';
import type { Row } from './schema.js';

/** Tables whose rows belong to one tenant and are addressed by `id`. */
export type TenantTable =
  | 'users'
  | 'teams'
  | 'skills'
  | 'queues'
  | 'customers'
  | 'channels'
  | 'conversations';

/**
 * One row of the caller's tenant, or NotFound: a row of another tenant is reported exactly like
 * a row that does not exist, so ids reveal nothing across tenants. `lock` takes a row lock
 * (inside a transaction) for a read-modify-write.
 */
export async function findInTenant<T extends TenantTable>(
  db: Db | Trx,
  table: T,
  tenantId: string,
  id: string,
  options: { entity?: string; lock?: boolean } = {},
): Promise<Row<T>> {
  let q = db
    .selectFrom(table as TenantTable)
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id);
  if (options.lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw new NotFound(options.entity ?? table.replace(/s$/, ''), id);
  return row as Row<T>;
}

/** Tables whose rows have a name unique within the tenant. */
export type NamedTable = 'teams' | 'skills' | 'queues' | 'channels';

/** A display name as stored: trimmed, and never blank. */
export function cleanName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new InvalidInput('name must not be blank', 'name');
  return trimmed;
}

/**
 * Checked before writing so the conflict names the thing; the unique index still decides a race
 * (and the API maps that to 409 too).
 */
export async function assertNameFree(
  db: Db | Trx,
  table: NamedTable,
  tenantId: string,
  name: string,
  exceptId?: string,
): Promise<void> {
  let q = db
    .selectFrom(table as NamedTable)
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name);
  if (exceptId) q = q.where('id', '!=', exceptId);
  if (await q.executeTakeFirst())
    throw new Conflict(`a ${table.replace(/s$/, '')} named "${name}" already exists`);
}
