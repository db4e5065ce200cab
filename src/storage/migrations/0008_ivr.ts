import { type Kysely, sql } from 'kysely';

/**
 * IVR (issue #7): flows as data, versioned like routing rules (each save is a new version, the
 * newest is in force, older ones stay readable); the dialled numbers that pick a flow; recordings
 * uploaded as prompts, kept as 8 kHz G.711 µ-law in the database so every voice process has them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE ivr_flows (
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      version integer NOT NULL CHECK (version > 0),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      definition jsonb NOT NULL,
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_by text NOT NULL,
      PRIMARY KEY (tenant_id, id, version)
    );

    -- A number reaches one tenant, so it is unique across tenants. The flow is checked on write
    -- (ivr_flows has no single-column key to refer to: a flow is all its versions).
    CREATE TABLE voice_numbers (
      number text PRIMARY KEY CHECK (number ~ '^\\+[1-9][0-9]{6,14}$'),
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      flow_id uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX voice_numbers_flow ON voice_numbers (tenant_id, flow_id);

    CREATE TABLE ivr_audio (
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      duration_ms integer NOT NULL CHECK (duration_ms >= 0),
      pcmu bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL,
      PRIMARY KEY (tenant_id, id)
    );
  `.execute(db);
}
