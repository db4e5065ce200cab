import { type Kysely, sql } from 'kysely';

/**
 * The channel gateway: encrypted channel secrets, provider message ids on messages (receipts and
 * e-mail threading find messages by them), and the durable outbound send queue.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Secret credentials, sealed with the installation's master key (src/security/crypto.ts).
    ALTER TABLE channels ADD COLUMN secrets text;

    ALTER TABLE messages ADD COLUMN channel_id uuid;
    ALTER TABLE messages ADD COLUMN provider_message_id text;
    ALTER TABLE messages ADD COLUMN delivery_error text;
    ALTER TABLE messages ADD COLUMN status_at timestamptz;
    CREATE INDEX messages_provider_idx ON messages (tenant_id, provider_message_id)
      WHERE provider_message_id IS NOT NULL;

    -- One row per outbound message still to be sent; deleted when sent or given up.
    CREATE TABLE deliveries (
      message_id uuid PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
      tenant_id uuid NOT NULL,
      channel_id uuid NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      -- A sender leases a row while it talks to the provider, so no other sender takes it.
      leased_until timestamptz,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id) ON DELETE CASCADE
    );
    CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at);
  `.execute(db);
}
