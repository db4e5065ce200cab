// What the wallboard shows, read from the API and the live `routing.stats` feed. The server's
// statistics are normalised here so the screens do not care whether a field is in ms or seconds.
import { get, type Page } from '../shared/api';

export const AGENT_STATES = ['available', 'busy', 'wrap_up', 'break', 'offline'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

export const STATE_COLOR: Record<AgentState, string> = {
  available: '#2ea44f',
  busy: '#1664ff',
  wrap_up: '#8b5cf6',
  break: '#e8a317',
  offline: '#a3a8b3',
};

export interface Queue {
  id: string;
  name: string;
  description: string;
  priority: number;
  serviceLevelSeconds: number;
  serviceLevelTarget: number;
  skills: { skillId: string; minProficiency: number }[];
  strategy: string;
}

export interface User {
  id: string;
  email: string;
  displayName: string;
  role: 'owner' | 'admin' | 'supervisor' | 'agent';
  status: 'active' | 'disabled';
  languages: string[];
}

export interface QueueStat {
  queueId: string;
  waiting: number;
  longestWaitMs: number;
  availableAgents: number;
  offered: number;
  answered: number;
  abandoned: number;
  serviceLevel: number;
  asaMs: number;
  /** Agents of this queue by state, when the server counts them. */
  agents?: Partial<Record<AgentState, number>>;
}

export interface AgentStat {
  agentId: string;
  state: AgentState;
  reason?: string;
  /** Server epoch ms when the state began (0: never seen). */
  sinceMs: number;
  load: Record<string, number>;
  capacity: Record<string, number>;
  tasksHandled: number;
  /** Queues the agent can serve (skills, membership), when the server says. */
  queueIds?: string[];
}

export interface Conversation {
  id: string;
  customerId: string;
  channelId: string | null;
  channelType: string;
  status: string;
  priority: number;
  subject: string;
  queueId: string | null;
  assigneeId: string | null;
  createdAt: string;
  updatedAt: string;
  lastMessageAt: string | null;
}

export interface Message {
  id: string;
  conversationId: string;
  direction: 'in' | 'out';
  senderType: 'customer' | 'agent' | 'system' | 'bot';
  senderId: string | null;
  contentType: string;
  text: string;
  payload: Record<string, unknown>;
  createdAt: string;
}

export interface Task {
  id: string;
  status: string;
  attributes: Record<string, unknown>;
  priority: number;
  queueId?: string;
  stepId?: string;
  agentId?: string;
  createdAt: number;
  waitingSince: number;
  reservations: { id: string; agentId: string; expiresAt: number }[];
}

const num = (v: unknown, fallback = 0): number =>
  typeof v === 'number' && Number.isFinite(v) ? v : fallback;

/** One queue's statistics, whichever units the server used. */
export function normQueueStat(raw: Record<string, unknown>): QueueStat {
  const longestWaitMs =
    raw.longestWaitMs !== undefined ? num(raw.longestWaitMs) : num(raw.longestWaitSeconds) * 1000;
  const asaMs = raw.asaMs !== undefined ? num(raw.asaMs) : num(raw.asa) * 1000;
  const agents =
    raw.agents && typeof raw.agents === 'object' && !Array.isArray(raw.agents)
      ? (raw.agents as Partial<Record<AgentState, number>>)
      : raw.agentsByState && typeof raw.agentsByState === 'object'
        ? (raw.agentsByState as Partial<Record<AgentState, number>>)
        : undefined;
  return {
    queueId: String(raw.queueId),
    waiting: num(raw.waiting),
    longestWaitMs,
    availableAgents: num(raw.availableAgents),
    offered: num(raw.offered),
    answered: num(raw.answered),
    abandoned: num(raw.abandoned),
    serviceLevel: num(raw.serviceLevel, 1),
    asaMs,
    ...(agents && { agents }),
  };
}

export function normAgentStat(raw: Record<string, unknown>): AgentStat {
  const since =
    raw.sinceMs !== undefined
      ? num(raw.sinceMs)
      : typeof raw.stateSince === 'string'
        ? Date.parse(raw.stateSince)
        : num(raw.stateSince);
  const state = (AGENT_STATES as readonly string[]).includes(String(raw.state))
    ? (raw.state as AgentState)
    : 'offline';
  return {
    agentId: String(raw.agentId),
    state,
    ...(typeof raw.reason === 'string' && { reason: raw.reason }),
    sinceMs: Number.isFinite(since) ? since : 0,
    load: (raw.load as Record<string, number>) ?? {},
    capacity: (raw.capacity as Record<string, number>) ?? {},
    tasksHandled: num(raw.tasksHandled),
    ...(Array.isArray(raw.queueIds) && { queueIds: raw.queueIds.map(String) }),
  };
}

/** Every item of a cursor-paged list. */
export async function getAll<T>(path: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null | undefined;
  const sep = path.includes('?') ? '&' : '?';
  for (let i = 0; i < 50; i++) {
    const page = await get<Page<T>>(`${path}${sep}limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return out;
}

/** 0:42, 12:05, 1:02:03. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}

/** "3 minutes ago" / "3 分钟前", in the UI's language. */
export function ago(ms: number, lang: string): string {
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  const s = Math.round(ms / 1000);
  if (s < 60) return rtf.format(-Math.max(0, s), 'second');
  if (s < 3600) return rtf.format(-Math.floor(s / 60), 'minute');
  if (s < 86400) return rtf.format(-Math.floor(s / 3600), 'hour');
  return rtf.format(-Math.floor(s / 86400), 'day');
}

export type Level = 'good' | 'warn' | 'bad' | 'idle';

/** Service level against the queue's target: on target, within 10 points, or below. */
export function serviceLevelLevel(sl: number, target: number, ended: number): Level {
  if (ended === 0) return 'idle';
  if (sl >= target) return 'good';
  if (sl >= target - 0.1) return 'warn';
  return 'bad';
}

/** Longest wait against the service-level time: within it, up to twice it, beyond. */
export function waitLevel(ms: number, slSeconds: number, waiting: number): Level {
  if (waiting === 0) return 'idle';
  if (ms <= slSeconds * 1000) return 'good';
  if (ms <= slSeconds * 2000) return 'warn';
  return 'bad';
}

export const LEVEL_COLOR: Record<Level, string> = {
  good: '#2ea44f',
  warn: '#d48806',
  bad: '#e5484d',
  idle: '#1f2329',
};

/** Whether an agent's skills meet a queue's requirements. */
export function eligible(queue: Queue, skills: Map<string, number> | undefined): boolean {
  if (queue.skills.length === 0) return true;
  if (!skills) return false;
  return queue.skills.every((s) => (skills.get(s.skillId) ?? 0) >= s.minProficiency);
}

/** Who the board counts: every active agent, and anyone else (a supervisor, an admin) while signed in to take work. */
export function onBoard(user: User | undefined, stat: AgentStat): boolean {
  return !!user && user.status === 'active' && (user.role === 'agent' || stat.state !== 'offline');
}

export function nameOf(users: Map<string, User>, id: string | null | undefined): string {
  if (!id) return '';
  const u = users.get(id);
  return u ? u.displayName || u.email : id.slice(0, 8);
}
