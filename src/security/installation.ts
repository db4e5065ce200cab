import { randomBytes } from 'node:crypto';
import type { Db } from '../storage/index.js';

/**
 * Secrets that belong to the installation rather than to a tenant. Generated once and kept in
 * the database, so every process of a cluster signs and checks tokens with the same key.
 */
export async function installationSecret(db: Db, key: string, bytes = 48): Promise<string> {
  const candidate = randomBytes(bytes).toString('base64url');
  await db
    .insertInto('installation')
    .values({ key, value: candidate })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db
    .selectFrom('installation')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirstOrThrow();
  return row.value;
}
