import type { Command } from 'commander';
import { createTenant, listTenants } from '../accounts/index.js';
import { readPassword, withStore } from './store.js';

export function registerTenant(program: Command): void {
  const tenant = program
    .command('tenant')
    .description('Manage tenants (the companies served by this installation)');

  tenant
    .command('add')
    .description('Create a tenant and its first owner')
    .requiredOption('-s, --slug <slug>', 'short name: lowercase letters, digits, dashes')
    .requiredOption('-n, --name <name>', 'company name')
    .requiredOption('--owner-email <email>', "the owner's e-mail (login)")
    .option('--owner-password <password>', "the owner's password (asked for when omitted)")
    .action(async (opts: { slug: string; name: string; ownerEmail: string; ownerPassword?: string }) => {
      const password = await readPassword(opts.ownerPassword, 'owner password: ');
      const { tenant: t, owner } = await withStore((deps) =>
        createTenant(deps, { slug: opts.slug, name: opts.name, owner: { email: opts.ownerEmail, password } }),
      );
      process.stdout.write(`created tenant ${t.slug} (${t.id}) with owner ${owner.email}\n`);
    });

  tenant
    .command('list')
    .description('List tenants')
    .action(async () => {
      const tenants = await withStore((deps) => listTenants(deps));
      for (const t of tenants) process.stdout.write(`${t.slug.padEnd(24)} ${t.id} ${t.name}\n`);
    });
}
