import type { Logger } from 'pino';
import { recordCall, resolveCaller } from '../../conversations/index.js';
import { type Clock, NotFound, systemActor } from '../../core/index.js';
import { matchInBackground } from '../../identity/index.js';
import { createTask, type RoutingLive } from '../../routing/index.js';
import type { Db, Outbox } from '../../storage/index.js';
import { getBusinessHours, type Schedule } from '../../workspace/index.js';
import type { PromptAudio } from '../tts/index.js';
import { type CollectOptions, type IvrCall, type IvrOutcome, type IvrResult, runFlow } from './engine.js';
import type { AttributeValue } from './flow.js';
import { numberOwner } from './numbers.js';
import type { PromptAudioSource } from './prompt-audio.js';
import { loadFlow, TARGET_QUEUE_ATTRIBUTE } from './store.js';
import type { CompiledFlow } from './validate.js';

/**
 * One inbound call, from the dialled number to a waiting task: whose number it is (the tenant) and
 * which flow answers it; who is calling (the caller's number resolved to a customer before the IVR
 * answers, a new number making a new customer); the flow run on the call; then the call recorded as
 * a voice conversation carrying the IVR path, and, when the flow queues it, a routing task with the
 * attributes the flow set.
 */

/** The call as call control hands it over: audio out (8 kHz G.711 µ-law), DTMF in. */
export interface MediaCall {
  /** The SIP Call-ID (or another id unique per call): recording the call twice writes it once. */
  readonly callId: string;
  /** The caller's number as it arrived (From / P-Asserted-Identity); "anonymous" when withheld. */
  readonly from: string;
  /** The number dialled (To / Request-URI), E.164. */
  readonly to: string;
  answer(): Promise<void>;
  /** Resolves when the audio has been played; throws CallerHungUp once the caller has gone. */
  play(audio: PromptAudio): Promise<void>;
  collectDigits(options: CollectOptions): Promise<string>;
  hangup(cause: string): Promise<void>;
  setAttribute?(name: string, value: AttributeValue): void;
  /** Not there yet: a transfer outcome hangs up until call control can transfer. */
  transfer?(to: string): Promise<void>;
}

export interface IvrSessionDeps {
  db: Db;
  outbox: Outbox;
  routing: RoutingLive;
  audio: PromptAudioSource;
  clock: Clock;
  logger: Logger;
}

export interface CallSession {
  /** Undefined when nobody owns the dialled number (the call was refused). */
  tenantId?: string | undefined;
  customerId?: string | undefined;
  conversationId?: string | undefined;
  taskId?: string | undefined;
  flowId?: string | undefined;
  result: IvrResult;
}

const NO_FLOW = '(no flow)';

function straightToQueue(now: number): IvrResult {
  return {
    outcome: { type: 'enqueue', nodeId: NO_FLOW, attributes: {} },
    path: [],
    attributes: {},
    startedAt: now,
    endedAt: now,
  };
}

function outcomeText(o: IvrOutcome): string {
  switch (o.type) {
    case 'enqueue':
      return 'queued for an agent';
    case 'transfer':
      return `transferred to ${o.to}`;
    case 'hangup':
      return `ended by the IVR (${o.cause})`;
    case 'abandoned':
      return 'caller hung up in the IVR';
    case 'failed':
      return `IVR failed (${o.error})`;
  }
}

/** One line for the conversation view: the nodes, with the keys pressed at menus. */
export function callSummary(from: string, to: string, r: IvrResult): string {
  const route = r.path
    .map((s) =>
      s.digits?.some((d) => d !== '') ? `${s.nodeId} [${s.digits.filter((d) => d).join(',')}]` : s.nodeId,
    )
    .join(' › ');
  return `Call from ${from} to ${to} — ${route ? `IVR: ${route} — ` : ''}${outcomeText(r.outcome)}`;
}

async function schedulesOf(deps: IvrSessionDeps, tenantId: string, flow: CompiledFlow | undefined) {
  const out = new Map<string, Schedule>();
  for (const id of flow?.references.businessHoursIds ?? []) {
    try {
      out.set(id, await getBusinessHours({ db: deps.db }, systemActor(tenantId), id));
    } catch (err) {
      // Deleted since the flow was saved: the branch takes its default.
      if (!(err instanceof NotFound)) throw err;
    }
  }
  return out;
}

function ivrCallOf(deps: IvrSessionDeps, tenantId: string, call: MediaCall): IvrCall {
  return {
    play: async (prompt) => call.play(await deps.audio.audioOf(tenantId, prompt)),
    collectDigits: (o) => call.collectDigits(o),
    hangup: (cause) => call.hangup(cause),
    setAttribute: (name, value) => call.setAttribute?.(name, value),
  };
}

/** What the IVR's outcome asks of the call itself once the flow is done. */
async function finish(deps: IvrSessionDeps, call: MediaCall, o: IvrOutcome): Promise<void> {
  try {
    if (o.type === 'transfer') {
      if (call.transfer) await call.transfer(o.to);
      else await call.hangup('transfer_unavailable');
    } else if (o.type === 'failed') await call.hangup('ivr_error');
  } catch (err) {
    deps.logger.warn(
      { err, callId: call.callId },
      'the call could not be transferred or hung up after the IVR',
    );
  }
}

export async function handleInboundCall(deps: IvrSessionDeps, call: MediaCall): Promise<CallSession> {
  const store = { db: deps.db, outbox: deps.outbox };
  const owner = await numberOwner(deps.db, call.to);
  if (!owner) {
    await call.hangup('unknown_number');
    const now = deps.clock.now();
    return {
      result: {
        ...straightToQueue(now),
        outcome: { type: 'hangup', nodeId: NO_FLOW, cause: 'unknown_number' },
      },
    };
  }
  const { tenantId, flowId } = owner;
  const actor = systemActor(tenantId);
  const caller = await resolveCaller(store, actor, call.from);
  let flow: CompiledFlow | undefined;
  let version: number | undefined;
  try {
    const loaded = await loadFlow(deps.db, tenantId, flowId);
    if (loaded.row.active) {
      flow = loaded.flow;
      version = loaded.row.version;
    }
  } catch (err) {
    // The call still reaches an agent: routing's rules place it like any other voice task.
    deps.logger.error({ err, tenantId, flowId, callId: call.callId }, 'the IVR flow could not be loaded');
  }
  const businessHours = await schedulesOf(deps, tenantId, flow);
  const c = caller.customer;
  await call.answer();
  const result = flow
    ? await runFlow(
        flow,
        ivrCallOf(deps, tenantId, call),
        {
          from: call.from,
          to: call.to,
          customer: {
            id: c.id,
            known: !caller.created,
            tier: c.tier,
            displayName: c.displayName,
            attributes: c.attributes,
          },
          businessHours,
        },
        deps.clock,
      )
    : straightToQueue(deps.clock.now());
  const o = result.outcome;
  await finish(deps, call, o);
  const recorded = await recordCall(store, actor, {
    customerId: c.id,
    callId: call.callId,
    summary: callSummary(call.from, call.to, result),
    details: {
      call: {
        id: call.callId,
        from: call.from,
        to: call.to,
        startedAt: new Date(result.startedAt).toISOString(),
        ivrEndedAt: new Date(result.endedAt).toISOString(),
      },
      ivr: {
        flowId,
        flowVersion: version ?? null,
        outcome: o,
        path: result.path,
        attributes: result.attributes,
      },
    },
    status: o.type === 'enqueue' ? 'open' : 'resolved',
    occurredAt: new Date(result.startedAt),
  });
  const session: CallSession = {
    tenantId,
    customerId: c.id,
    conversationId: recorded.conversation.id,
    flowId,
    result,
  };
  if (o.type === 'enqueue') {
    try {
      const task = await createTask(deps.routing, actor, {
        channel: 'voice',
        conversationId: recorded.conversation.id,
        customerId: c.id,
        priority: o.priority,
        attributes: {
          tier: c.tier,
          calledNumber: call.to,
          ...o.attributes,
          ...(o.queueId !== undefined && { [TARGET_QUEUE_ATTRIBUTE]: o.queueId }),
        },
      });
      session.taskId = task.id;
    } catch (err) {
      // The conversation is open and unassigned: a leader's sweep queues it later.
      deps.logger.error({ err, tenantId, callId: call.callId }, 'the call could not be queued');
    }
  }
  // A new caller is matched as a message's sender is: in the identity worker, not waited for.
  if (caller.created) matchInBackground(store, actor, c.id, c, deps.logger);
  return session;
}
