// The ACD engine's data model. The engine is pure: it never reads the wall clock or Math.random;
// time comes from an injected Clock and chance from an injected Random, so the same code runs
// live, in `switchboard simulate` and in property tests (docs/architecture.md, "routing").

/** Milliseconds since the epoch (live) or since the start of a simulation (virtual). */
export type Millis = number;

export interface Clock {
  now(): Millis;
}

/** A source of uniform numbers in [0, 1); seeded in tests and simulation. */
export type Random = () => number;

/**
 * Capacity is counted per channel class, not per provider: a WhatsApp chat and a web chat use the
 * same "chat" slot. `channelClassOf` maps a task's channel to its class.
 */
export type ChannelClass = 'voice' | 'chat' | 'email' | 'video';

export const CHANNEL_CLASSES: readonly ChannelClass[] = ['voice', 'chat', 'email', 'video'];

export function channelClassOf(channel: string): ChannelClass {
  if (channel === 'voice' || channel === 'phone' || channel === 'sip') return 'voice';
  if (channel === 'email') return 'email';
  if (channel === 'video') return 'video';
  return 'chat';
}

export type Capacity = Partial<Record<ChannelClass, number>>;

/** The agent's own choice; 'busy' and 'wrap_up' are derived from the work it holds. */
export type Presence = 'offline' | 'available' | 'break';
export type AgentState = 'offline' | 'available' | 'busy' | 'wrap_up' | 'break';

export interface AgentSpec {
  id: string;
  name?: string | undefined;
  /** Skill name → proficiency 1..5. CEL sees it as `agent.skills.<name>`. */
  skills: Record<string, number>;
  languages: string[];
  teams: string[];
  /** 0..5; higher is better (QA score, CSAT average). */
  rating: number;
  capacity: Capacity;
  /** Free-form attributes visible to CEL as `agent.attributes`. */
  attributes?: Record<string, unknown> | undefined;
}

/** Task attributes seen by CEL as `task.<name>`; the well-known ones are typed. */
export interface TaskAttributes {
  channel: string;
  language?: string | undefined;
  category?: string | undefined;
  /** Customer value: 0 = ordinary, higher = more valuable (VIP level). */
  tier?: number | undefined;
  /** The customer's past CSAT average, 1..5. */
  csat?: number | undefined;
  customerId?: string | undefined;
  conversationId?: string | undefined;
  [custom: string]: unknown;
}

export interface TaskSpec {
  id: string;
  attributes: TaskAttributes;
  /** Higher is served first. Default 0. */
  priority?: number | undefined;
}

export type TaskStatus =
  | 'waiting' // in a queue, no reservation (or only pending ones under ring-all)
  | 'reserved' // offered to one or more agents, none accepted yet
  | 'assigned' // an agent accepted; holds one capacity slot
  | 'wrapping' // the agent finished and is in wrap-up; still holds the slot until wrap-up ends
  | 'completed'
  | 'abandoned' // the customer left before being answered
  | 'canceled';

export type Strategy =
  | 'best-match' // weighted score: idle time, load, proficiency, rating, customer value
  | 'ring-all'
  | 'longest-idle'
  | 'least-recent'
  | 'fewest-contacts'
  | 'round-robin'
  | 'random'
  | 'linear';

export const STRATEGIES: readonly Strategy[] = [
  'best-match',
  'ring-all',
  'longest-idle',
  'least-recent',
  'fewest-contacts',
  'round-robin',
  'random',
  'linear',
];

export interface QueueSpec {
  id: string;
  name?: string | undefined;
  strategy: Strategy;
  /** An agent needs every skill here at or above the given proficiency. */
  requiredSkills?: Record<string, number> | undefined;
  /** Only these agents take work from the queue (for 'linear', in this order); empty/undefined = any. */
  members?: string[] | undefined;
  /** How long an offer waits for accept/reject before it goes to the next agent. Default 20 s. */
  reservationTimeoutMs?: number | undefined;
  /** Wrap-up after each task of this queue. Default 0 (none). */
  wrapUpMs?: number | undefined;
  /** For statistics: answered within this many ms counts towards the service level. Default 20 s. */
  serviceLevelMs?: number | undefined;
}

/** One step of the tenant's routing rules (the business rule library), tried in order. */
export interface RuleStep {
  id: string;
  name?: string | undefined;
  /** CEL over `task` (its attributes plus `priority`, `channel`). Empty/undefined matches every task. */
  filter?: string | undefined;
  queueId: string;
  /** CEL over `agent` and `task`; only agents for which it is true are offered the task. */
  agentFilter?: string | undefined;
  /** After this long waiting in this step, the task overflows to the next matching step. */
  timeoutMs?: number | undefined;
  /** Added to the task's priority when it enters this step (may be negative). */
  priorityBoost?: number | undefined;
}

export interface RuleSet {
  version: number;
  steps: RuleStep[];
  /** Where a task goes when no step matches; a task with no step and no default waits unrouted. */
  defaultQueueId?: string | undefined;
}

export interface EngineOptions {
  clock: Clock;
  random?: Random | undefined;
  /** When true, an agent holding a voice task is offered nothing else, and one holding other work is not offered voice. Default true. */
  voiceBlocksOthers?: boolean | undefined;
  /** Priority points a task gains per minute of waiting, so no task starves. Default 1. */
  agingPerMinute?: number | undefined;
  /** best-match weights; each factor is normalised to 0..1 before weighting. */
  weights?: Partial<MatchWeights> | undefined;
  /** Last-agent routing: a returning customer (same `customerId`) served within `lastAgentWindowMs` waits up to `lastAgentHoldMs` for that agent. */
  lastAgentWindowMs?: number | undefined;
  lastAgentHoldMs?: number | undefined;
  /** Finished tasks remembered for getTask and duplicate-id checks (oldest forgotten first). Default 10 000. */
  finishedRetention?: number | undefined;
}

export interface MatchWeights {
  idle: number;
  load: number;
  proficiency: number;
  rating: number;
  /** Multiplies the rating weight by (1 + customerValue × tier): VIPs go to the best-rated agents first. */
  customerValue: number;
}

export interface Reservation {
  id: string;
  taskId: string;
  agentId: string;
  createdAt: Millis;
  expiresAt: Millis;
}

/** Everything the engine decides, in the order it decided it. Persistence and the live feed consume these. */
export type RoutingEvent =
  | { type: 'agent.state'; at: Millis; agentId: string; state: AgentState; reason?: string | undefined }
  | {
      type: 'task.queued';
      at: Millis;
      taskId: string;
      queueId: string;
      stepId?: string | undefined;
      priority: number;
    }
  | {
      type: 'task.overflowed';
      at: Millis;
      taskId: string;
      fromQueueId: string;
      toQueueId: string;
      stepId?: string | undefined;
    }
  | { type: 'task.unrouted'; at: Millis; taskId: string }
  | { type: 'reservation.created'; at: Millis; reservation: Reservation }
  | { type: 'reservation.accepted'; at: Millis; reservationId: string; taskId: string; agentId: string }
  | { type: 'reservation.rejected'; at: Millis; reservationId: string; taskId: string; agentId: string }
  | { type: 'reservation.timed_out'; at: Millis; reservationId: string; taskId: string; agentId: string }
  | { type: 'reservation.canceled'; at: Millis; reservationId: string; taskId: string; agentId: string }
  | { type: 'task.assigned'; at: Millis; taskId: string; agentId: string; queueId: string; waitedMs: number }
  | {
      type: 'task.transferred';
      at: Millis;
      taskId: string;
      fromAgentId?: string | undefined;
      toAgentId?: string | undefined;
      toQueueId?: string | undefined;
    }
  | { type: 'task.wrapping'; at: Millis; taskId: string; agentId: string; until: Millis }
  | { type: 'task.completed'; at: Millis; taskId: string; agentId?: string | undefined }
  | { type: 'task.abandoned'; at: Millis; taskId: string; queueId?: string | undefined; waitedMs: number }
  | { type: 'task.canceled'; at: Millis; taskId: string }
  | { type: 'rules.changed'; at: Millis; version: number };

export interface QueueStats {
  queueId: string;
  waiting: number;
  longestWaitMs: number;
  /** Agents who could take a task of this queue right now (routable, eligible, a free slot on some channel). */
  availableAgents: number;
  offered: number;
  answered: number;
  abandoned: number;
  answeredWithinSl: number;
  /** answeredWithinSl / (answered + abandoned); 1 when nothing ended yet. */
  serviceLevel: number;
  /** Average speed of answer, ms, over answered tasks. */
  asaMs: number;
}

export interface AgentStats {
  agentId: string;
  state: AgentState;
  reason?: string | undefined;
  sinceMs: Millis;
  /** Slots in use (reserved + assigned + wrapping) per channel class, and the capacity. */
  load: Capacity;
  capacity: Capacity;
  tasksHandled: number;
}

/** A serialisable picture of everything live, for restart: `restore(snapshot())` continues identically. */
export interface EngineSnapshot {
  at: Millis;
  rules: RuleSet;
  queues: QueueSpec[];
  agents: Array<
    AgentSpec & {
      presence: Presence;
      reason?: string | undefined;
      presenceSince: Millis;
      idleSince: Millis;
      lastTaskEndedAt?: Millis | undefined;
      tasksHandled: number;
      /** When the derived state last changed (AgentStats.sinceMs). */
      stateSince?: Millis | undefined;
    }
  >;
  tasks: Array<{
    spec: TaskSpec;
    status: TaskStatus;
    createdAt: Millis;
    queueId?: string | undefined;
    stepIndex?: number | undefined;
    enteredStepAt?: Millis | undefined;
    priority: number;
    agentId?: string | undefined;
    wrapUntil?: Millis | undefined;
    stepId?: string | undefined;
    /** When the customer last started waiting (arrival or last transfer); defaults to createdAt. */
    waitingSince?: Millis | undefined;
    /** Agents who rejected the current offer round or let it time out. */
    triedAgentIds?: string[] | undefined;
    /** Waiting for this agent only (a transfer to the agent, or last-agent routing until holdUntil). */
    directAgentId?: string | undefined;
    holdUntil?: Millis | undefined;
    /** Placed by a transfer rather than the rules: a rule change leaves it where it is. */
    pinned?: boolean | undefined;
    /** The queue whose `offered` counted this wait (answered/abandoned are counted there). */
    countedInQueueId?: string | undefined;
    endedAt?: Millis | undefined;
  }>;
  /** Pending reservations only. */
  reservations: Reservation[];
  lastAgents: Array<{ customerId: string; agentId: string; at: Millis }>;
  /** The number of the last reservation made, so ids continue without reuse. */
  reservationSeq?: number | undefined;
  /** State of the engine's own seeded random source (absent when one was injected). */
  randomState?: number | undefined;
  /** Per queue: round-robin position and the counters behind QueueStats. */
  queueState?:
    | Array<{
        queueId: string;
        lastChosen?: string | undefined;
        offered: number;
        answered: number;
        abandoned: number;
        answeredWithinSl: number;
        answeredWaitMs: number;
      }>
    | undefined;
}
