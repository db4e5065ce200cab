// The wallboard's live picture: queues and users fetched once (again when they change or the tab
// regains focus), statistics from `routing.stats` pushed every 2 s by the ACD, agent state changes
// applied the moment they happen. No polling.
import { App } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, get } from '../shared/api';
import { type LiveEvent, useLiveEvents } from '../shared/live';
import {
  type AgentStat,
  type AgentState,
  getAll,
  normAgentStat,
  normQueueStat,
  type Queue,
  type QueueStat,
  type User,
} from './model';

export interface StateChange {
  agentId: string;
  state: AgentState;
  reason?: string;
  /** Client epoch ms. */
  at: number;
}

export interface Wallboard {
  loading: boolean;
  queues: Queue[];
  users: Map<string, User>;
  queueStats: Map<string, QueueStat>;
  agentStats: Map<string, AgentStat>;
  /** Agent id → skill id → proficiency (for per-queue agent counts when the server does not give them). */
  skills: Map<string, Map<string, number>>;
  /** Client time when the statistics arrived (a waiting task's wait keeps growing from there). */
  receivedAt: number;
  /** Server clock minus client clock, ms. */
  skew: number;
  /** State changes seen since the wallboard opened, newest first. */
  history: StateChange[];
  reload(): void;
}

interface StatsPayload {
  at?: string;
  queues?: Record<string, unknown>[];
  agents?: Record<string, unknown>[];
}

export function useWallboard(): Wallboard {
  const { message } = App.useApp();
  const [loading, setLoading] = useState(true);
  const [queues, setQueues] = useState<Queue[]>([]);
  const [users, setUsers] = useState<Map<string, User>>(new Map());
  const [queueStats, setQueueStats] = useState<Map<string, QueueStat>>(new Map());
  const [agentStats, setAgentStats] = useState<Map<string, AgentStat>>(new Map());
  const [skills, setSkills] = useState<Map<string, Map<string, number>>>(new Map());
  const [receivedAt, setReceivedAt] = useState(() => Date.now());
  const [skew, setSkew] = useState(0);
  const [history, setHistory] = useState<StateChange[]>([]);
  const lastStatsAt = useRef(0);

  const applyStats = useCallback((p: StatsPayload) => {
    const serverAt = p.at ? Date.parse(p.at) : Number.NaN;
    // Out-of-order frames (a fetch answered after a pushed frame) never roll the board back.
    if (Number.isFinite(serverAt)) {
      if (serverAt < lastStatsAt.current) return;
      lastStatsAt.current = serverAt;
      setSkew(serverAt - Date.now());
    }
    setReceivedAt(Date.now());
    if (p.queues) setQueueStats(new Map(p.queues.map((q) => [String(q.queueId), normQueueStat(q)])));
    if (p.agents) setAgentStats(new Map(p.agents.map((a) => [String(a.agentId), normAgentStat(a)])));
  }, []);

  const loadSkills = useCallback(async (agentIds: string[]) => {
    const entries = await Promise.all(
      agentIds.map(async (id) => {
        try {
          const r = await get<{ skills: { skillId: string; proficiency: number }[] }>(
            `/api/v1/users/${id}/skills`,
          );
          return [id, new Map(r.skills.map((s) => [s.skillId, s.proficiency]))] as const;
        } catch {
          return [id, new Map<string, number>()] as const;
        }
      }),
    );
    setSkills(new Map(entries));
  }, []);

  const reload = useCallback(() => {
    Promise.all([
      getAll<Queue>('/api/v1/queues'),
      getAll<User>('/api/v1/users'),
      get<StatsPayload>('/api/v1/routing/stats'),
    ])
      .then(([q, u, s]) => {
        setQueues(q.sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name)));
        setUsers(new Map(u.map((x) => [x.id, x])));
        applyStats(s);
        // Older servers do not say which queues an agent serves: work it out from skills.
        if (s.agents?.some((a) => !Array.isArray(a.queueIds)))
          void loadSkills(u.filter((x) => x.status === 'active').map((x) => x.id));
      })
      .catch((e: unknown) => {
        if (e instanceof ApiError) void message.error(e.message);
      })
      .finally(() => setLoading(false));
  }, [applyStats, loadSkills, message]);

  useEffect(() => {
    reload();
    const onFocus = () => reload();
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, [reload]);

  useLiveEvents(['routing.stats'], (e) => applyStats(e.payload as StatsPayload));

  useLiveEvents(['routing.agent.state'], (e: LiveEvent) => {
    const p = e.payload as { agentId: string; state: AgentState; reason?: string; at?: number };
    const at = typeof p.at === 'number' ? p.at : Date.parse(e.occurredAt);
    setAgentStats((prev) => {
      const cur = prev.get(p.agentId);
      if (!cur) return prev;
      const next = new Map(prev);
      next.set(p.agentId, {
        ...cur,
        state: p.state,
        ...(p.reason ? { reason: p.reason } : { reason: undefined }),
        sinceMs: at,
      } as AgentStat);
      return next;
    });
    setHistory((h) =>
      [
        { agentId: p.agentId, state: p.state, ...(p.reason && { reason: p.reason }), at: Date.now() },
        ...h,
      ].slice(0, 500),
    );
  });

  // Directory changes: the queue list, names or skills behind the board.
  const refreshTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useLiveEvents(['queue.*', 'user.*', 'agent.skills_replaced', 'skill.*'], () => {
    clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(reload, 300);
  });
  useEffect(() => () => clearTimeout(refreshTimer.current), []);

  return useMemo(
    () => ({
      loading,
      queues,
      users,
      queueStats,
      agentStats,
      skills,
      receivedAt,
      skew,
      history,
      reload,
    }),
    [loading, queues, users, queueStats, agentStats, skills, receivedAt, skew, history, reload],
  );
}

/** A clock that ticks every second while mounted (time in state, waits). */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  return now;
}
