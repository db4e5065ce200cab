import { Unauthenticated } from '../core/index.js';
import { audit, decoyHash, type Principal, type TokenService, verifyPassword } from '../security/index.js';
import type { StoreDeps } from '../storage/index.js';
import { normalizeEmail, toUser, type User } from './users.js';

export interface Session {
  token: string;
  expiresAt: string;
  user: User;
}

/** One message for every failure, so a caller cannot learn which e-mails exist. */
const WRONG = 'e-mail or password is wrong';

export async function login(
  deps: StoreDeps,
  tokens: TokenService,
  input: { email: string; password: string; ip?: string | undefined },
): Promise<Session> {
  const email = normalizeEmail(input.email);
  const row = await deps.db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email))
    .executeTakeFirst();
  if (!row) {
    await verifyPassword(await decoyHash(), input.password);
    throw new Unauthenticated(WRONG);
  }
  const ok = await verifyPassword(row.password_hash, input.password);
  await deps.outbox.transact((uow) =>
    audit(uow.trx, {
      tenantId: row.tenant_id,
      actorId: row.id,
      action: ok ? 'auth.login' : 'auth.login_failed',
      targetType: 'user',
      targetId: row.id,
      ip: input.ip ?? null,
    }),
  );
  if (!ok) throw new Unauthenticated(WRONG);
  if (row.status !== 'active') throw new Unauthenticated('this account is disabled');
  const user = toUser(row);
  const principal: Principal = {
    userId: user.id,
    tenantId: user.tenantId,
    role: user.role,
    email: user.email,
  };
  const { token, expiresAt } = await tokens.issue(principal);
  return { token, expiresAt, user };
}

/**
 * A token stays valid until it expires, but a user who was disabled, deleted or given another role
 * since must not keep their old powers: each request checks the token against the current row.
 */
export async function currentPrincipal(deps: Pick<StoreDeps, 'db'>, claimed: Principal): Promise<Principal> {
  const row = await deps.db
    .selectFrom('users')
    .select(['id', 'tenant_id', 'role', 'status', 'email'])
    .where('id', '=', claimed.userId)
    .where('tenant_id', '=', claimed.tenantId)
    .executeTakeFirst();
  if (row?.status !== 'active') throw new Unauthenticated('this account no longer exists or is disabled');
  return { userId: row.id, tenantId: row.tenant_id, role: row.role, email: row.email };
}
