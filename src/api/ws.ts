import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { type Subscription, subjectMatches } from '../bus/index.js';
import type { DomainEvent } from '../core/index.js';
import type { Principal } from '../security/index.js';
import { authenticate } from './auth.js';
import type { ApiContext } from './context.js';

/**
 * Live events for signed-in users. One bus subscription per process fans out to the sockets of
 * each tenant; a socket only ever receives its own tenant's events.
 *
 * Protocol (JSON text frames):
 *   client → {"type":"auth","token":"<JWT>"}            (or ?access_token=<JWT> on the URL)
 *   server → {"type":"ready","tenantId":…,"userId":…}
 *   client → {"type":"subscribe","events":["conversation.*","message.created"],"customerId"?:…,"conversationId"?:…}   (default: all)
 *   server → {"type":"event","event":{…DomainEvent}}
 *   server → {"type":"error","code":…,"detail":…}
 */
interface Client {
  socket: WebSocket;
  principal: Principal;
  /** Event-type patterns with bus wildcards (`conversation.*`, `message.>`); null is everything. */
  filters: string[] | null;
  /** Only events about this customer (a timeline view), when set. */
  customerId: string | null;
  /** Only events about this conversation (a supervisor following one transcript), when set. */
  conversationId: string | null;
}

/** The conversation an event is about: its aggregate, or the `conversationId` its payload names. */
function conversationOf(event: DomainEvent): unknown {
  if (event.aggregateType === 'conversation') return event.aggregateId;
  return (event.payload as { conversationId?: unknown } | null)?.conversationId;
}

const AUTH_TIMEOUT_MS = 5000;

export class WsHub {
  private readonly byTenant = new Map<string, Set<Client>>();
  private subscription: Subscription | undefined;

  async start(ctx: ApiContext): Promise<void> {
    this.subscription = await ctx.bus.subscribe({ pattern: 'sb.>', handler: (e) => this.deliver(e) });
  }

  async stop(): Promise<void> {
    await this.subscription?.unsubscribe();
    for (const clients of this.byTenant.values())
      for (const c of clients) c.socket.close(1001, 'server shutting down');
    this.byTenant.clear();
  }

  get size(): number {
    let n = 0;
    for (const s of this.byTenant.values()) n += s.size;
    return n;
  }

  add(client: Client): void {
    const set = this.byTenant.get(client.principal.tenantId) ?? new Set<Client>();
    this.byTenant.set(client.principal.tenantId, set);
    set.add(client);
    client.socket.once('close', () => {
      set.delete(client);
      if (set.size === 0) this.byTenant.delete(client.principal.tenantId);
    });
  }

  private deliver(event: DomainEvent): void {
    const clients = this.byTenant.get(event.tenantId);
    if (!clients) return;
    const frame = JSON.stringify({ type: 'event', event });
    for (const c of clients) {
      if (c.filters && !c.filters.some((f) => subjectMatches(f, event.type))) continue;
      if (c.customerId && (event.payload as { customerId?: unknown } | null)?.customerId !== c.customerId)
        continue;
      if (c.conversationId && conversationOf(event) !== c.conversationId) continue;
      if (c.socket.readyState === c.socket.OPEN) c.socket.send(frame);
    }
  }
}

function send(socket: WebSocket, frame: Record<string, unknown>): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
}

export async function wsRoutes(app: FastifyInstance, { ctx, hub }: { ctx: ApiContext; hub: WsHub }) {
  app.get('/ws', { websocket: true, schema: { hide: true } }, (socket, request) => {
    let client: Client | undefined;
    const fail = (code: string, detail: string, close = true) => {
      send(socket, { type: 'error', code, detail });
      if (close) socket.close(4401, code);
    };
    const timer = setTimeout(() => {
      if (!client) fail('UNAUTHENTICATED', `send {"type":"auth","token":…} within ${AUTH_TIMEOUT_MS} ms`);
    }, AUTH_TIMEOUT_MS);
    socket.once('close', () => clearTimeout(timer));

    const signIn = async (token: string) => {
      try {
        const principal = await authenticate(ctx, token);
        client = { socket, principal, filters: null, customerId: null, conversationId: null };
        clearTimeout(timer);
        hub.add(client);
        send(socket, { type: 'ready', tenantId: principal.tenantId, userId: principal.userId });
      } catch (err) {
        fail('UNAUTHENTICATED', (err as Error).message);
      }
    };

    socket.on('message', (data) => {
      let msg: {
        type?: unknown;
        token?: unknown;
        events?: unknown;
        customerId?: unknown;
        conversationId?: unknown;
      };
      try {
        msg = JSON.parse(String(data));
      } catch {
        return fail('MALFORMED_JSON', 'frames must be JSON objects', false);
      }
      if (msg.type === 'auth' && typeof msg.token === 'string' && !client) return void signIn(msg.token);
      if (!client) return fail('UNAUTHENTICATED', 'authenticate first');
      if (
        msg.type === 'subscribe' &&
        Array.isArray(msg.events) &&
        msg.events.every((e) => typeof e === 'string')
      ) {
        client.filters = msg.events.length === 0 ? null : (msg.events as string[]);
        client.customerId = typeof msg.customerId === 'string' ? msg.customerId : null;
        client.conversationId = typeof msg.conversationId === 'string' ? msg.conversationId : null;
        return send(socket, {
          type: 'subscribed',
          events: msg.events,
          ...(client.conversationId && { conversationId: client.conversationId }),
        });
      }
      if (msg.type === 'ping') return send(socket, { type: 'pong' });
      fail('UNKNOWN_FRAME', 'expected {"type":"subscribe","events":[…]} or {"type":"ping"}', false);
    });

    const query = request.query as { access_token?: string };
    if (query.access_token) void signIn(query.access_token);
  });
}
