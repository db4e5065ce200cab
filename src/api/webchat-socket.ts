import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { WebhookRejected } from '../channels/gateway.js';
import type { RawRequest } from '../channels/index.js';
import type { RealtimeSocket } from '../channels/realtime.js';
import { TOKEN_HEADER } from '../channels/webchat/index.js';
import { DomainError } from '../core/index.js';
import type { ApiContext } from './context.js';
import { publicBase, visitorOf } from './webchat-scope.js';

/**
 * `GET /webchat/<channelId>/ws?token=…`: the widget's socket. Every client frame goes through the
 * gateway exactly like a provider's webhook (token check, idempotency by clientId, commit), and
 * only then is acknowledged; replies arrive on it from the dispatcher through the realtime hub.
 *   client → message | file | typing | read (src/channels/webchat/frames.ts), ping
 *   server → {"type":"ready","visitorId"} · {"type":"ack","clientId","id","createdAt"}
 *            {"type":"message","message":{id,direction,text,media?,createdAt,clientId?}}
 *            {"type":"error","clientId"?,"code","detail","retryable"} · {"type":"pong"}
 * Close code 4401: the token is no longer good; renew the session and reconnect.
 */
const MAX_BUFFERED_BYTES = 1 << 20;
const HEARTBEAT_MS = 30_000;

export function realtimeSocket(socket: WebSocket): RealtimeSocket {
  return {
    send(frame) {
      if (socket.readyState !== socket.OPEN || socket.bufferedAmount > MAX_BUFFERED_BYTES) return false;
      socket.send(JSON.stringify(frame));
      return true;
    },
  };
}

/** Terminates a socket whose peer stopped answering pings, so pushes do not go into a dead connection. */
export function keepAlive(socket: WebSocket): void {
  let alive = true;
  socket.on('pong', () => {
    alive = true;
  });
  const timer = setInterval(() => {
    if (!alive) return void socket.terminate();
    alive = false;
    socket.ping();
  }, HEARTBEAT_MS);
  timer.unref();
  socket.once('close', () => clearInterval(timer));
}

/** 20 frames at once, then 2 a second: a person typing never notices, a script does. */
function frameAllowance(burst = 20, perSecond = 2): () => boolean {
  let tokens = burst;
  let at = Date.now();
  return () => {
    const now = Date.now();
    tokens = Math.min(burst, tokens + ((now - at) / 1000) * perSecond);
    at = now;
    if (tokens < 1) return false;
    tokens--;
    return true;
  };
}

type Visitor = ReturnType<typeof visitorOf>;

export async function webchatSocketRoute(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const visitors = new WeakMap<FastifyRequest, Visitor>();
  app.get(
    '/webchat/:channelId/ws',
    {
      websocket: true,
      schema: { hide: true },
      // Before the upgrade: a bad token is refused with a plain 401, no socket is opened.
      preValidation: async (request) => void visitors.set(request, visitorOf(request)),
    },
    (socket, request) => {
      const visitor = visitors.get(request) as Visitor;
      const { row, token, visitorId } = visitor;
      const send = (frame: Record<string, unknown>) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
      };
      const base = publicBase(ctx, request);
      const url = `/webchat/${row.id}/ws`;
      const detach = ctx.realtime.attach(row.id, visitorId, realtimeSocket(socket));
      socket.once('close', detach);
      keepAlive(socket);
      const allowed = frameAllowance();
      let lastTyping = 0;
      // One frame at a time: acks and stored order follow the order the visitor sent.
      let queue = Promise.resolve();

      const handle = async (text: string) => {
        let frame: { type?: unknown; clientId?: unknown };
        try {
          frame = JSON.parse(text);
          if (typeof frame !== 'object' || frame === null) throw new TypeError('not an object');
        } catch {
          return send({
            type: 'error',
            code: 'MALFORMED_JSON',
            detail: 'frames are JSON objects',
            retryable: false,
          });
        }
        const clientId = typeof frame.clientId === 'string' ? frame.clientId : undefined;
        if (frame.type === 'ping') return send({ type: 'pong' });
        if (frame.type === 'typing') {
          if (Date.now() - lastTyping < 1000) return;
          lastTyping = Date.now();
        } else if (!allowed()) {
          return send({
            type: 'error',
            clientId,
            code: 'RATE_LIMITED',
            detail: 'too many frames',
            retryable: true,
          });
        }
        const raw: RawRequest = {
          method: 'POST',
          url,
          publicUrl: `${base}${url}`,
          headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
          query: {},
          rawBody: Buffer.from(text, 'utf8'),
        };
        try {
          await ctx.gateway.accept('webchat', row.id, raw);
        } catch (err) {
          if (err instanceof WebhookRejected) {
            send({ type: 'error', code: 'UNAUTHENTICATED', detail: err.message, retryable: false });
            return socket.close(4401, 'token no longer valid');
          }
          if (err instanceof DomainError && err.status < 500) {
            return send({ type: 'error', clientId, code: err.code, detail: err.message, retryable: false });
          }
          request.log.error(
            { err, channelId: row.id },
            'web chat frame not committed; the widget resends it',
          );
          return send({
            type: 'error',
            clientId,
            code: 'UNAVAILABLE',
            detail: 'not stored; resend',
            retryable: true,
          });
        }
        if (clientId && (frame.type === 'message' || frame.type === 'file')) {
          await acknowledge(ctx, visitor, clientId, send);
        }
      };

      socket.on('message', (data) => {
        const text = String(data);
        queue = queue
          .then(() => handle(text))
          .catch((err) => request.log.error({ err, channelId: row.id }, 'web chat frame failed'));
      });
      send({ type: 'ready', visitorId });
    },
  );
}

/** Acks the sender, and shows the stored message on the visitor's other tabs. */
async function acknowledge(
  ctx: ApiContext,
  { row, visitorId }: Visitor,
  clientId: string,
  send: (frame: Record<string, unknown>) => void,
): Promise<void> {
  const stored = await ctx.storage.db
    .selectFrom('messages')
    .select(['id', 'text', 'content_type', 'payload', 'created_at'])
    .where('tenant_id', '=', row.tenant_id)
    .where('idempotency_key', '=', `wc:${visitorId}:${clientId}`)
    .executeTakeFirst();
  if (!stored) return;
  const createdAt = new Date(stored.created_at).toISOString();
  send({ type: 'ack', clientId, id: stored.id, createdAt });
  const media = (stored.payload as { media?: unknown }).media;
  const message = {
    id: stored.id,
    clientId,
    direction: 'in',
    senderType: 'customer',
    contentType: stored.content_type,
    text: stored.text,
    ...(Array.isArray(media) && { media }),
    createdAt,
  };
  await ctx.realtime.push(row.id, visitorId, { type: 'message', message });
}
