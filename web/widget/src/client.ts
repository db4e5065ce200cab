import type { RhythmSample } from './rhythm.js';
/**
 * The widget's connection to Switchboard: a visitor session kept in localStorage, history over
 * HTTP, and one WebSocket that carries both directions (protocol: docs/webchat.md). Messages the
 * visitor writes while the socket is down wait in `pending` and go out, with the same clientId,
 * when it is back; the server's idempotency makes a resend harmless.
 */
export interface ChatMedia {
  kind: string;
  url?: string;
  filename?: string;
  mimeType?: string;
}

export interface ChatMessage {
  id?: string;
  clientId?: string;
  /** Seen from the server: `in` is the visitor's, `out` is the agent's. */
  direction: 'in' | 'out';
  text: string;
  media?: ChatMedia[];
  /** pending, failed (ours, not stored); queued, sent, delivered, read (from the server). */
  status?: string;
  createdAt: string;
}

export interface ClientEvents {
  message(m: ChatMessage): void;
  /** Our message was stored (`sent`, with its id) or refused (`failed`). */
  update(clientId: string, status: 'sent' | 'failed', id?: string): void;
  /** The agent is typing (true) or stopped (false). */
  typing(on: boolean): void;
  connection(online: boolean): void;
}

interface Session {
  visitorId: string;
  token: string;
  expiresAt: string;
}

export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
const DAY_MS = 24 * 3600 * 1000;

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class ChatClient {
  private session: Session | undefined;
  private socket: WebSocket | undefined;
  private readonly pending = new Map<string, Record<string, unknown>>();
  private failures = 0;
  private lastId = '';
  private lastTyping = 0;
  private readonly storageKey: string;
  private readonly api: string;

  constructor(
    base: string,
    channel: string,
    private readonly on: ClientEvents,
  ) {
    this.api = `${base}/webchat/${encodeURIComponent(channel)}`;
    this.storageKey = `switchboard-chat:${channel}`;
  }

  async start(): Promise<void> {
    await this.ensureSession(false);
    await this.loadHistory(false);
    this.connect();
  }

  send(text: string, rhythm?: RhythmSample): void {
    const clientId = randomId();
    this.track(
      clientId,
      { type: 'message', clientId, text, ...(rhythm && { rhythm }) },
      { direction: 'in', text },
    );
  }

  async sendFile(file: File): Promise<void> {
    if (file.size > MAX_UPLOAD_BYTES) throw new Error('tooLarge');
    const session = await this.ensureSession(false);
    const url = `${this.api}/upload?token=${encodeURIComponent(session.token)}&name=${encodeURIComponent(file.name)}`;
    const res = await fetch(url, {
      method: 'POST',
      body: file,
      headers: { 'content-type': file.type || 'application/octet-stream' },
    });
    if (!res.ok) throw new Error(res.status === 413 ? 'tooLarge' : 'uploadFailed');
    const stored = (await res.json()) as { name: string; url: string; mimeType: string; size: number };
    const clientId = randomId();
    const media = [{ kind: stored.mimeType.split('/')[0] ?? 'file', url: stored.url, filename: file.name }];
    const info = { name: stored.name, mimeType: stored.mimeType, filename: file.name, size: stored.size };
    this.track(clientId, { type: 'file', clientId, file: info }, { direction: 'in', text: '', media });
  }

  /** At most one typing frame every 3 s: agents need "still typing", not every keystroke. */
  typing(): void {
    const now = Date.now();
    if (now - this.lastTyping < 3000) return;
    this.lastTyping = now;
    this.transmit({ type: 'typing' });
  }

  read(ids: string[]): void {
    if (ids.length) this.transmit({ type: 'read', ids: ids.slice(0, 100) });
  }

  private track(clientId: string, frame: Record<string, unknown>, shown: Omit<ChatMessage, 'createdAt'>) {
    this.pending.set(clientId, frame);
    this.on.message({ ...shown, clientId, status: 'pending', createdAt: new Date().toISOString() });
    this.transmit(frame);
  }

  private transmit(frame: Record<string, unknown>): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  private stored(): Session | undefined {
    try {
      const raw = localStorage.getItem(this.storageKey);
      return raw ? (JSON.parse(raw) as Session) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Renews a day before expiry, so a socket opened now is not refused for an old token. */
  private async ensureSession(force: boolean): Promise<Session> {
    const known = this.session ?? this.stored();
    if (!force && known && Date.parse(known.expiresAt) - Date.now() > DAY_MS) {
      this.session = known;
      return known;
    }
    const res = await fetch(`${this.api}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(known ? { visitorId: known.visitorId, token: known.token } : {}),
    });
    if (!res.ok) throw new Error(`session: ${res.status}`);
    const session = (await res.json()) as Session;
    this.session = session;
    try {
      localStorage.setItem(this.storageKey, JSON.stringify(session));
    } catch {
      // Storage refused (private mode): the chat works for this page view only.
    }
    return session;
  }

  private async loadHistory(catchUp: boolean): Promise<void> {
    const session = await this.ensureSession(false);
    const after = catchUp && this.lastId ? `&after=${this.lastId}` : '';
    const res = await fetch(
      `${this.api}/history?limit=50${after}&token=${encodeURIComponent(session.token)}`,
    );
    if (res.status === 401) {
      await this.ensureSession(true);
      return;
    }
    if (!res.ok) return;
    const page = (await res.json()) as { items: ChatMessage[] };
    for (const m of page.items) this.receive(m);
  }

  private receive(m: ChatMessage): void {
    if (m.id && m.id > this.lastId) this.lastId = m.id;
    if (m.clientId) this.pending.delete(m.clientId);
    this.on.message(m);
  }

  private connect(): void {
    const session = this.session;
    if (!session) return;
    const url = `${this.api.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(session.token)}`;
    const socket = new WebSocket(url);
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      const reconnected = this.failures > 0;
      this.failures = 0;
      this.on.connection(true);
      for (const frame of this.pending.values()) this.transmit(frame);
      if (reconnected) void this.loadHistory(true).catch(() => undefined);
    };
    socket.onmessage = (e) => this.onFrame(String(e.data));
    socket.onclose = (e) => {
      if (this.socket !== socket) return;
      this.on.connection(false);
      this.failures++;
      // 4401: the token is no longer good. A refused upgrade shows only as 1006, so renew after a few.
      const renew = e.code === 4401 || (!opened && this.failures % 3 === 0);
      const delay = Math.min(30_000, 1000 * 2 ** Math.min(this.failures - 1, 5)) * (0.5 + Math.random() / 2);
      setTimeout(() => {
        this.ensureSession(renew)
          .then(() => this.connect())
          .catch(() => socket.onclose?.(new CloseEvent('close', { code: 1006 })));
      }, delay);
    };
  }

  private onFrame(data: string): void {
    let frame: {
      type?: string;
      message?: ChatMessage;
      clientId?: string;
      id?: string;
      retryable?: boolean;
      typing?: boolean;
    };
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    const clientId = frame.clientId;
    if (frame.type === 'message' && frame.message) this.receive(frame.message);
    else if (frame.type === 'typing') this.on.typing(frame.typing !== false);
    else if (frame.type === 'ack' && clientId && frame.id) {
      if (frame.id > this.lastId) this.lastId = frame.id;
      this.pending.delete(clientId);
      this.on.update(clientId, 'sent', frame.id);
    } else if (frame.type === 'error' && clientId && frame.retryable) {
      // Not stored this time (the server is busy): the same frame again shortly.
      setTimeout(() => {
        const again = this.pending.get(clientId);
        if (again) this.transmit(again);
      }, 3000);
    } else if (frame.type === 'error' && clientId) {
      this.pending.delete(clientId);
      this.on.update(clientId, 'failed');
    }
  }
}
