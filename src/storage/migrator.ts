import { type Kysely, type Migration, type MigrationResultSet, Migrator } from 'kysely';
import * as m0001 from './migrations/0001_foundation.js';
import * as m0002 from './migrations/0002_channel_gateway.js';
import * as m0003 from './migrations/0003_customer_merges.js';
import * as m0004 from './migrations/0004_merge_suggestions.js';
import * as m0005 from './migrations/0005_identity_matching.js';
import * as m0006 from './migrations/0006_routing.js';
import * as m0007 from './migrations/0007_workspace.js';
import * as m0008 from './migrations/0008_ivr.js';
import * as m0009 from './migrations/0009_recordings.js';
import * as m0010 from './migrations/0010_voice_agents.js';

/** Migrations are listed here in order; the file name is the migration's permanent name. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_channel_gateway': m0002,
  '0003_customer_merges': m0003,
  '0004_merge_suggestions': m0004,
  '0005_identity_matching': m0005,
  '0006_routing': m0006,
  '0007_workspace': m0007,
  '0008_ivr': m0008,
  '0009_recordings': m0009,
  '0010_voice_agents': m0010,
};

export class MigrationFailed extends Error {}

/** `schema` names the PostgreSQL schema to migrate when it is not `public` (tests use one each). */
export async function migrateToLatest(db: Kysely<unknown>, schema?: string): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
    ...(schema && { migrationTableSchema: schema }),
  });
  let result: MigrationResultSet = await migrator.migrateToLatest();
  // Kysely checks for its migration table by listing the tables of every schema in the database; a
  // schema dropped meanwhile by someone else (another test, another tenant's tooling) fails that list
  // with "schema … does not exist" (3F000) although nothing is wrong with ours: list again.
  for (let attempt = 1; attempt < 5 && otherSchemaVanished(result.error, schema); attempt++)
    result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new MigrationFailed(
      `Migration ${failed?.migrationName ?? '(unknown)'} failed: ${String((result.error as Error).message ?? result.error)}`,
      { cause: result.error },
    );
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** A migration failed only because another schema was dropped while Kysely listed tables. */
export function otherSchemaVanished(error: unknown, ours: string | undefined): boolean {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  if (e?.code !== '3F000' || typeof e.message !== 'string') return false;
  const missing = /schema "([^"]+)" does not exist/.exec(e.message)?.[1];
  return missing !== undefined && missing !== (ours ?? 'public');
}
