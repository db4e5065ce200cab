import { randomBytes } from 'node:crypto';
import { systemActor } from '../core/index.js';
import type { StoreDeps } from '../storage/index.js';
import { insertTenant, type Tenant } from './tenants.js';
import { insertUser, type User } from './users.js';

export interface NewTenant {
  slug: string;
  name: string;
  owner: { email: string; password: string; displayName?: string | undefined };
}

/** A new company on this installation, with its first owner, in one transaction. */
export async function createTenant(
  deps: StoreDeps,
  input: NewTenant,
): Promise<{ tenant: Tenant; owner: User }> {
  return deps.outbox.transact(async (uow) => {
    const tenant = await insertTenant(uow.trx, { slug: input.slug, name: input.name });
    const owner = await insertUser(uow.trx, systemActor(tenant.id), { ...input.owner, role: 'owner' });
    await uow.emit({
      tenantId: tenant.id,
      type: 'tenant.created',
      aggregateType: 'tenant',
      aggregateId: tenant.id,
      payload: { id: tenant.id, slug: tenant.slug, name: tenant.name, ownerId: owner.id },
      actor: 'system',
    });
    return { tenant, owner };
  });
}

export interface BootstrapResult {
  created: boolean;
  email?: string;
  /** Only when it was generated: shown once, never stored in clear. */
  generatedPassword?: string;
}

/**
 * On an empty installation, create the first tenant and its owner. There is no fixed default
 * password: either the operator gives one, or a random one is generated and shown once.
 */
export async function ensureFirstOwner(
  deps: StoreDeps,
  admin: { email?: string | undefined; password?: string | undefined },
): Promise<BootstrapResult> {
  const any = await deps.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (any) return { created: false };
  const email = admin.email ?? 'admin@localhost';
  const generated = admin.password ? undefined : randomBytes(12).toString('base64url');
  await createTenant(deps, {
    slug: 'default',
    name: 'Default',
    owner: { email, password: admin.password ?? (generated as string), displayName: 'Owner' },
  });
  return { created: true, email, ...(generated && { generatedPassword: generated }) };
}
