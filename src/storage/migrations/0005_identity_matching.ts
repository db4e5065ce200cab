import { type Kysely, sql } from 'kysely';

/**
 * The live side of identity matching: the blocking keys of every customer (so a new customer is
 * compared only with those sharing a key, never with everybody), each tenant's estimated
 * Fellegi–Sunter model, and typing-rhythm profiles (the soft behavioural signal).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE identity_match_keys (
      tenant_id uuid NOT NULL,
      key text NOT NULL,
      customer_id uuid NOT NULL,
      PRIMARY KEY (tenant_id, key, customer_id),
      FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
    );
    CREATE INDEX identity_match_keys_customer_idx ON identity_match_keys (tenant_id, customer_id);

    CREATE TABLE identity_models (
      tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
      model jsonb NOT NULL,
      records integer NOT NULL,
      trained_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE typing_profiles (
      tenant_id uuid NOT NULL,
      customer_id uuid NOT NULL,
      profile jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, customer_id),
      FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
    );
  `.execute(db);
}
