// The engine's whole mutable state in one record; the modules beside it are functions over it.
import { DeadlineQueue } from './deadlines.js';
import type { Clock, EngineOptions, MatchWeights, Millis, Random, RoutingEvent } from './model.js';
import { DEFAULT_SEED, type SeededRandom, seededRandom } from './random.js';
import { type CompiledRules, compileRules, EMPTY_RULES } from './rules.js';
import type { AgentRec, QueueRt, ReservationRec, TaskRec } from './state.js';

export const DEFAULTS = {
  reservationTimeoutMs: 20_000,
  serviceLevelMs: 20_000,
  agingPerMinute: 1,
  lastAgentWindowMs: 24 * 60 * 60_000,
  lastAgentHoldMs: 0,
  /** Finished tasks kept for getTask and duplicate-id checks; older ones are forgotten. */
  finishedRetention: 10_000,
  weights: { idle: 1, load: 1, proficiency: 1, rating: 1, customerValue: 0.5 } satisfies MatchWeights,
} as const;

export interface Core {
  clock: Clock;
  random: Random;
  /** Set when the engine owns its random source, so the snapshot can carry its state. */
  seeded: SeededRandom | undefined;
  voiceBlocks: boolean;
  aging: number;
  weights: MatchWeights;
  lastAgentWindowMs: number;
  lastAgentHoldMs: number;
  finishedRetention: number;
  rules: CompiledRules;
  queues: Map<string, QueueRt>;
  agents: Map<string, AgentRec>;
  /** Live tasks: waiting, reserved, assigned, wrapping. */
  tasks: Map<string, TaskRec>;
  /** The live task of each conversation (attributes.conversationId), for "is this conversation queued?". */
  byConversation: Map<string, TaskRec>;
  /** Finished tasks by id, and the same in finish order (from finishedHead on) for forgetting the oldest. */
  finished: Map<string, TaskRec>;
  finishedOrder: TaskRec[];
  finishedHead: number;
  reservations: Map<string, ReservationRec>;
  /** Waiting tasks no rule places in an existing queue. */
  unrouted: Set<TaskRec>;
  lastAgents: Map<string, { agentId: string; at: Millis }>;
  deadlines: DeadlineQueue;
  /**
   * Tasks that started waiting and agents that gained a free slot since matching last ran: those
   * whose `dirty` flag is still set (an entry can be listed twice, or no longer be dirty). Lists
   * rather than sets, because a set emptied and refilled on every call allocates every time.
   */
  dirtyTasks: TaskRec[];
  dirtyAgents: AgentRec[];
  taskSeq: number;
  reservationSeq: number;
  emit(e: RoutingEvent): void;
}

export function createCore(options: EngineOptions, emit: (e: RoutingEvent) => void): Core {
  const seeded = options.random ? undefined : seededRandom(DEFAULT_SEED);
  return {
    clock: options.clock,
    random: options.random ?? (seeded as SeededRandom).next,
    seeded,
    voiceBlocks: options.voiceBlocksOthers ?? true,
    aging: options.agingPerMinute ?? DEFAULTS.agingPerMinute,
    weights: { ...DEFAULTS.weights, ...options.weights },
    lastAgentWindowMs: options.lastAgentWindowMs ?? DEFAULTS.lastAgentWindowMs,
    lastAgentHoldMs: options.lastAgentHoldMs ?? DEFAULTS.lastAgentHoldMs,
    finishedRetention: options.finishedRetention ?? DEFAULTS.finishedRetention,
    rules: compileRules(EMPTY_RULES),
    queues: new Map(),
    agents: new Map(),
    tasks: new Map(),
    byConversation: new Map(),
    finished: new Map(),
    finishedOrder: [],
    finishedHead: 0,
    reservations: new Map(),
    unrouted: new Set(),
    lastAgents: new Map(),
    deadlines: new DeadlineQueue(),
    dirtyTasks: [],
    dirtyAgents: [],
    taskSeq: 0,
    reservationSeq: 0,
    emit,
  };
}

export function markTask(core: Core, t: TaskRec): void {
  if (t.dirty) return;
  t.dirty = true;
  core.dirtyTasks.push(t);
}

export function markAgent(core: Core, a: AgentRec): void {
  if (a.dirty) return;
  a.dirty = true;
  core.dirtyAgents.push(a);
}

export function now(core: Core): Millis {
  return core.clock.now();
}
