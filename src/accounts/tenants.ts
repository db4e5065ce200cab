import { Conflict, NotFound, newId } from '../core/index.js';
import type { Row, StoreDeps, Trx } from '../storage/index.js';

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  settings: Record<string, unknown>;
  createdAt: string;
}

export function toTenant(row: Row<'tenants'>): Tenant {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    settings: row.settings,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export async function insertTenant(trx: Trx, input: { slug: string; name: string }): Promise<Tenant> {
  const taken = await trx
    .selectFrom('tenants')
    .select('id')
    .where('slug', '=', input.slug)
    .executeTakeFirst();
  if (taken) throw new Conflict(`a tenant with slug "${input.slug}" already exists`);
  const row = await trx
    .insertInto('tenants')
    .values({ id: newId(), slug: input.slug, name: input.name, settings: '{}' })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toTenant(row);
}

export async function getTenant({ db }: Pick<StoreDeps, 'db'>, tenantId: string): Promise<Tenant> {
  const row = await db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirst();
  if (!row) throw new NotFound('tenant', tenantId);
  return toTenant(row);
}

export async function listTenants({ db }: Pick<StoreDeps, 'db'>): Promise<Tenant[]> {
  const rows = await db.selectFrom('tenants').selectAll().orderBy('id').execute();
  return rows.map(toTenant);
}
