import { type Kysely, sql } from 'kysely';

/** Possible duplicates that need a person's decision: the review queue for supervisors. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE merge_suggestions (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      customer_a uuid NOT NULL,
      customer_b uuid NOT NULL,
      confidence real NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
      evidence jsonb NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
      created_at timestamptz NOT NULL DEFAULT now(),
      decided_by text,
      decided_at timestamptz,
      CHECK (customer_a < customer_b),
      FOREIGN KEY (tenant_id, customer_a) REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, customer_b) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
    );
    -- One open question per pair of customers.
    CREATE UNIQUE INDEX merge_suggestions_pending ON merge_suggestions (tenant_id, customer_a, customer_b)
      WHERE status = 'pending';
    CREATE INDEX merge_suggestions_tenant_idx ON merge_suggestions (tenant_id, status, id);
  `.execute(db);
}
