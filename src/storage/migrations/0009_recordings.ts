import { type Kysely, sql } from 'kysely';

/**
 * Call recording (issue #7): one row per recorded call, pointing at its encrypted file under
 * DATA_DIR/recordings and holding the file's data key wrapped with the master key (the file alone
 * cannot be played). Queues say whether their calls are recorded.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE call_recordings (
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      conversation_id uuid NOT NULL,
      call_id text NOT NULL,
      -- The caller as resolved when the call came in; merges move conversations, not this.
      customer_id uuid,
      agent_ids text[] NOT NULL DEFAULT '{}',
      -- Relative to DATA_DIR/recordings: <tenant id>/<recording id>.sbrec
      file text NOT NULL CHECK (file !~ '(^/|\\.\\.)'),
      wrapped_key text NOT NULL,
      duration_ms integer NOT NULL CHECK (duration_ms >= 0),
      bytes bigint NOT NULL CHECK (bytes >= 0),
      sha256 text,
      started_at timestamptz NOT NULL,
      ended_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE SET NULL (customer_id)
    );
    CREATE INDEX call_recordings_conversation ON call_recordings (tenant_id, conversation_id);
    CREATE INDEX call_recordings_customer ON call_recordings (tenant_id, customer_id);

    ALTER TABLE queues ADD COLUMN record_calls boolean NOT NULL DEFAULT true;
  `.execute(db);
}
