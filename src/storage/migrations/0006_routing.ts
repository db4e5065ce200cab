import { type Kysely, sql } from 'kysely';

/**
 * The ACD's durable state. The engine decides in memory; every decision is written here before it
 * is acknowledged, so a restarted (or standby) process rebuilds waiting tasks, pending reservations
 * and agent presence from these rows. Rules are versioned: the newest version is in force.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE queues
      ADD COLUMN strategy text NOT NULL DEFAULT 'best-match' CHECK (strategy IN
        ('best-match', 'ring-all', 'longest-idle', 'least-recent', 'fewest-contacts', 'round-robin', 'random', 'linear')),
      ADD COLUMN reservation_timeout_seconds integer NOT NULL DEFAULT 20
        CHECK (reservation_timeout_seconds BETWEEN 1 AND 600),
      ADD COLUMN wrap_up_seconds integer NOT NULL DEFAULT 0 CHECK (wrap_up_seconds BETWEEN 0 AND 3600);

    CREATE TABLE routing_agents (
      tenant_id uuid NOT NULL,
      user_id uuid NOT NULL,
      rating real NOT NULL DEFAULT 3 CHECK (rating >= 0 AND rating <= 5),
      -- Per channel class; missing classes take the defaults (chat: users.max_chats).
      capacity jsonb NOT NULL DEFAULT '{}',
      presence text NOT NULL DEFAULT 'offline' CHECK (presence IN ('offline', 'available', 'break')),
      presence_reason text,
      presence_since timestamptz NOT NULL DEFAULT now(),
      idle_since timestamptz NOT NULL DEFAULT now(),
      last_task_ended_at timestamptz,
      tasks_handled integer NOT NULL DEFAULT 0,
      PRIMARY KEY (tenant_id, user_id),
      FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
    );

    CREATE TABLE routing_rules (
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      version integer NOT NULL CHECK (version > 0),
      steps jsonb NOT NULL,
      default_queue_id uuid,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, version)
    );

    CREATE TABLE routing_tasks (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL,
      conversation_id uuid,
      customer_id uuid,
      channel text NOT NULL,
      attributes jsonb NOT NULL,
      priority integer NOT NULL DEFAULT 0,
      status text NOT NULL CHECK (status IN
        ('waiting', 'reserved', 'assigned', 'wrapping', 'completed', 'abandoned', 'canceled')),
      queue_id uuid,
      step_id text,
      step_index integer,
      entered_step_at timestamptz,
      waiting_since timestamptz NOT NULL,
      agent_id uuid,
      direct_agent_id uuid,
      hold_until timestamptz,
      pinned boolean NOT NULL DEFAULT false,
      wrap_until timestamptz,
      created_at timestamptz NOT NULL,
      assigned_at timestamptz,
      ended_at timestamptz,
      PRIMARY KEY (tenant_id, id)
    );
    -- One open task per conversation: a redelivered event cannot queue a conversation twice.
    CREATE UNIQUE INDEX routing_tasks_open_conversation ON routing_tasks (tenant_id, conversation_id)
      WHERE status IN ('waiting', 'reserved', 'assigned', 'wrapping');
    CREATE INDEX routing_tasks_open ON routing_tasks (tenant_id, id)
      WHERE status IN ('waiting', 'reserved', 'assigned', 'wrapping');
    CREATE INDEX routing_tasks_customer ON routing_tasks (tenant_id, customer_id, assigned_at);

    CREATE TABLE routing_reservations (
      tenant_id uuid NOT NULL,
      id text NOT NULL,
      seq integer NOT NULL,
      task_id uuid NOT NULL,
      agent_id uuid NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN
        ('pending', 'accepted', 'rejected', 'timed_out', 'canceled')),
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      decided_at timestamptz,
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, task_id) REFERENCES routing_tasks (tenant_id, id) ON DELETE CASCADE
    );
    CREATE INDEX routing_reservations_pending ON routing_reservations (tenant_id, agent_id)
      WHERE status = 'pending';
  `.execute(db);
}
