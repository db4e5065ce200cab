import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { DomainError } from '../core/index.js';
import { registerIdentity } from './identity.js';
import { registerMigrate } from './migrate.js';
import { registerSeed } from './seed.js';
import { registerSimulate } from './simulate.js';
import { registerStart } from './start.js';
import { registerTenant } from './tenant.js';
import { registerUser } from './user.js';

const program = new Command()
  .name('switchboard')
  .description(
    'Switchboard: an omnichannel cloud contact center.\nConfiguration comes from the environment; see the README.',
  )
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerStart(program);
registerMigrate(program);
registerSeed(program);
registerUser(program);
registerTenant(program);
registerIdentity(program);
registerSimulate(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  if (err instanceof ConfigError || err instanceof DomainError) {
    process.stderr.write(`switchboard: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`switchboard: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}
