import { type Actor, actorTag, Conflict, InvalidInput, NotFound, newId, type Role } from '../core/index.js';
import { auditBy } from '../security/index.js';
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

/** Tenant-wide settings kept at the top of `tenants.settings`, with their defaults (modules keep their own sections). */
export const TENANT_SETTING_DEFAULTS = {
  /** Agents see customers' phone numbers, e-mail addresses and ids masked (security/mask.ts). */
  maskPiiForAgents: true,
  /** Who may play call recordings (every playback is audited). */
  recordingPlaybackRoles: ['supervisor', 'admin', 'owner'] as Role[],
};

export interface TenantChanges {
  name?: string | undefined;
  settings?:
    | { maskPiiForAgents?: boolean | undefined; recordingPlaybackRoles?: Role[] | undefined }
    | undefined;
}

/** The tenant as its users see it: settings with the defaults of those left unset. */
export function withSettingDefaults(tenant: Tenant): Tenant {
  return { ...tenant, settings: { ...TENANT_SETTING_DEFAULTS, ...tenant.settings } };
}

/** An admin renames the tenant or changes a tenant-wide setting; keys left out keep their value. */
export async function updateTenant(deps: StoreDeps, actor: Actor, changes: TenantChanges): Promise<Tenant> {
  const name = changes.name?.trim();
  if (changes.name !== undefined && !name) throw new InvalidInput('a tenant needs a name', 'name');
  return deps.outbox.transact(async ({ trx, emit }) => {
    const row = await trx
      .selectFrom('tenants')
      .selectAll()
      .where('id', '=', actor.tenantId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new NotFound('tenant', actor.tenantId);
    const settings = { ...row.settings };
    for (const [key, value] of Object.entries(changes.settings ?? {}))
      if (value !== undefined) settings[key] = value;
    const updated = await trx
      .updateTable('tenants')
      .set({ name: name ?? row.name, settings: JSON.stringify(settings) })
      .where('id', '=', actor.tenantId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const detail = { ...(name && { name }), ...(changes.settings && { settings: changes.settings }) };
    await auditBy(trx, actor, 'tenant.updated', 'tenant', actor.tenantId, detail);
    await emit({
      tenantId: actor.tenantId,
      type: 'tenant.updated',
      aggregateType: 'tenant',
      aggregateId: actor.tenantId,
      payload: { id: actor.tenantId, ...detail },
      actor: actorTag(actor),
    });
    return withSettingDefaults(toTenant(updated));
  });
}
