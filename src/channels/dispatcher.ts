import {
  leaseDeliveries,
  markFailed,
  markSent,
  type OutboundJob,
  scheduleRetry,
} from '../conversations/index.js';
import type { IdentityKind, IdentityRef } from '../identity/index.js';
import type { OutboundMessage, SendContext, SendResult } from './contract.js';
import type { Gateway, GatewayDeps } from './gateway.js';

/**
 * Sends queued outbound messages through their channel's adapter. At-least-once: a row is leased,
 * sent, then settled; a crash between send and settle sends again after the lease, which is why
 * adapters pass our message id to providers that de-duplicate by it.
 */
export interface DispatcherOptions {
  pollMs?: number;
  batch?: number;
  leaseMs?: number;
  maxAttempts?: number;
  /** Delay before retry n (1-based), before jitter. */
  backoffMs?: (attempt: number) => number;
  /** Extra state for adapters that keep some (access tokens); one per channel. */
  sendContext: (channelId: string) => SendContext;
}

export interface Dispatcher {
  start(): void;
  /** Sends everything due now; resolves with how many jobs it handled. For tests and shutdown. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

export const defaultBackoff = (attempt: number) => Math.min(1000 * 2 ** (attempt - 1), 10 * 60_000);

function recipientOf(job: OutboundJob, kind: IdentityKind): IdentityRef | undefined {
  const found = job.identities.find((i) => i.kind === kind);
  return found && { kind, value: found.value };
}

function reSubject(subject: unknown): string | undefined {
  if (typeof subject !== 'string' || !subject) return undefined;
  return /^re:/i.test(subject) ? subject : `Re: ${subject}`;
}

/** E-mail answers in the customer's thread: In-Reply-To their last message, References the chain. */
function threadingFor(job: OutboundJob): OutboundMessage['threading'] {
  const last = job.lastInbound;
  if (!last?.providerMessageId) return undefined;
  const t = (last.payload.threading ?? {}) as { references?: string[]; subject?: string };
  return {
    inReplyTo: last.providerMessageId,
    references: [...(t.references ?? []), last.providerMessageId],
    ...(reSubject(t.subject) && { subject: reSubject(t.subject) }),
  };
}

export function createDispatcher(
  deps: GatewayDeps,
  gateway: Gateway,
  options: DispatcherOptions,
): Dispatcher {
  const pollMs = options.pollMs ?? 250;
  const maxAttempts = options.maxAttempts ?? 10;
  const backoff = options.backoffMs ?? defaultBackoff;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = true;

  async function attempt(job: OutboundJob): Promise<SendResult> {
    let loaded: Awaited<ReturnType<Gateway['load']>>;
    try {
      loaded = await gateway.load(job.channelId);
    } catch (err) {
      return { status: 'final', error: `channel unavailable: ${(err as Error).message}` };
    }
    const to = recipientOf(job, loaded.adapter.recipientKind);
    if (!to)
      return { status: 'final', error: `the customer has no ${loaded.adapter.recipientKind} identity` };
    const media = job.payload.media as OutboundMessage['media'];
    const quickReplies = job.payload.quickReplies as OutboundMessage['quickReplies'];
    const msg: OutboundMessage = {
      id: job.messageId,
      to,
      text: job.text,
      ...(media && { media }),
      ...(quickReplies && { quickReplies }),
      ...(threadingFor(job) && { threading: threadingFor(job) }),
    };
    try {
      return await loaded.adapter.send(msg, loaded.config, options.sendContext(job.channelId));
    } catch (err) {
      // An adapter that throws is a bug; the message is not lost, it waits for a retry.
      deps.logger.error({ err, messageId: job.messageId }, 'dispatcher: adapter threw');
      return { status: 'retryable', error: (err as Error).message };
    }
  }

  async function handle(job: OutboundJob): Promise<void> {
    const result = await attempt(job);
    if (result.status === 'sent') return markSent(deps, job, result.providerMessageId);
    if (result.status === 'final' || job.attempts >= maxAttempts) {
      const why =
        result.status === 'final' ? result.error : `gave up after ${job.attempts} attempts: ${result.error}`;
      deps.logger.warn({ messageId: job.messageId, error: why }, 'dispatcher: delivery failed');
      return markFailed(deps, job, why);
    }
    const delay = Math.max(result.retryAfterMs ?? 0, backoff(job.attempts) * (0.8 + Math.random() * 0.4));
    await scheduleRetry(deps, job, result.error, delay);
  }

  async function pass(): Promise<number> {
    let total = 0;
    for (;;) {
      const jobs = await leaseDeliveries(deps.db, options.batch ?? 20, options.leaseMs ?? 60_000);
      if (jobs.length === 0) return total;
      await Promise.all(jobs.map((j) => handle(j)));
      total += jobs.length;
    }
  }

  function runOnce(): Promise<number> {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      timer = setInterval(() => {
        runOnce().catch((err) => deps.logger.error({ err }, 'dispatcher: pass failed'));
      }, pollMs);
      timer.unref();
    },
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
