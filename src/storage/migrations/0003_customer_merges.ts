import { type Kysely, sql } from 'kysely';

/**
 * Merging customers keeps its evidence and exactly what moved, so an unmerge can put every
 * identity and conversation back where it was.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A customer merged into another points at the survivor; it is kept (for unmerge), not listed.
    ALTER TABLE customers ADD COLUMN merged_into uuid;

    CREATE TABLE customer_merges (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      survivor_id uuid NOT NULL,
      merged_id uuid NOT NULL,
      confidence real NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
      -- {source, identifiers: [...], fields: [{field, level, weight}], total}
      evidence jsonb NOT NULL,
      -- {identities: [id…], conversations: [id…]}: what moved from merged to survivor
      moved jsonb NOT NULL,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'undone')),
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      undone_by text,
      undone_at timestamptz,
      FOREIGN KEY (tenant_id, survivor_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, merged_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
    );
    CREATE INDEX customer_merges_survivor_idx ON customer_merges (tenant_id, survivor_id);
    CREATE INDEX customer_merges_merged_idx ON customer_merges (tenant_id, merged_id);
  `.execute(db);
}
