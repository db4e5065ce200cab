// The database: Kysely over PGlite (embedded) or PostgreSQL (server), the migrations,
// and the transactional outbox that relays committed events to the bus.
export { type Db, openStorage, type Storage, type StorageOptions } from './database.js';
export { DataDirLocked } from './lock.js';
export { MigrationFailed, migrateToLatest } from './migrator.js';
export { appendEvent, createOutbox, type Outbox, type Trx, type UnitOfWork } from './outbox.js';
export type { Database, NewRow, Row, RowUpdate } from './schema.js';

/** What a domain store needs: reads go to `db`, writes go through `outbox.transact`. */
export interface StoreDeps {
  db: import('./database.js').Db;
  outbox: import('./outbox.js').Outbox;
}
export { isForeignKeyViolation, isUniqueViolation } from './errors.js';
export { assertNameFree, cleanName, findInTenant, type NamedTable, type TenantTable } from './tenant-rows.js';
