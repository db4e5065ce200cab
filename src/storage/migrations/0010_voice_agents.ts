import { type Kysely, sql } from 'kysely';

/**
 * Voice (issue #7): the SIP phone each agent takes calls on when not in the browser softphone (a desk
 * phone or a softphone app, as a SIP URI call control dials when the agent accepts a call).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE voice_agent_phones (
      tenant_id uuid NOT NULL,
      user_id uuid NOT NULL,
      uri text NOT NULL CHECK (uri ~* '^sips?:[^ ]+$' AND length(uri) <= 500),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, user_id),
      FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
    );
  `.execute(db);
}
