import { type Kysely, sql } from 'kysely';

/**
 * What the agent workspace keeps beside conversations: private notes, canned responses, disposition
 * codes and the wrap-up they record, business hours (queues may name one), and each user's read
 * marker per conversation, from which the unread counts come.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE conversation_notes (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      conversation_id uuid NOT NULL,
      author_id uuid NOT NULL,
      text text NOT NULL CHECK (length(text) BETWEEN 1 AND 10000),
      -- User ids of the same tenant, checked on write.
      mentions jsonb NOT NULL DEFAULT '[]',
      created_at timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, author_id) REFERENCES users (tenant_id, id)
    );
    CREATE INDEX conversation_notes_conversation ON conversation_notes (tenant_id, conversation_id, id);

    CREATE TABLE canned_responses (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      shortcut text NOT NULL CHECK (shortcut ~ '^[a-z0-9][a-z0-9_.-]{0,49}$'),
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
      language text CHECK (language IN ('zh-CN', 'en')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, shortcut)
    );

    CREATE TABLE disposition_codes (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      code text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$'),
      label_en text NOT NULL,
      label_zh text NOT NULL,
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, code)
    );

    -- The code is kept as text: a code deleted later still explains the conversations it closed.
    ALTER TABLE conversations
      ADD COLUMN disposition_code text,
      ADD COLUMN wrap_up_note text,
      ADD COLUMN wrapped_up_at timestamptz,
      ADD COLUMN wrapped_up_by uuid,
      ADD FOREIGN KEY (tenant_id, wrapped_up_by) REFERENCES users (tenant_id, id);

    CREATE TABLE business_hours (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      timezone text NOT NULL,
      weekly jsonb NOT NULL DEFAULT '[]',
      holidays jsonb NOT NULL DEFAULT '[]',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, id),
      UNIQUE (tenant_id, name)
    );
    ALTER TABLE queues
      ADD COLUMN business_hours_id uuid,
      ADD FOREIGN KEY (tenant_id, business_hours_id) REFERENCES business_hours (tenant_id, id);

    -- One marker per user and conversation. last_message_id is the newest message when it was set:
    -- unread counts compare time-ordered message ids, so a message stamped with the customer's
    -- (earlier) send time but stored after the read still counts as unread.
    CREATE TABLE conversation_reads (
      tenant_id uuid NOT NULL,
      user_id uuid NOT NULL,
      conversation_id uuid NOT NULL,
      last_read_at timestamptz NOT NULL,
      last_message_id uuid,
      PRIMARY KEY (tenant_id, user_id, conversation_id),
      FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
    );
  `.execute(db);
}
