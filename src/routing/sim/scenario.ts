// What a simulation run is made of: its options, checked, and the engine set up from them (queues
// with their skills, routing rules, agents logged in and available).

import { InvalidInput } from '../../core/index.js';
import type { AgentSpec, QueueSpec, RoutingEngine, RuleSet, Strategy } from '../engine/index.js';

export interface SimQueue {
  id: string;
  arrivalsPerHour: number;
  /** Defaults to the run's `ahtSeconds`. */
  ahtSeconds?: number | undefined;
  /** Agents need this skill to take the queue's contacts; none = every agent. */
  skill?: string | undefined;
}

export interface SimAgentGroup {
  count: number;
  skills: string[];
}

export interface SimulationOptions {
  /** A head count (each agent has every queue's skill) or groups with their own skills. */
  agents: number | SimAgentGroup[];
  /** The arrival rate of the single queue "main"; ignored when `queues` is given. */
  arrivalsPerHour?: number | undefined;
  ahtSeconds: number;
  /** Arrivals are generated for this long (after the warm-up). */
  hours: number;
  seed: number;
  /**
   * Draw 1 − u wherever the seed's run draws u for arrivals and handle times. A run and its
   * antithetic twin err in opposite directions, so their average converges faster (variance
   * reduction by antithetic variates; Law, "Simulation Modeling and Analysis", chapter 11).
   */
  antithetic?: boolean | undefined;
  /** Answered within this many seconds counts towards the service level. */
  slSeconds: number;
  /** Mean of the exponential patience; undefined = customers wait forever. */
  patienceSeconds?: number | undefined;
  handleTime?: 'exponential' | 'fixed' | undefined;
  queues?: SimQueue[] | undefined;
  /** Arrivals in the first hours are served but not counted, so the run starts from a loaded floor. */
  warmupHours?: number | undefined;
  strategy?: Strategy | undefined;
  /** Called with the share of the horizon simulated so far, at most about a hundred times. */
  onProgress?: ((fraction: number) => void) | undefined;
}

/** A queue with its handle time filled in from the run's default. */
export type QueueSetup = SimQueue & { ahtSeconds: number };

export function queuesOf(opts: SimulationOptions): QueueSetup[] {
  const queues = opts.queues ?? [{ id: 'main', arrivalsPerHour: opts.arrivalsPerHour ?? Number.NaN }];
  return queues.map((q) => ({ ...q, ahtSeconds: q.ahtSeconds ?? opts.ahtSeconds }));
}

export function agentGroupsOf(opts: SimulationOptions, queues: SimQueue[]): SimAgentGroup[] {
  if (typeof opts.agents !== 'number') return opts.agents;
  const skills = [...new Set(queues.flatMap((q) => (q.skill ? [q.skill] : [])))];
  return [{ count: opts.agents, skills }];
}

export function configureEngine(
  engine: RoutingEngine,
  opts: SimulationOptions,
  queues: SimQueue[],
  groups: SimAgentGroup[],
) {
  const strategy = opts.strategy ?? 'longest-idle';
  const specs: QueueSpec[] = queues.map((q) => ({
    id: q.id,
    strategy,
    requiredSkills: q.skill ? { [q.skill]: 1 } : undefined,
    serviceLevelMs: opts.slSeconds * 1000,
  }));
  engine.setQueues(specs);
  const rules: RuleSet =
    queues.length === 1
      ? { version: 1, steps: [], defaultQueueId: (queues[0] as SimQueue).id }
      : {
          version: 1,
          steps: queues.map((q) => ({
            id: `to-${q.id}`,
            filter: `task.category == ${JSON.stringify(q.id)}`,
            queueId: q.id,
          })),
        };
  engine.setRules(rules);
  let n = 0;
  for (const g of groups)
    for (let i = 0; i < g.count; i++) {
      const agent: AgentSpec = {
        id: `a${++n}`,
        skills: Object.fromEntries(g.skills.map((s) => [s, 3])),
        languages: [],
        teams: [],
        rating: 3,
        capacity: { voice: 1 },
      };
      engine.upsertAgent(agent);
      engine.setPresence(agent.id, 'available');
    }
}

export function checkOptions(opts: SimulationOptions, queues: QueueSetup[], groups: SimAgentGroup[]) {
  const positive = (x: number) => Number.isFinite(x) && x > 0;
  const nonNegative = (x: number) => Number.isFinite(x) && x >= 0;
  const fail = (message: string, field: string) => {
    throw new InvalidInput(message, field);
  };
  if (groups.some((g) => !Number.isInteger(g.count) || g.count < 0) || groups.every((g) => g.count === 0))
    fail('agents must be a whole number ≥ 1', 'agents');
  if (!positive(opts.ahtSeconds)) fail('the average handle time must be > 0 seconds', 'ahtSeconds');
  if (!positive(opts.hours)) fail('hours must be > 0', 'hours');
  if (!Number.isInteger(opts.seed)) fail('the seed must be a whole number', 'seed');
  if (!nonNegative(opts.slSeconds)) fail('the service level threshold must be ≥ 0 seconds', 'slSeconds');
  if (opts.patienceSeconds !== undefined && !positive(opts.patienceSeconds))
    fail('patience must be > 0 seconds', 'patienceSeconds');
  if (!nonNegative(opts.warmupHours ?? 0)) fail('the warm-up must be ≥ 0 hours', 'warmupHours');
  if (queues.length === 0) fail('at least one queue is needed', 'queues');
  if (new Set(queues.map((q) => q.id)).size !== queues.length) fail('queue ids must be unique', 'queues');
  for (const q of queues) {
    if (!nonNegative(q.arrivalsPerHour))
      fail(`queue ${q.id}: arrivals per hour must be ≥ 0`, 'arrivalsPerHour');
    if (!positive(q.ahtSeconds)) fail(`queue ${q.id}: the average handle time must be > 0`, 'ahtSeconds');
  }
}
