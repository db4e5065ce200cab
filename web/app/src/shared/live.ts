// Live events over the server's `/ws` socket: one connection per tab, shared by every screen that
// listens, re-established with back-off when it drops. No polling anywhere in the apps.
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { getToken } from './api';

export interface LiveEvent {
  id: string;
  type: string;
  tenantId: string;
  aggregateType: string;
  aggregateId: string;
  actor: string;
  occurredAt: string;
  // biome-ignore lint/suspicious/noExplicitAny: each event type has its own payload; screens read the fields they know
  payload: any;
}

type Listener = (e: LiveEvent) => void;
type Status = 'connecting' | 'open' | 'closed';

class LiveSocket {
  private socket: WebSocket | undefined;
  private readonly listeners = new Set<Listener>();
  private readonly statusListeners = new Set<() => void>();
  private retry = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;
  status: Status = 'closed';

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close();
    this.socket = undefined;
    this.setStatus('closed');
  }

  private setStatus(s: Status): void {
    this.status = s;
    for (const l of this.statusListeners) l();
  }

  private connect(): void {
    const token = getToken();
    if (!token || this.stopped) return;
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${proto}://${location.host}/ws`);
    this.socket = ws;
    this.setStatus('connecting');
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token }));
    ws.onmessage = (m) => {
      const msg = JSON.parse(String(m.data)) as { type: string; event?: LiveEvent };
      if (msg.type === 'ready') {
        this.retry = 0;
        this.setStatus('open');
      } else if (msg.type === 'event' && msg.event) {
        for (const l of this.listeners) l(msg.event);
      }
    };
    ws.onclose = () => {
      if (this.socket !== ws) return;
      this.setStatus('closed');
      if (this.stopped) return;
      const delay = Math.min(10_000, 500 * 2 ** this.retry++);
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatus(listener: () => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Ephemeral messages to the server (typing indicators), when connected. */
  send(msg: unknown): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(msg));
  }
}

export const live = new LiveSocket();

/** Calls `handler` for every live event whose type matches one of `patterns` (`conversation.*`, exact names). */
export function useLiveEvents(patterns: string[], handler: (e: LiveEvent) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  const key = patterns.join(',');
  useEffect(() => {
    const pats = key.split(',');
    return live.on((e) => {
      if (pats.some((p) => matches(p, e.type))) ref.current(e);
    });
  }, [key]);
}

export function useLiveStatus(): Status {
  return useSyncExternalStore(
    (cb) => live.onStatus(cb),
    () => live.status,
  );
}

export function matches(pattern: string, type: string): boolean {
  if (pattern === '*' || pattern === '>') return true;
  if (pattern.endsWith('.*'))
    return type.startsWith(pattern.slice(0, -1)) && !type.slice(pattern.length - 1).includes('.');
  if (pattern.endsWith('.>')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}
