import { type Kysely, sql } from 'kysely';

/**
 * The foundation schema. One SQL dialect for PGlite and PostgreSQL alike.
 * Every domain table has tenant_id, and child rows reference their parent together with
 * the tenant (composite foreign keys), so a row can never point into another tenant.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE tenants (
      id uuid PRIMARY KEY,
      slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      settings jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE users (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      email text NOT NULL,
      display_name text NOT NULL,
      role text NOT NULL CHECK (role IN ('owner', 'admin', 'supervisor', 'agent')),
      password_hash text NOT NULL,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
      languages text[] NOT NULL DEFAULT '{}',
      max_chats integer NOT NULL DEFAULT 3 CHECK (max_chats BETWEEN 0 AND 50),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, id)
    );
    -- Login is by e-mail alone, so an address names one user in the whole installation.
    CREATE UNIQUE INDEX users_email_key ON users (lower(email));
    CREATE INDEX users_tenant_idx ON users (tenant_id, created_at);

    CREATE TABLE teams (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, id),
      UNIQUE (tenant_id, name)
    );

    CREATE TABLE team_members (
      tenant_id uuid NOT NULL,
      team_id uuid NOT NULL,
      user_id uuid NOT NULL,
      PRIMARY KEY (team_id, user_id),
      FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
    );

    CREATE TABLE skills (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name text NOT NULL,
      description text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, id),
      UNIQUE (tenant_id, name)
    );

    CREATE TABLE agent_skills (
      tenant_id uuid NOT NULL,
      user_id uuid NOT NULL,
      skill_id uuid NOT NULL,
      proficiency smallint NOT NULL CHECK (proficiency BETWEEN 1 AND 5),
      PRIMARY KEY (user_id, skill_id),
      FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, skill_id) REFERENCES skills (tenant_id, id) ON DELETE CASCADE
    );

    CREATE TABLE queues (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name text NOT NULL,
      description text NOT NULL DEFAULT '',
      priority integer NOT NULL DEFAULT 0,
      service_level_seconds integer NOT NULL DEFAULT 20 CHECK (service_level_seconds > 0),
      service_level_target real NOT NULL DEFAULT 0.8 CHECK (service_level_target > 0 AND service_level_target <= 1),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, id),
      UNIQUE (tenant_id, name)
    );

    CREATE TABLE queue_skills (
      tenant_id uuid NOT NULL,
      queue_id uuid NOT NULL,
      skill_id uuid NOT NULL,
      min_proficiency smallint NOT NULL DEFAULT 1 CHECK (min_proficiency BETWEEN 1 AND 5),
      PRIMARY KEY (queue_id, skill_id),
      FOREIGN KEY (tenant_id, queue_id) REFERENCES queues (tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, skill_id) REFERENCES skills (tenant_id, id) ON DELETE CASCADE
    );

    CREATE TABLE customers (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      display_name text NOT NULL DEFAULT '',
      tier smallint NOT NULL DEFAULT 0 CHECK (tier BETWEEN 0 AND 9),
      attributes jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, id)
    );
    CREATE INDEX customers_tenant_idx ON customers (tenant_id, id);

    CREATE TABLE identities (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      customer_id uuid NOT NULL,
      kind text NOT NULL,
      value text NOT NULL,
      verified boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
      UNIQUE (tenant_id, kind, value)
    );
    CREATE INDEX identities_customer_idx ON identities (customer_id);
    CREATE INDEX identities_value_idx ON identities (tenant_id, value);

    CREATE TABLE channels (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      type text NOT NULL,
      name text NOT NULL,
      config jsonb NOT NULL DEFAULT '{}',
      enabled boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, id),
      UNIQUE (tenant_id, name)
    );

    CREATE TABLE conversations (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      customer_id uuid NOT NULL,
      channel_id uuid,
      channel_type text NOT NULL,
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'resolved', 'closed')),
      priority integer NOT NULL DEFAULT 0,
      subject text NOT NULL DEFAULT '',
      queue_id uuid,
      assignee_id uuid,
      tags text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      last_message_at timestamptz,
      UNIQUE (tenant_id, id),
      FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id),
      FOREIGN KEY (tenant_id, queue_id) REFERENCES queues (tenant_id, id),
      FOREIGN KEY (tenant_id, assignee_id) REFERENCES users (tenant_id, id)
    );
    CREATE INDEX conversations_tenant_idx ON conversations (tenant_id, status, updated_at DESC);
    CREATE INDEX conversations_recent_idx ON conversations (tenant_id, id DESC);
    CREATE INDEX conversations_customer_idx ON conversations (customer_id, updated_at DESC);

    CREATE TABLE messages (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      conversation_id uuid NOT NULL,
      direction text NOT NULL CHECK (direction IN ('in', 'out')),
      sender_type text NOT NULL CHECK (sender_type IN ('customer', 'agent', 'system', 'bot')),
      sender_id text,
      channel_type text NOT NULL,
      content_type text NOT NULL DEFAULT 'text',
      text text NOT NULL DEFAULT '',
      payload jsonb NOT NULL DEFAULT '{}',
      idempotency_key text,
      delivery_status text NOT NULL DEFAULT 'received',
      created_at timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
    );
    CREATE INDEX messages_conversation_idx ON messages (conversation_id, id);
    -- A provider's message id makes one message however often it is delivered.
    CREATE UNIQUE INDEX messages_idempotency_key ON messages (tenant_id, idempotency_key)
      WHERE idempotency_key IS NOT NULL;

    CREATE TABLE events (
      seq bigserial PRIMARY KEY,
      id uuid NOT NULL UNIQUE,
      tenant_id uuid NOT NULL,
      type text NOT NULL,
      aggregate_type text NOT NULL,
      aggregate_id text NOT NULL,
      payload jsonb NOT NULL,
      actor text NOT NULL,
      occurred_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX events_tenant_idx ON events (tenant_id, seq);
    CREATE INDEX events_aggregate_idx ON events (aggregate_type, aggregate_id, seq);

    -- Events waiting for the bus. A row is deleted once published; the events table keeps the history.
    CREATE TABLE outbox (
      seq bigserial PRIMARY KEY,
      event_id uuid NOT NULL UNIQUE REFERENCES events(id),
      tenant_id uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      attempts integer NOT NULL DEFAULT 0,
      last_error text
    );

    CREATE TABLE audit_log (
      seq bigserial PRIMARY KEY,
      id uuid NOT NULL UNIQUE,
      tenant_id uuid NOT NULL,
      actor_id uuid,
      action text NOT NULL,
      target_type text NOT NULL,
      target_id text,
      detail jsonb NOT NULL DEFAULT '{}',
      ip text,
      at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX audit_log_tenant_idx ON audit_log (tenant_id, seq);

    CREATE TABLE installation (
      key text PRIMARY KEY,
      value text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    -- The event log and the audit log are append-only: the database itself refuses changes.
    CREATE FUNCTION switchboard_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END $$;
    CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION switchboard_append_only();
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION switchboard_append_only();
  `.execute(db);
}
