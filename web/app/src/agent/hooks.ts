// The workspace's live state: the agent's own routing state, the offers waiting for them and their
// inbox. Each is read once on mount (and again when the tab regains focus or the socket reconnects)
// and kept current from live events; nothing polls.
import { App } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { ApiError, get, post, put } from '../shared/api';
import type { Me } from '../shared/auth';
import { type LiveEvent, useLiveEvents, useLiveStatus } from '../shared/live';
import {
  type AgentStats,
  type Conversation,
  customers,
  type Message,
  type Reservation,
  rememberTask,
  type Task,
} from './model';

/** Shows an API error the way every screen does. */
export function useFail(): (e: unknown) => void {
  const { message } = App.useApp();
  return useCallback(
    (e: unknown) => {
      if (e instanceof ApiError || e instanceof Error) void message.error(e.message);
    },
    [message],
  );
}

/** Re-runs `fn` when the tab regains focus or the live socket reconnects (a one-time catch-up, not polling). */
export function useRefresh(fn: () => void): void {
  const ref = useRef(fn);
  ref.current = fn;
  const status = useLiveStatus();
  const wasOpen = useRef(status === 'open');
  useEffect(() => {
    if (status === 'open' && !wasOpen.current) ref.current();
    wasOpen.current = status === 'open';
  }, [status]);
  useEffect(() => {
    const onFocus = () => {
      if (document.visibilityState === 'visible') ref.current();
    };
    document.addEventListener('visibilitychange', onFocus);
    return () => document.removeEventListener('visibilitychange', onFocus);
  }, []);
}

/** The current time, ticking every `ms` while `active` (for countdowns and "2 min ago"). */
export function useNow(ms: number, active = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms, active]);
  return now;
}

/** Re-renders when a customer arrives in the shared cache. */
export function useCustomers(): number {
  return useSyncExternalStore(
    (cb) => customers.subscribe(cb),
    () => customers.version,
  );
}

// ---------------------------------------------------------------- presence

export interface Presence {
  stats: AgentStats | null;
  breakReasons: string[];
  busy: boolean;
  set(state: 'available' | 'break' | 'offline', reason?: string): Promise<void>;
}

export function usePresence(me: Me): Presence {
  const fail = useFail();
  // Read from the server on mount (GET …/agents/:id/state), never guessed from a previous visit.
  const [stats, setStats] = useState<AgentStats | null>(null);
  const [breakReasons, setBreakReasons] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  const keep = useCallback((s: AgentStats) => setStats(s), []);

  const load = useCallback(() => {
    get<{ items: string[] }>('/api/v1/routing/break-reasons')
      .then((r) => setBreakReasons(r.items))
      .catch(() => undefined);
    // The agent's own state, load and capacity; routing events keep it current from here.
    get<AgentStats>(`/api/v1/routing/agents/${me.id}/state`)
      .then(keep)
      .catch(() => undefined);
  }, [me.id, keep]);
  useEffect(load, [load]);
  useRefresh(load);

  useLiveEvents(['routing.stats', 'routing.agent.state'], (e) => {
    if (e.type === 'routing.stats') {
      const mine = (e.payload.agents as AgentStats[] | undefined)?.find((a) => a.agentId === me.id);
      if (mine) keep(mine);
    } else if (e.payload.agentId === me.id) {
      setStats((s) =>
        s
          ? { ...s, state: e.payload.state, reason: e.payload.reason, sinceMs: e.payload.at ?? Date.now() }
          : s,
      );
    }
  });

  const set = useCallback(
    async (state: 'available' | 'break' | 'offline', reason?: string) => {
      setBusy(true);
      try {
        keep(
          await put<AgentStats>(`/api/v1/routing/agents/${me.id}/state`, {
            state,
            ...(reason && { reason }),
          }),
        );
      } catch (e) {
        fail(e);
      } finally {
        setBusy(false);
      }
    },
    [me.id, keep, fail],
  );

  return { stats, breakReasons, busy, set };
}

// ---------------------------------------------------------------- offers

export interface Offer extends Reservation {
  task?: Task;
  conversation?: Conversation;
  preview?: string;
  /** When the offer lapses on this browser's clock. */
  localExpiry: number;
}

export interface Offers {
  items: Offer[];
  accept(o: Offer): Promise<string | undefined>;
  reject(o: Offer): Promise<void>;
  pending: Set<string>;
}

async function detail(r: Reservation): Promise<Partial<Offer>> {
  const task = await get<Task>(`/api/v1/routing/tasks/${r.taskId}`).catch(() => undefined);
  const conversationId = task?.attributes.conversationId;
  if (!conversationId) return { ...(task && { task }) };
  const [conversation, messages] = await Promise.all([
    get<Conversation>(`/api/v1/conversations/${conversationId}`).catch(() => undefined),
    get<{ items: Message[] }>(`/api/v1/conversations/${conversationId}/messages?limit=100`).catch(
      () => undefined,
    ),
  ]);
  if (conversation) void customers.load(conversation.customerId);
  const lastIn = messages?.items.filter((m) => m.direction === 'in').at(-1);
  return {
    ...(task && { task }),
    ...(conversation && { conversation }),
    ...(lastIn && { preview: lastIn.text }),
  };
}

export function useOffers(me: Me): Offers {
  const fail = useFail();
  const [items, setItems] = useState<Offer[]>([]);
  const [pending, setPending] = useState<Set<string>>(new Set());
  const gone = useRef(new Set<string>());

  const add = useCallback((r: Reservation) => {
    if (gone.current.has(r.id)) return;
    // The server's clock may differ from ours: keep the offer's length, counted from now.
    const length = Math.max(0, r.expiresAt - r.createdAt);
    const localExpiry = Math.min(Date.now() + length, Date.now() + Math.max(0, r.expiresAt - Date.now()));
    setItems((xs) => (xs.some((x) => x.id === r.id) ? xs : [...xs, { ...r, localExpiry }]));
    void detail(r).then((d) => setItems((xs) => xs.map((x) => (x.id === r.id ? { ...x, ...d } : x))));
  }, []);
  const remove = useCallback((id: string) => {
    gone.current.add(id);
    setItems((xs) => xs.filter((x) => x.id !== id));
  }, []);

  const load = useCallback(() => {
    get<{ items: Reservation[] }>('/api/v1/routing/reservations')
      .then((r) => {
        const ids = new Set(r.items.map((x) => x.id));
        setItems((xs) => xs.filter((x) => ids.has(x.id)));
        for (const x of r.items) add(x);
      })
      .catch(() => undefined);
  }, [add]);
  useEffect(load, [load]);
  useRefresh(load);

  useLiveEvents(['routing.reservation.*'], (e: LiveEvent) => {
    if (e.type === 'routing.reservation.created') {
      const r = e.payload.reservation as Reservation;
      if (r.agentId === me.id) add(r);
    } else if (typeof e.payload.reservationId === 'string') remove(e.payload.reservationId);
  });

  // An offer past its time is gone, whether or not its event has arrived yet.
  const next = items.reduce((m, x) => Math.min(m, x.localExpiry), Number.POSITIVE_INFINITY);
  useEffect(() => {
    if (!Number.isFinite(next)) return;
    const id = setTimeout(
      () => setItems((xs) => xs.filter((x) => x.localExpiry > Date.now())),
      Math.max(0, next - Date.now()) + 50,
    );
    return () => clearTimeout(id);
  }, [next]);

  const mark = useCallback(
    (id: string, on: boolean) =>
      setPending((s) => {
        const n = new Set(s);
        if (on) n.add(id);
        else n.delete(id);
        return n;
      }),
    [],
  );

  const accept = useCallback(
    async (o: Offer) => {
      mark(o.id, true);
      try {
        const r = await post<{ taskId: string; status: string }>(
          `/api/v1/routing/reservations/${o.id}/accept`,
        );
        const task = o.task ?? (await get<Task>(`/api/v1/routing/tasks/${r.taskId}`).catch(() => undefined));
        const conversationId = task?.attributes.conversationId;
        if (conversationId) rememberTask(conversationId, r.taskId);
        remove(o.id);
        return conversationId;
      } catch (e) {
        fail(e);
        remove(o.id);
        return undefined;
      } finally {
        mark(o.id, false);
      }
    },
    [fail, remove, mark],
  );

  const reject = useCallback(
    async (o: Offer) => {
      mark(o.id, true);
      try {
        await post(`/api/v1/routing/reservations/${o.id}/reject`);
      } catch (e) {
        fail(e);
      } finally {
        remove(o.id);
        mark(o.id, false);
      }
    },
    [fail, remove, mark],
  );

  return { items, accept, reject, pending };
}

// ---------------------------------------------------------------- inbox

export interface InboxItem extends Conversation {
  preview?: string;
  previewDirection?: 'in' | 'out';
  typingUntil?: number;
}

export interface Inbox {
  items: InboxItem[];
  loading: boolean;
  /** Adds (or refreshes) a conversation that just became the agent's. */
  bring(id: string): Promise<void>;
  update(c: Partial<Conversation> & { id: string }): void;
  remove(id: string): void;
  clearUnread(id: string): void;
  typing(id: string): boolean;
}

const byRecent = (a: InboxItem, b: InboxItem) =>
  (b.lastMessageAt ?? b.updatedAt).localeCompare(a.lastMessageAt ?? a.updatedAt);

export function useInbox(me: Me, activeId: string | undefined): Inbox {
  const [items, setItems] = useState<InboxItem[]>([]);
  const [loading, setLoading] = useState(true);
  const [typingMap, setTypingMap] = useState<Record<string, number>>({});
  const ids = useRef(new Set<string>());
  ids.current = new Set(items.map((x) => x.id));
  const active = useRef(activeId);
  active.current = activeId;

  const lastMessages = useCallback(async (list: Conversation[]) => {
    // The preview line of the conversations still being worked (few per agent): one read each.
    const open = list.filter((c) => c.status === 'open' || c.status === 'pending').slice(0, 20);
    await Promise.all(
      open.map(async (c) => {
        const page = await get<{ items: Message[] }>(
          `/api/v1/conversations/${c.id}/messages?limit=100`,
        ).catch(() => undefined);
        const last = page?.items.at(-1);
        if (last)
          setItems((xs) =>
            xs.map((x) =>
              x.id === c.id ? { ...x, preview: last.text, previewDirection: last.direction } : x,
            ),
          );
      }),
    );
  }, []);

  const load = useCallback(() => {
    get<{ items: Conversation[] }>(`/api/v1/conversations?assigneeId=${me.id}&limit=100`)
      .then((r) => {
        setItems((xs) => {
          const old = new Map(xs.map((x) => [x.id, x]));
          return r.items
            .map((c) => ({ ...old.get(c.id), ...c, unread: c.unread ?? old.get(c.id)?.unread ?? 0 }))
            .sort(byRecent);
        });
        for (const c of r.items) void customers.load(c.customerId);
        void lastMessages(r.items);
      })
      .catch(() => undefined)
      .finally(() => setLoading(false));
  }, [me.id, lastMessages]);
  useEffect(load, [load]);
  useRefresh(load);

  const bring = useCallback(async (id: string) => {
    const c = await get<Conversation>(`/api/v1/conversations/${id}`).catch(() => undefined);
    if (!c) return;
    void customers.load(c.customerId);
    const page = await get<{ items: Message[] }>(`/api/v1/conversations/${id}/messages?limit=100`).catch(
      () => undefined,
    );
    const last = page?.items.at(-1);
    setItems((xs) => {
      const old = xs.find((x) => x.id === id);
      const next: InboxItem = {
        ...old,
        ...c,
        unread: c.unread ?? old?.unread ?? 0,
        ...(last && { preview: last.text, previewDirection: last.direction }),
      };
      return [next, ...xs.filter((x) => x.id !== id)].sort(byRecent);
    });
  }, []);

  const update = useCallback((c: Partial<Conversation> & { id: string }) => {
    setItems((xs) => xs.map((x) => (x.id === c.id ? { ...x, ...c } : x)));
  }, []);

  const remove = useCallback((id: string) => {
    setItems((xs) => xs.filter((x) => x.id !== id));
  }, []);

  const clearUnread = useCallback((id: string) => {
    setItems((xs) =>
      xs.some((x) => x.id === id && x.unread) ? xs.map((x) => (x.id === id ? { ...x, unread: 0 } : x)) : xs,
    );
  }, []);

  useLiveEvents(['message.received', 'message.created'], (e) => {
    const id = e.payload.conversationId as string | undefined;
    if (!id) return;
    const inbound = e.type === 'message.received';
    if (!ids.current.has(id)) {
      // A returning customer's message in a conversation this agent holds but had not loaded.
      return;
    }
    const seen = active.current === id && document.visibilityState === 'visible';
    setItems((xs) =>
      xs
        .map((x) =>
          x.id === id
            ? {
                ...x,
                lastMessageAt: e.occurredAt,
                preview: e.payload.text ?? x.preview,
                previewDirection: inbound ? ('in' as const) : ('out' as const),
                unread: inbound && !seen ? (x.unread ?? 0) + 1 : x.unread,
                ...(inbound && x.status === 'resolved' && { status: 'open' as const }),
              }
            : x,
        )
        .sort(byRecent),
    );
    if (inbound) setTypingMap((m) => ({ ...m, [id]: 0 }));
  });

  useLiveEvents(['conversation.updated', 'conversation.wrapped_up', 'conversation.assigned'], (e) => {
    const p = e.payload as Partial<Conversation> & { id?: string; conversationId?: string };
    const id = p.id ?? p.conversationId ?? e.aggregateId;
    if (!id) return;
    if (p.assigneeId !== undefined && p.assigneeId !== me.id) {
      setItems((xs) => xs.filter((x) => x.id !== id));
      return;
    }
    if (!ids.current.has(id)) {
      if (p.assigneeId === me.id) void bring(id);
      return;
    }
    const patch: Partial<Conversation> = {};
    if (p.status) patch.status = p.status;
    if (p.tags) patch.tags = p.tags;
    if (p.priority !== undefined) patch.priority = p.priority;
    if (p.queueId !== undefined) patch.queueId = p.queueId;
    setItems((xs) => xs.map((x) => (x.id === id ? { ...x, ...patch } : x)));
  });

  useLiveEvents(['routing.task.assigned'], (e) => {
    const taskId = e.payload.taskId as string;
    void get<Task>(`/api/v1/routing/tasks/${taskId}`)
      .then((task) => {
        const conversationId = task.attributes.conversationId;
        if (!conversationId) return;
        if (e.payload.agentId === me.id) {
          rememberTask(conversationId, taskId);
          void bring(conversationId);
        } else setItems((xs) => xs.filter((x) => x.id !== conversationId));
      })
      .catch(() => undefined);
  });

  // Read in another tab of the same agent.
  useLiveEvents(['conversation.read'], (e) => {
    const id = (e.payload.conversationId ?? e.aggregateId) as string;
    if (e.payload.userId === me.id) clearUnread(id);
  });

  useLiveEvents(['customer.typing'], (e) => {
    const id = e.payload.conversationId as string | undefined;
    if (!id || !ids.current.has(id)) return;
    const on = e.payload.typing !== false;
    setTypingMap((m) => ({ ...m, [id]: on ? Date.now() + 6000 : 0 }));
  });

  const soonest = Object.values(typingMap).reduce(
    (m, v) => (v > Date.now() ? Math.min(m, v) : m),
    Number.POSITIVE_INFINITY,
  );
  const [, tick] = useState(0);
  useEffect(() => {
    if (!Number.isFinite(soonest)) return;
    const id = setTimeout(() => tick((n) => n + 1), Math.max(0, soonest - Date.now()) + 20);
    return () => clearTimeout(id);
  }, [soonest]);

  const typing = useCallback((id: string) => (typingMap[id] ?? 0) > Date.now(), [typingMap]);

  return useMemo(
    () => ({ items, loading, bring, update, remove, clearUnread, typing }),
    [items, loading, bring, update, remove, clearUnread, typing],
  );
}
