import {
  type Actor,
  actorTag,
  Conflict,
  Forbidden,
  InvalidInput,
  NotFound,
  newId,
  type Page,
  type PageRequest,
  pageLimit,
  type Role,
  roleAtLeast,
  toPage,
} from '../core/index.js';
import { audit, hashPassword, PASSWORD_MIN_LENGTH } from '../security/index.js';
import { findInTenant, type Row, type StoreDeps, type Trx } from '../storage/index.js';

export interface User {
  id: string;
  tenantId: string;
  email: string;
  displayName: string;
  role: Role;
  status: 'active' | 'disabled';
  languages: string[];
  maxChats: number;
  createdAt: string;
  updatedAt: string;
}

export interface NewUser {
  email: string;
  password: string;
  displayName?: string | undefined;
  role: Role;
  languages?: string[] | undefined;
  maxChats?: number | undefined;
}

export interface UserChanges {
  displayName?: string | undefined;
  role?: Role | undefined;
  status?: 'active' | 'disabled' | undefined;
  languages?: string[] | undefined;
  maxChats?: number | undefined;
}

export function toUser(row: Row<'users'>): User {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    status: row.status,
    languages: row.languages,
    maxChats: row.max_chats,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** An owner may grant any role; everyone else only roles below their own. */
function assertMayGrant(actor: Actor, role: Role): void {
  const ok = actor.role === 'owner' || (roleAtLeast(actor.role, role) && actor.role !== role);
  if (!ok) throw new Forbidden(`a ${actor.role} cannot grant the ${role} role`);
}

function assertPassword(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH) {
    throw new InvalidInput(`password must be at least ${PASSWORD_MIN_LENGTH} characters`, 'password');
  }
}

/** Inserts a user in the caller's transaction. Used by the API, the CLI, bootstrap and seed. */
export async function insertUser(trx: Trx, actor: Actor, input: NewUser): Promise<User> {
  assertPassword(input.password);
  const email = normalizeEmail(input.email);
  const taken = await trx
    .selectFrom('users')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email))
    .executeTakeFirst();
  if (taken) throw new Conflict(`a user with e-mail ${email} already exists`);
  const row = await trx
    .insertInto('users')
    .values({
      id: newId(),
      tenant_id: actor.tenantId,
      email,
      display_name: input.displayName?.trim() || email.split('@')[0] || email,
      role: input.role,
      password_hash: await hashPassword(input.password),
      status: 'active',
      languages: input.languages ?? [],
      ...(input.maxChats !== undefined && { max_chats: input.maxChats }),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const user = toUser(row);
  await audit(trx, {
    tenantId: actor.tenantId,
    actorId: actor.userId,
    action: 'user.created',
    targetType: 'user',
    targetId: user.id,
    detail: { email: user.email, role: user.role },
    ip: actor.ip,
  });
  return user;
}

export async function createUser(deps: StoreDeps, actor: Actor, input: NewUser): Promise<User> {
  assertMayGrant(actor, input.role);
  return deps.outbox.transact(async (uow) => {
    const user = await insertUser(uow.trx, actor, input);
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'user.created',
      aggregateType: 'user',
      aggregateId: user.id,
      payload: { id: user.id, email: user.email, role: user.role, displayName: user.displayName },
      actor: actorTag(actor),
    });
    return user;
  });
}

export async function getUser({ db }: Pick<StoreDeps, 'db'>, actor: Actor, id: string): Promise<User> {
  const row = await findInTenant(db, 'users', actor.tenantId, id);
  return toUser(row);
}

export async function listUsers(
  { db }: Pick<StoreDeps, 'db'>,
  actor: Actor,
  req: PageRequest & { role?: Role | undefined },
): Promise<Page<User>> {
  const limit = pageLimit(req);
  let q = db.selectFrom('users').selectAll().where('tenant_id', '=', actor.tenantId);
  if (req.role) q = q.where('role', '=', req.role);
  if (req.cursor) q = q.where('id', '>', req.cursor);
  const rows = await q
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, toUser);
}

export async function updateUser(
  deps: StoreDeps,
  actor: Actor,
  id: string,
  changes: UserChanges,
): Promise<User> {
  return deps.outbox.transact(async (uow) => {
    const current = await findInTenant(uow.trx, 'users', actor.tenantId, id, { lock: true });
    if (current.role !== 'agent' || changes.role) assertMayManage(actor, current);
    if (changes.role) assertMayGrant(actor, changes.role);
    if (actor.userId === id && (changes.role || changes.status === 'disabled')) {
      throw new Forbidden('you cannot change your own role or disable yourself');
    }
    await assertOwnerRemains(uow.trx, actor.tenantId, current, changes);
    const row = await uow.trx
      .updateTable('users')
      .set({
        ...(changes.displayName !== undefined && { display_name: changes.displayName }),
        ...(changes.role !== undefined && { role: changes.role }),
        ...(changes.status !== undefined && { status: changes.status }),
        ...(changes.languages !== undefined && { languages: changes.languages }),
        ...(changes.maxChats !== undefined && { max_chats: changes.maxChats }),
        updated_at: new Date(),
      })
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const user = toUser(row);
    await audit(uow.trx, {
      tenantId: actor.tenantId,
      actorId: actor.userId,
      action: 'user.updated',
      targetType: 'user',
      targetId: id,
      detail: { changes: Object.keys(changes) },
      ip: actor.ip,
    });
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'user.updated',
      aggregateType: 'user',
      aggregateId: id,
      payload: { id, role: user.role, status: user.status, displayName: user.displayName },
      actor: actorTag(actor),
    });
    return user;
  });
}

/** Changing a user of your own rank or above is for owners only. */
function assertMayManage(actor: Actor, target: Row<'users'>): void {
  if (actor.role === 'owner') return;
  if (!roleAtLeast(actor.role, target.role) || actor.role === target.role) {
    throw new Forbidden(`a ${actor.role} cannot change a ${target.role}`);
  }
}

async function assertOwnerRemains(trx: Trx, tenantId: string, target: Row<'users'>, changes: UserChanges) {
  const demoted =
    target.role === 'owner' && ((changes.role && changes.role !== 'owner') || changes.status === 'disabled');
  if (!demoted) return;
  const owners = await trx
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('role', '=', 'owner')
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow();
  if (Number(owners.n) <= 1) throw new Conflict('a tenant must keep at least one active owner');
}

export async function setPassword(
  deps: StoreDeps,
  actor: Actor,
  id: string,
  password: string,
): Promise<void> {
  assertPassword(password);
  const passwordHash = await hashPassword(password);
  await deps.outbox.transact(async (uow) => {
    const target = await uow.trx
      .selectFrom('users')
      .selectAll()
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!target) throw new NotFound('user', id);
    if (actor.userId !== id) {
      if (!roleAtLeast(actor.role, 'admin'))
        throw new Forbidden("only an admin may set another user's password");
      assertMayManage(actor, target);
    }
    await uow.trx
      .updateTable('users')
      .set({ password_hash: passwordHash, updated_at: new Date() })
      .where('id', '=', id)
      .execute();
    await audit(uow.trx, {
      tenantId: actor.tenantId,
      actorId: actor.userId,
      action: 'user.password_changed',
      targetType: 'user',
      targetId: id,
      ip: actor.ip,
    });
  });
}
