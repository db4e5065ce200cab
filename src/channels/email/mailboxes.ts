import { sql } from 'kysely';
import type { Db } from '../../storage/index.js';

/**
 * The enabled e-mail channels, of any tenant, whose support address is `address` (compared
 * case-insensitively, as mail systems do). More than one is a configuration error the caller reports.
 */
export async function channelsForAddress(db: Db, address: string): Promise<string[]> {
  const rows = await db
    .selectFrom('channels')
    .select('id')
    .where('type', '=', 'email')
    .where('enabled', '=', true)
    .where(sql<string>`lower(trim(config->>'address'))`, '=', address.trim().toLowerCase())
    .execute();
  return rows.map((r) => r.id);
}
