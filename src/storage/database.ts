import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { lockDataDir } from './lock.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export interface Storage {
  readonly db: Db;
  readonly kind: 'pglite' | 'postgres';
  /** The PostgreSQL schema in use when it is not the default. */
  readonly schema: string | undefined;
  /** Throws when the database cannot answer; used by /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StorageOptions {
  /** postgres://… — when absent, PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; `undefined` with no databaseUrl means in-memory (tests). */
  dataDir?: string | undefined;
  /** PostgreSQL schema to work in (tests use one fresh schema each). */
  schema?: string | undefined;
  poolSize?: number;
}

const INT8_OID = 20;

export async function openStorage(options: StorageOptions): Promise<Storage> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openPGlite(options.dataDir);
}

async function openPGlite(dataDir: string | undefined): Promise<Storage> {
  let location = 'memory://';
  let unlock = () => {};
  if (dataDir) {
    unlock = lockDataDir(dataDir);
    location = path.join(dataDir, 'pg');
    mkdirSync(location, { recursive: true });
  }
  let pglite: PGlite;
  try {
    // int8 stays a string, as node-postgres returns it, so both drivers give the same rows.
    pglite = await PGlite.create(location, { parsers: { [INT8_OID]: (v: string) => v } });
  } catch (err) {
    unlock();
    throw err;
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  let closed = false;
  return {
    db,
    kind: 'pglite',
    schema: undefined,
    ping: async () => {
      if (closed) throw new Error('database is closed');
      await sql`select 1`.execute(db);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await db.destroy();
      await pglite.close();
      unlock();
    },
  };
}

async function openPostgres(url: string, options: StorageOptions): Promise<Storage> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
    ...(options.schema && { options: `-c search_path=${options.schema}` }),
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'postgres',
    schema: options.schema,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
