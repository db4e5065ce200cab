import {
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { type DomainEvent, Unavailable } from '../core/index.js';
import {
  type BusLogger,
  type EventBus,
  type EventHandler,
  type SubscribeOptions,
  type Subscription,
  subjectFor,
} from './contract.js';
import { ensureDurable, ensureStream } from './nats-provision.js';
import { assertDurableName, assertPattern, assertSubject, withPrefix } from './subjects.js';

export interface NatsBusOptions {
  url: string;
  /** JetStream stream holding every event; created on connect when missing. */
  stream?: string;
  /** First subject token on the wire; lets test buses own a stream that does not overlap `sb.>`. */
  subjectPrefix?: string;
  logger?: BusLogger;
  /** Handler attempts per event on a durable subscription before it is terminated (max_deliver). */
  maxDeliver?: number;
  /** Redelivery n+1 is delayed `retryBaseMs * 2^(n-1)`. */
  retryBaseMs?: number;
  /** How long a delivered event may stay unacknowledged before JetStream offers it again. */
  ackWaitMs?: number;
}

const PING_TIMEOUT_MS = 2000;
// Small pulls keep a durable group's work spread across members and little stranded on unsubscribe.
const PULL_BATCH = 20;

/** How one subscription treats its consumer; durable and ephemeral differ only here. */
interface Handling {
  handle(m: JsMsg): Promise<void>;
  /** A message pulled but not handed over before unsubscribe. */
  strand(m: JsMsg): void;
  /** Runs on stop, after the pulls are cancelled. */
  discard(): Promise<unknown>;
  label: Record<string, string>;
}

interface Running {
  messages: ConsumerMessages;
  handling: Handling;
  stopped: boolean;
  done: Promise<void>;
}

export async function createNatsBus(options: NatsBusOptions): Promise<EventBus> {
  const stream = options.stream ?? 'SWITCHBOARD';
  const prefix = options.subjectPrefix ?? 'sb';
  const logger = options.logger ?? pino({ name: 'bus' });
  const maxDeliver = options.maxDeliver ?? 5;
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const ackWaitMs = options.ackWaitMs ?? 30_000;

  const nc = await connectTo(options.url);
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc);
    await ensureStream(jsm, stream, prefix);
  } catch (err) {
    await nc.close();
    throw new Unavailable(`JetStream stream ${stream} is not usable: ${messageOf(err)}`, { cause: err });
  }
  const js = jetstream(nc);
  const subscriptions = new Set<Running>();
  let closed = false;
  logConnectionStatus(nc, logger).catch((err) =>
    logger.warn({ err }, 'bus: connection status stream failed'),
  );

  function decode(m: JsMsg): DomainEvent | undefined {
    try {
      return m.json<DomainEvent>();
    } catch (err) {
      logger.error({ err, subject: m.subject, seq: m.seq }, 'bus: undecodable message, terminated');
      m.term('undecodable');
      return undefined;
    }
  }

  async function handleDurable(m: JsMsg, handler: EventHandler, durable: string): Promise<void> {
    const event = decode(m);
    if (!event) return;
    // A long handler must not look dead to the server and get its event handed to another member.
    const keepAlive = setInterval(() => m.working(), ackWaitMs / 2);
    try {
      await handler(event);
      m.ack();
    } catch (err) {
      const attempts = m.info.deliveryCount;
      const context = { err, eventId: event.id, type: event.type, durable, attempts };
      if (attempts >= maxDeliver) {
        logger.error(context, 'bus: handler kept failing, event dead-lettered');
        m.term('handler kept failing');
      } else {
        logger.warn(context, 'bus: handler failed, will redeliver');
        m.nak(retryBaseMs * 2 ** (attempts - 1));
      }
    } finally {
      clearInterval(keepAlive);
    }
  }

  async function handleEphemeral(m: JsMsg, handler: EventHandler, pattern: string): Promise<void> {
    const event = decode(m);
    if (!event) return;
    try {
      await handler(event);
    } catch (err) {
      // At-most-once: ordered consumers cannot nak, and the contract says so.
      logger.warn({ err, eventId: event.id, type: event.type, pattern }, 'bus: ephemeral handler failed');
    }
  }

  async function run(running: Running): Promise<void> {
    const { messages, handling } = running;
    try {
      for await (const m of messages) {
        if (running.stopped) handling.strand(m);
        else await handling.handle(m);
      }
    } catch (err) {
      if (!running.stopped) logger.error({ err, ...handling.label }, 'bus: consume loop failed');
    }
  }

  function start(messages: ConsumerMessages, handling: Handling): Subscription {
    const running: Running = { messages, handling, stopped: false, done: Promise.resolve() };
    if (closed) {
      // close() ran while this subscription was being set up.
      void stop(running, nc, logger);
      throw new Unavailable('event bus is closed');
    }
    running.done = run(running);
    subscriptions.add(running);
    logConsumerStatus(messages, logger, handling.label).catch((err) =>
      logger.warn({ err, ...handling.label }, 'bus: consumer status stream failed'),
    );
    return {
      async unsubscribe() {
        if (!subscriptions.delete(running)) return;
        await stop(running, nc, logger);
      },
    };
  }

  return {
    kind: 'nats',

    async publish(event) {
      if (closed) throw new Unavailable('event bus is closed');
      const subject = subjectFor(event);
      assertSubject(subject);
      try {
        await js.publish(withPrefix(subject, prefix), JSON.stringify(event), { msgID: event.id });
      } catch (err) {
        throw new Unavailable(`could not publish event ${event.id}: ${messageOf(err)}`, { cause: err });
      }
    },

    async subscribe({ pattern, durable, handler }: SubscribeOptions) {
      if (closed) throw new Unavailable('event bus is closed');
      assertPattern(pattern);
      const filter = withPrefix(pattern, prefix);
      if (durable !== undefined) {
        assertDurableName(durable);
        await ensureDurable(jsm, stream, durable, filter, { ackWaitMs, maxDeliver });
        const consumer = await js.consumers.get(stream, durable);
        const messages = await consumer.consume({ max_messages: PULL_BATCH });
        return start(messages, {
          handle: (m) => handleDurable(m, handler, durable),
          // Straight back to the group instead of waiting out ack_wait.
          strand: (m) => m.nak(),
          discard: async () => undefined,
          label: { durable, pattern },
        });
      }
      // Start right after the stream's last message rather than DeliverPolicy.New: an ordered
      // consumer that resets before its first message restarts from its start sequence, and with
      // New that is sequence 1, the whole stream.
      const { state } = await jsm.streams.info(stream);
      const consumer = await js.consumers.get(stream, {
        filter_subjects: filter,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: state.last_seq + 1,
      });
      const messages = await consumer.consume({ max_messages: PULL_BATCH });
      return start(messages, {
        handle: (m) => handleEphemeral(m, handler, pattern),
        strand: () => undefined,
        // Deleted now rather than left to expire after the ordered consumer's inactive threshold.
        discard: () => consumer.delete(),
        label: { pattern },
      });
    },

    async ping() {
      if (closed || nc.isClosed()) throw new Unavailable('event bus is closed');
      try {
        await Promise.race([nc.rtt(), rejectAfter(PING_TIMEOUT_MS)]);
      } catch (err) {
        throw new Unavailable(`NATS is not answering: ${messageOf(err)}`, { cause: err });
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      const all = [...subscriptions];
      subscriptions.clear();
      await Promise.all(all.map((s) => stop(s, nc, logger)));
      await Promise.allSettled(all.map((s) => s.done));
      if (!nc.isClosed()) await nc.drain();
    },
  };
}

async function stop(running: Running, nc: NatsConnection, logger: BusLogger): Promise<void> {
  running.stopped = true;
  // Not awaited: the iterator only finishes after the current handler, which may be the caller.
  running.messages.close().catch((err) => logger.warn({ err }, 'bus: closing a consumer failed'));
  await running.handling
    .discard()
    .catch((err) => logger.warn({ err, ...running.handling.label }, 'bus: deleting a consumer failed'));
  // The server must drop this subscriber's pending pulls before anything else is published.
  await nc.flush().catch(() => undefined);
}

async function connectTo(url: string): Promise<NatsConnection> {
  try {
    return await connect({ servers: url, name: 'switchboard', maxReconnectAttempts: -1 });
  } catch (err) {
    throw new Unavailable(`NATS at ${url} is unreachable: ${messageOf(err)}`, { cause: err });
  }
}

async function logConsumerStatus(messages: ConsumerMessages, logger: BusLogger, label: object) {
  const worth = new Set(['consumer_deleted', 'consumer_not_found', 'stream_not_found', 'heartbeats_missed']);
  for await (const s of messages.status()) {
    if (worth.has(s.type)) logger.warn({ ...s, ...label }, `bus: consumer ${s.type}`);
  }
}

async function logConnectionStatus(nc: NatsConnection, logger: BusLogger) {
  for await (const s of nc.status()) {
    if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error') {
      logger.warn({ status: s }, `bus: NATS ${s.type}`);
    }
  }
}

function rejectAfter(ms: number): Promise<never> {
  return new Promise((_, reject) => {
    setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref();
  });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
