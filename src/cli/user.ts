import type { Command } from 'commander';
import { insertUser, listUsers, normalizeEmail, setPassword } from '../accounts/index.js';
import { ROLES, type Role, systemActor } from '../core/index.js';
import { readPassword, tenantBySlug, withStore } from './store.js';

function parseRole(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value))
    throw new Error(`role must be one of ${ROLES.join(', ')}`);
  return value as Role;
}

export function registerUser(program: Command): void {
  const user = program
    .command('user')
    .description('Manage users (works on the database directly; stop a PGlite server first)');

  user
    .command('add')
    .description('Create a user in a tenant')
    .requiredOption('-e, --email <email>', 'e-mail address (the login)')
    .option('-r, --role <role>', `one of ${ROLES.join(', ')}`, parseRole, 'agent')
    .option('-n, --name <name>', 'display name')
    .option('-t, --tenant <slug>', 'tenant slug', 'default')
    .option('-p, --password <password>', 'password (asked for when omitted)')
    .action(async (opts: { email: string; role: Role; name?: string; tenant: string; password?: string }) => {
      const password = await readPassword(opts.password);
      const created = await withStore(async (deps) => {
        const actor = systemActor(await tenantBySlug(deps, opts.tenant));
        return deps.outbox.transact((uow) =>
          insertUser(uow.trx, actor, {
            email: opts.email,
            password,
            role: opts.role,
            displayName: opts.name,
          }),
        );
      });
      process.stdout.write(
        `created ${created.role} ${created.email} (${created.id}) in tenant ${opts.tenant}\n`,
      );
    });

  user
    .command('list')
    .description("List a tenant's users")
    .option('-t, --tenant <slug>', 'tenant slug', 'default')
    .option('--json', 'one JSON object per line')
    .action(async (opts: { tenant: string; json?: boolean }) => {
      await withStore(async (deps) => {
        const actor = systemActor(await tenantBySlug(deps, opts.tenant));
        let cursor: string | undefined;
        do {
          const page = await listUsers(deps, actor, { cursor, limit: 200 });
          for (const u of page.items) {
            process.stdout.write(
              opts.json
                ? `${JSON.stringify(u)}\n`
                : `${u.email.padEnd(32)} ${u.role.padEnd(10)} ${u.status.padEnd(8)} ${u.displayName}\n`,
            );
          }
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      });
    });

  user
    .command('passwd')
    .description("Set a user's password")
    .argument('<email>', 'the user')
    .option('-p, --password <password>', 'new password (asked for when omitted)')
    .action(async (email: string, opts: { password?: string }) => {
      const password = await readPassword(opts.password, 'new password: ');
      await withStore(async (deps) => {
        const row = await deps.db
          .selectFrom('users')
          .select(['id', 'tenant_id'])
          .where((eb) => eb(eb.fn('lower', ['email']), '=', normalizeEmail(email)))
          .executeTakeFirst();
        if (!row) throw new Error(`there is no user ${email}`);
        await setPassword(deps, systemActor(row.tenant_id), row.id, password);
      });
      process.stdout.write(`password changed for ${email}\n`);
    });
}
