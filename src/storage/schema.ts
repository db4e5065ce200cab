import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * The database as Kysely sees it. Every domain table carries `tenant_id`; every query a
 * module runs filters on it. Column names are snake_case in SQL and here alike.
 */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T = Record<string, unknown>> = ColumnType<T, string, string>;

export interface TenantsTable {
  id: string;
  slug: string;
  name: string;
  settings: Json;
  created_at: Timestamp;
}

export interface UsersTable {
  id: string;
  tenant_id: string;
  email: string;
  display_name: string;
  role: 'owner' | 'admin' | 'supervisor' | 'agent';
  password_hash: string;
  status: 'active' | 'disabled';
  languages: ColumnType<string[], string[] | undefined, string[]>;
  max_chats: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TeamsTable {
  id: string;
  tenant_id: string;
  name: string;
  created_at: Timestamp;
}

export interface TeamMembersTable {
  tenant_id: string;
  team_id: string;
  user_id: string;
}

export interface SkillsTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string;
  created_at: Timestamp;
}

export interface AgentSkillsTable {
  tenant_id: string;
  user_id: string;
  skill_id: string;
  proficiency: number;
}

export interface QueuesTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string;
  priority: Generated<number>;
  service_level_seconds: Generated<number>;
  service_level_target: Generated<number>;
  strategy: Generated<string>;
  reservation_timeout_seconds: Generated<number>;
  wrap_up_seconds: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  business_hours_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Whether the queue's calls are recorded (call_recordings). */
  record_calls: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface QueueSkillsTable {
  tenant_id: string;
  queue_id: string;
  skill_id: string;
  min_proficiency: number;
}

export interface CustomersTable {
  id: string;
  tenant_id: string;
  display_name: string;
  tier: number;
  attributes: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
  merged_into: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface CustomerMergesTable {
  id: string;
  tenant_id: string;
  survivor_id: string;
  merged_id: string;
  confidence: number;
  evidence: Json;
  moved: Json<{ identities: string[]; conversations: string[]; survivorDisplayName?: string }>;
  status: ColumnType<'active' | 'undone', 'active' | 'undone' | undefined, 'active' | 'undone'>;
  created_by: string;
  created_at: Timestamp;
  undone_by: string | null;
  undone_at: Timestamp | null;
}

export interface MergeSuggestionsTable {
  id: string;
  tenant_id: string;
  customer_a: string;
  customer_b: string;
  confidence: number;
  evidence: Json;
  status: ColumnType<'pending' | 'accepted' | 'rejected', 'pending' | undefined, 'accepted' | 'rejected'>;
  created_at: Timestamp;
  decided_by: string | null;
  decided_at: Timestamp | null;
}

export interface VoiceAgentPhonesTable {
  tenant_id: string;
  user_id: string;
  uri: string;
  updated_at: Timestamp;
}

export interface RoutingAgentsTable {
  tenant_id: string;
  user_id: string;
  rating: ColumnType<number, number | undefined, number>;
  capacity: ColumnType<Record<string, number>, string | undefined, string>;
  presence: ColumnType<'offline' | 'available' | 'break', 'offline' | 'available' | 'break' | undefined>;
  presence_reason: string | null;
  presence_since: Timestamp;
  idle_since: Timestamp;
  last_task_ended_at: Timestamp | null;
  tasks_handled: ColumnType<number, number | undefined, number>;
}

export interface RoutingRulesTable {
  tenant_id: string;
  version: number;
  steps: Json<unknown[]>;
  default_queue_id: string | null;
  created_by: string;
  created_at: Timestamp;
}

export type RoutingTaskStatus =
  | 'waiting'
  | 'reserved'
  | 'assigned'
  | 'wrapping'
  | 'completed'
  | 'abandoned'
  | 'canceled';

export interface RoutingTasksTable {
  tenant_id: string;
  id: string;
  conversation_id: string | null;
  customer_id: string | null;
  channel: string;
  attributes: Json;
  priority: number;
  status: RoutingTaskStatus;
  queue_id: string | null;
  step_id: string | null;
  step_index: number | null;
  entered_step_at: Timestamp | null;
  waiting_since: Timestamp;
  agent_id: string | null;
  direct_agent_id: string | null;
  hold_until: Timestamp | null;
  pinned: ColumnType<boolean, boolean | undefined, boolean>;
  wrap_until: Timestamp | null;
  created_at: Timestamp;
  assigned_at: Timestamp | null;
  ended_at: Timestamp | null;
}

export interface RoutingReservationsTable {
  tenant_id: string;
  id: string;
  seq: number;
  task_id: string;
  agent_id: string;
  status: ColumnType<
    'pending' | 'accepted' | 'rejected' | 'timed_out' | 'canceled',
    'pending' | undefined,
    'accepted' | 'rejected' | 'timed_out' | 'canceled'
  >;
  created_at: Timestamp;
  expires_at: Timestamp;
  decided_at: Timestamp | null;
}

export interface IdentityMatchKeysTable {
  tenant_id: string;
  key: string;
  customer_id: string;
}

export interface IdentityModelsTable {
  tenant_id: string;
  model: Json;
  records: number;
  trained_at: Timestamp;
}

export interface TypingProfilesTable {
  tenant_id: string;
  customer_id: string;
  profile: Json;
  updated_at: Timestamp;
}

export interface IdentitiesTable {
  id: string;
  tenant_id: string;
  customer_id: string;
  kind: string;
  value: string;
  verified: boolean;
  created_at: Timestamp;
}

export interface ChannelsTable {
  id: string;
  tenant_id: string;
  type: string;
  name: string;
  config: Json;
  /** Sealed JSON of the secret credentials. */
  secrets: string | null;
  enabled: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ConversationsTable {
  id: string;
  tenant_id: string;
  customer_id: string;
  channel_id: string | null;
  channel_type: string;
  status: 'open' | 'pending' | 'resolved' | 'closed';
  priority: number;
  subject: string;
  queue_id: string | null;
  assignee_id: string | null;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_message_at: Timestamp | null;
  disposition_code: ColumnType<string | null, string | null | undefined, string | null>;
  wrap_up_note: ColumnType<string | null, string | null | undefined, string | null>;
  wrapped_up_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  wrapped_up_by: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface MessagesTable {
  id: string;
  tenant_id: string;
  conversation_id: string;
  direction: 'in' | 'out';
  sender_type: 'customer' | 'agent' | 'system' | 'bot';
  sender_id: string | null;
  channel_type: string;
  content_type: string;
  text: string;
  payload: Json;
  idempotency_key: string | null;
  delivery_status: string;
  created_at: Timestamp;
  channel_id: string | null;
  provider_message_id: string | null;
  delivery_error: string | null;
  status_at: Timestamp | null;
}

export interface DeliveriesTable {
  message_id: string;
  tenant_id: string;
  channel_id: string;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  leased_until: Timestamp | null;
  last_error: string | null;
  created_at: Timestamp;
}

export interface EventsTable {
  seq: Generated<string>;
  id: string;
  tenant_id: string;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  payload: Json<unknown>;
  actor: string;
  occurred_at: Timestamp;
}

export interface OutboxTable {
  seq: Generated<string>;
  event_id: string;
  tenant_id: string;
  created_at: Timestamp;
  attempts: Generated<number>;
  last_error: string | null;
}

export interface AuditLogTable {
  seq: Generated<string>;
  id: string;
  tenant_id: string;
  actor_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  detail: Json;
  ip: string | null;
  at: Timestamp;
}

export interface InstallationTable {
  key: string;
  value: string;
  created_at: Timestamp;
}

export interface ConversationNotesTable {
  id: string;
  tenant_id: string;
  conversation_id: string;
  author_id: string;
  text: string;
  mentions: Json<string[]>;
  created_at: Timestamp;
}

export interface CannedResponsesTable {
  id: string;
  tenant_id: string;
  title: string;
  shortcut: string;
  body: string;
  language: 'zh-CN' | 'en' | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DispositionCodesTable {
  id: string;
  tenant_id: string;
  code: string;
  label_en: string;
  label_zh: string;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface BusinessHoursTable {
  id: string;
  tenant_id: string;
  name: string;
  timezone: string;
  weekly: Json<{ day: number; open: string; close: string }[]>;
  holidays: Json<{ date: string; name: string }[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ConversationReadsTable {
  tenant_id: string;
  user_id: string;
  conversation_id: string;
  last_read_at: Timestamp;
  last_message_id: string | null;
}

export interface IvrFlowsTable {
  tenant_id: string;
  id: string;
  version: number;
  name: string;
  definition: Json<Record<string, unknown>>;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  updated_by: string;
}

export interface VoiceNumbersTable {
  number: string;
  tenant_id: string;
  flow_id: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IvrAudioTable {
  tenant_id: string;
  id: string;
  name: string;
  duration_ms: number;
  pcmu: Uint8Array;
  created_at: Timestamp;
  created_by: string;
}

export interface CallRecordingsTable {
  tenant_id: string;
  id: string;
  conversation_id: string;
  call_id: string;
  customer_id: string | null;
  agent_ids: ColumnType<string[], string[] | undefined, string[]>;
  /** Relative to DATA_DIR/recordings. */
  file: string;
  /** The file's data key, sealed with the master key. */
  wrapped_key: string;
  duration_ms: number;
  /** bigint: the driver may give a string. */
  bytes: ColumnType<string | number, number, number>;
  sha256: string | null;
  started_at: ColumnType<Date, Date | string, Date | string>;
  ended_at: ColumnType<Date, Date | string, Date | string>;
  created_at: Timestamp;
}

export interface Database {
  tenants: TenantsTable;
  users: UsersTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  skills: SkillsTable;
  agent_skills: AgentSkillsTable;
  queues: QueuesTable;
  queue_skills: QueueSkillsTable;
  customers: CustomersTable;
  identities: IdentitiesTable;
  customer_merges: CustomerMergesTable;
  merge_suggestions: MergeSuggestionsTable;
  identity_match_keys: IdentityMatchKeysTable;
  routing_agents: RoutingAgentsTable;
  voice_agent_phones: VoiceAgentPhonesTable;
  routing_rules: RoutingRulesTable;
  routing_tasks: RoutingTasksTable;
  routing_reservations: RoutingReservationsTable;
  identity_models: IdentityModelsTable;
  typing_profiles: TypingProfilesTable;
  channels: ChannelsTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  deliveries: DeliveriesTable;
  events: EventsTable;
  outbox: OutboxTable;
  audit_log: AuditLogTable;
  installation: InstallationTable;
  conversation_notes: ConversationNotesTable;
  canned_responses: CannedResponsesTable;
  disposition_codes: DispositionCodesTable;
  business_hours: BusinessHoursTable;
  conversation_reads: ConversationReadsTable;
  ivr_flows: IvrFlowsTable;
  voice_numbers: VoiceNumbersTable;
  ivr_audio: IvrAudioTable;
  call_recordings: CallRecordingsTable;
}

export type Row<T extends keyof Database> = Selectable<Database[T]>;
export type NewRow<T extends keyof Database> = Insertable<Database[T]>;
export type RowUpdate<T extends keyof Database> = Updateable<Database[T]>;
