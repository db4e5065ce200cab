// The live picture a wallboard shows, from the engine alone (so GET /routing/stats and the
// `routing.stats` bus event are the same document): per queue its waiting work, service level and
// the agents who could serve it by state; per agent its state, since when, and load per channel class.
import type { AgentState, AgentStats, QueueStats, RoutingEngine } from './engine/index.js';

export type StateCounts = Record<AgentState, number>;

export interface QueueLiveStats extends QueueStats {
  name: string;
  longestWaitSeconds: number;
  asaSeconds: number;
  /** The queue's threshold: answered within this many seconds counts towards `serviceLevel`. */
  serviceLevelSeconds: number;
  /** Agents eligible for the queue (skills, membership), by state. */
  agents: StateCounts;
}

export interface AgentLiveStats extends AgentStats {
  name: string;
  /** When the agent entered `state` (the same instant as sinceMs). */
  stateSince: string;
  /** Queues the agent is eligible for. */
  queueIds: string[];
}

export interface LiveStats {
  at: string;
  queues: QueueLiveStats[];
  agents: AgentLiveStats[];
  /** Every agent of the tenant by state. */
  agentsByState: StateCounts;
}

const DEFAULT_SERVICE_LEVEL_MS = 20_000;

function noAgents(): StateCounts {
  return { available: 0, busy: 0, wrap_up: 0, break: 0, offline: 0 };
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

export function liveStatsOf(engine: RoutingEngine, at: number): LiveStats {
  const byQueue = new Map<string, StateCounts>();
  const agentsByState = noAgents();
  const agents = engine.allAgentStats().map((s): AgentLiveStats => {
    const view = engine.getAgent(s.agentId);
    const queueIds = view?.queueIds ?? [];
    agentsByState[s.state]++;
    for (const q of queueIds) {
      const counts = byQueue.get(q) ?? noAgents();
      byQueue.set(q, counts);
      counts[s.state]++;
    }
    return {
      ...s,
      name: view?.spec.name ?? '',
      stateSince: new Date(s.sinceMs).toISOString(),
      queueIds,
    };
  });
  const queues = engine.allQueueStats().map((q): QueueLiveStats => {
    const spec = engine.getQueue(q.queueId);
    return {
      ...q,
      name: spec?.name ?? '',
      longestWaitSeconds: seconds(q.longestWaitMs),
      asaSeconds: seconds(q.asaMs),
      serviceLevelSeconds: (spec?.serviceLevelMs ?? DEFAULT_SERVICE_LEVEL_MS) / 1000,
      agents: byQueue.get(q.queueId) ?? noAgents(),
    };
  });
  return { at: new Date(at).toISOString(), queues, agents, agentsByState };
}
