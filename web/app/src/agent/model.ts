// What the agent workspace reads from the API: conversations, messages, notes, customers, offers
// and the agent's own routing state. Types follow the server's schemas (src/api/*.ts); the fields
// being added by the backend (unread, notes, canned responses…) are optional and read with care.
import { ApiError, get, post } from '../shared/api';

export type ConversationStatus = 'open' | 'pending' | 'resolved' | 'closed';

export interface Conversation {
  id: string;
  customerId: string;
  channelId: string | null;
  channelType: string;
  status: ConversationStatus;
  priority: number;
  subject: string;
  queueId: string | null;
  assigneeId: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  lastMessageAt: string | null;
  unread?: number;
  /** The open routing task (waiting, offered, assigned or in wrap-up); null when none is. */
  taskId?: string | null;
}

export interface Message {
  id: string;
  conversationId: string;
  direction: 'in' | 'out';
  senderType: 'customer' | 'agent' | 'system' | 'bot';
  senderId: string | null;
  channelType: string;
  contentType: string;
  text: string;
  payload: Record<string, unknown>;
  deliveryStatus: string;
  deliveryError: string | null;
  createdAt: string;
}

export interface Note {
  id: string;
  conversationId: string;
  authorId: string;
  authorName: string;
  text: string;
  mentions: string[];
  createdAt: string;
}

export interface Identity {
  id: string;
  kind: string;
  value: string;
  verified: boolean;
  createdAt: string;
}

export interface Customer {
  id: string;
  displayName: string;
  tier: number;
  attributes: Record<string, unknown>;
  identities: Identity[];
  mergedInto: string | null;
  createdAt: string;
}

export type TimelineEntry =
  | {
      id: string;
      kind: 'message';
      at: string;
      conversationId: string;
      conversationStatus: string;
      channelType: string;
      direction: 'in' | 'out';
      senderType: string;
      contentType: string;
      text: string;
      deliveryStatus: string;
      channelChanged: boolean;
    }
  | {
      id: string;
      kind: 'merge';
      at: string;
      role: 'survivor' | 'merged';
      otherCustomerId: string;
      confidence: number;
      source: string;
      status: 'active' | 'undone';
    };

export interface Reservation {
  id: string;
  taskId: string;
  agentId: string;
  createdAt: number;
  expiresAt: number;
}

export interface Task {
  id: string;
  status: string;
  attributes: Record<string, unknown> & { channel?: string; conversationId?: string; customerId?: string };
  priority: number;
  queueId?: string;
  agentId?: string;
}

export interface AgentStats {
  agentId: string;
  state: 'offline' | 'available' | 'busy' | 'wrap_up' | 'break';
  reason?: string;
  sinceMs: number;
  load: Record<string, number>;
  capacity: Record<string, number>;
}

export interface Queue {
  id: string;
  name: string;
}

export interface User {
  id: string;
  displayName: string;
  email: string;
  role: string;
  status: string;
}

export interface CannedResponse {
  id: string;
  title: string;
  shortcut?: string;
  body: string;
  language?: string;
}

export interface DispositionCode {
  id: string;
  code: string;
  labels: Record<string, string>;
  active: boolean;
}

export interface MergeSuggestion {
  id: string;
  customerIds: [string, string];
  confidence: number;
  evidence: { source: string; identifiers?: { kind: string; value: string }[]; note?: string };
  status: string;
}

/** A 404 (an endpoint not deployed yet, or a thing gone) as `fallback`; any other error is thrown. */
export async function orMissing<T>(p: Promise<T>, fallback: T): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405)) return fallback;
    throw e;
  }
}

/** Every page of a list (bounded), oldest-first lists such as messages. */
export async function allPages<T>(path: string, max = 10): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null | undefined;
  for (let i = 0; i < max; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await get<{ items: T[]; nextCursor?: string | null }>(
      `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return out;
}

/** Customers by id, fetched once each and shared by the inbox, offers and the 360 panel. */
class CustomerCache {
  private readonly values = new Map<string, Customer>();
  private readonly pending = new Map<string, Promise<Customer | undefined>>();
  private readonly listeners = new Set<() => void>();
  version = 0;

  get(id: string): Customer | undefined {
    return this.values.get(id);
  }

  load(id: string, fresh = false): Promise<Customer | undefined> {
    if (!fresh && this.values.has(id)) return Promise.resolve(this.values.get(id));
    if (!fresh && this.pending.has(id)) return this.pending.get(id)!;
    const p = get<Customer>(`/api/v1/customers/${id}`)
      .then((c) => {
        this.set(c);
        return c;
      })
      .catch(() => undefined)
      .finally(() => this.pending.delete(id));
    this.pending.set(id, p);
    return p;
  }

  set(c: Customer): void {
    this.values.set(c.id, c);
    this.version++;
    for (const l of this.listeners) l();
  }

  subscribe(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

export const customers = new CustomerCache();

/** The name to show for a customer: their display name, else their first identity, else a short id. */
export function customerName(c: Customer | undefined, fallback: string): string {
  if (!c) return fallback;
  if (c.displayName) return c.displayName;
  const first = c.identities.find((i) => i.kind !== 'device' && i.kind !== 'cookie');
  return first?.value ?? fallback;
}

/** A short tag telling nameless visitors apart ("Visitor 3F2A"): the id's last characters. */
export function shortTag(id: string): string {
  return id.replace(/-/g, '').slice(-4).toUpperCase();
}

/** The conversation's open routing task: the server's answer, else remembered from offers this tab saw. */
const TASKS_KEY = 'sb.agent.tasks';
function readTaskMap(): Record<string, string> {
  try {
    return JSON.parse(localStorage.getItem(TASKS_KEY) ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}
export function rememberTask(conversationId: string, taskId: string): void {
  const m = readTaskMap();
  m[conversationId] = taskId;
  const keys = Object.keys(m);
  // Only the recent ones matter: keep the map small.
  for (const k of keys.slice(0, Math.max(0, keys.length - 200))) delete m[k];
  localStorage.setItem(TASKS_KEY, JSON.stringify(m));
}
export async function taskOfConversation(conversationId: string): Promise<string | undefined> {
  // GET /conversations/:id names its open task (taskId), so this works after a reload too.
  try {
    const c = await get<Conversation>(`/api/v1/conversations/${conversationId}`);
    if (c.taskId !== undefined) return c.taskId ?? undefined;
  } catch {
    // Fall back to what this browser remembers.
  }
  return readTaskMap()[conversationId];
}

export function markRead(conversationId: string): void {
  void post(`/api/v1/conversations/${conversationId}/read`).catch(() => undefined);
}

export const CHANNEL_CLASSES = ['chat', 'email', 'voice', 'video'] as const;
