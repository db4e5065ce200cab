// Test support for the engine's specs: a manual clock, an event log and short builders.
import { ManualClock } from '../../core/index.js';
import { createRoutingEngine, type RoutingEngine } from './engine.js';
import type { AgentSpec, EngineOptions, QueueSpec, RoutingEvent, RuleSet, TaskSpec } from './model.js';

export interface Harness {
  clock: ManualClock;
  engine: RoutingEngine;
  events: RoutingEvent[];
  /** Moves the clock to now + ms, stopping at every deadline on the way as a live timer would. */
  tick(ms: number): void;
  /** Ids of the agents holding pending offers for the task, in offer order. */
  offeredTo(taskId: string): string[];
  /** The pending offer of this task to this agent (throws when there is none). */
  offer(taskId: string, agentId?: string): string;
  eventsOf<T extends RoutingEvent['type']>(type: T): Extract<RoutingEvent, { type: T }>[];
}

export function agentSpec(id: string, over: Partial<AgentSpec> = {}): AgentSpec {
  return {
    id,
    skills: {},
    languages: [],
    teams: [],
    rating: 3,
    capacity: { voice: 1, chat: 3, email: 5 },
    ...over,
  };
}

export function queueSpec(id: string, over: Partial<QueueSpec> = {}): QueueSpec {
  return { id, strategy: 'longest-idle', ...over };
}

export function task(
  id: string,
  channel = 'chat',
  attributes: Record<string, unknown> = {},
  priority?: number,
): TaskSpec {
  return { id, attributes: { channel, ...attributes }, priority };
}

/** One queue `q` taking every task, unless rules are given. */
export function harness(
  options: Partial<EngineOptions> = {},
  setup: { queues?: QueueSpec[]; rules?: RuleSet } = {},
): Harness {
  const clock = new ManualClock(1_000_000);
  const engine = createRoutingEngine({ clock, ...options });
  const events: RoutingEvent[] = [];
  engine.onEvent((e) => events.push(e));
  engine.setQueues(setup.queues ?? [queueSpec('q')]);
  engine.setRules(setup.rules ?? { version: 1, steps: [], defaultQueueId: 'q' });
  return {
    clock,
    engine,
    events,
    tick(ms) {
      const target = clock.now() + ms;
      for (let at = engine.nextDeadline(); at !== undefined && at <= target; at = engine.nextDeadline()) {
        clock.set(Math.max(clock.now(), at));
        engine.advance();
      }
      clock.set(target);
      engine.advance();
    },
    offeredTo(taskId) {
      return (engine.getTask(taskId)?.reservations ?? []).map((r) => r.agentId);
    },
    offer(taskId, agentId) {
      const r = engine
        .getTask(taskId)
        ?.reservations.find((x) => agentId === undefined || x.agentId === agentId);
      if (!r) throw new Error(`no pending offer of ${taskId}${agentId ? ` to ${agentId}` : ''}`);
      return r.id;
    },
    eventsOf(type) {
      return events.filter((e) => e.type === type) as never;
    },
  };
}

/** Adds agents and makes them available one at a time, a second apart, so the first added has been idle longest. */
export function staff(h: Harness, ...agents: AgentSpec[]): void {
  for (const a of agents) {
    h.engine.upsertAgent(a);
    h.engine.setPresence(a.id, 'available');
    h.clock.advance(1000);
  }
}
