import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { migrateToLatest, openStorage } from '../storage/index.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Bring the database schema up to date (start does this too)')
    .action(async () => {
      const config = loadConfig();
      const storage = await openStorage({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const applied = await migrateToLatest(storage.db as never, storage.schema);
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
      } finally {
        await storage.close();
      }
    });
}
