import type { Clock } from '../../core/index.js';
import { type Schedule, scheduleStatus } from '../../workspace/index.js';
import type { ConditionScope } from './conditions.js';
import type { AttributeValue, CollectNode, FlowNode, MenuNode, Prompt } from './flow.js';
import type { CompiledFlow } from './validate.js';

/**
 * The IVR interpreter: runs a compiled flow node by node on a call it only knows through `IvrCall`,
 * with time from an injected clock, so the same code answers live calls, the admin's simulation
 * and property tests. It returns what became of the call (the outcome) and the path it took.
 */

export interface CollectOptions {
  max: number;
  timeoutMs: number;
  terminator?: '#' | '*' | undefined;
}

/** What the IVR needs of a call; call control adapts its own call object to this. */
export interface IvrCall {
  play(prompt: Prompt): Promise<void>;
  /** The keys pressed (the terminator left out); '' when nothing came before the timeout. */
  collectDigits(options: CollectOptions): Promise<string>;
  hangup(cause: string): Promise<void>;
  setAttribute(name: string, value: AttributeValue): void | Promise<void>;
}

/** Thrown by an IvrCall when the caller has hung up: the flow stops where it is. */
export class CallerHungUp extends Error {
  constructor() {
    super('the caller hung up');
  }
}

export interface IvrCustomer {
  id?: string | undefined;
  /** False for a number nobody had called or written from before. */
  known: boolean;
  tier: number;
  displayName?: string | undefined;
  attributes: Record<string, unknown>;
}

export interface IvrContext {
  from: string;
  to: string;
  customer: IvrCustomer;
  /** The schedules the flow's business-hours branches name; a missing one takes the branch's default. */
  businessHours: ReadonlyMap<string, Schedule>;
}

export type IvrOutcome =
  | {
      type: 'enqueue';
      nodeId: string;
      queueId?: string | undefined;
      priority?: number | undefined;
      attributes: Record<string, AttributeValue>;
    }
  | { type: 'transfer'; nodeId: string; to: string; attributes: Record<string, AttributeValue> }
  /** The flow ended the call (a hangup node, or the step or time limit). */
  | { type: 'hangup'; nodeId: string; cause: string }
  /** The caller hung up during the IVR. */
  | { type: 'abandoned'; nodeId: string }
  /** The call could not go on (collecting digits failed). */
  | { type: 'failed'; nodeId: string; error: string };

/** One node the call went through, for the customer's timeline and the simulator. */
export interface PathStep {
  nodeId: string;
  type: FlowNode['type'];
  /** ms after the IVR answered. */
  at: number;
  /** ms spent at this node. */
  ms: number;
  /** Each attempt's entry at a menu or collect node ('' = nothing pressed). */
  digits?: string[] | undefined;
  /** Why the call left as it did: match, noInput, noMatch, open, closed, holiday, case 0, default, … */
  result?: string | undefined;
  next?: string | undefined;
  /** A prompt that could not be played or an attribute the call refused; the flow went on. */
  error?: string | undefined;
}

export interface IvrResult {
  outcome: IvrOutcome;
  path: PathStep[];
  /** Attributes set by the flow (setAttributes, saveAs), without an enqueue node's own. */
  attributes: Record<string, AttributeValue>;
  startedAt: number;
  endedAt: number;
}

export interface RunOptions {
  /** Node visits before the IVR gives up on a call going round in circles. Default 500. */
  maxSteps?: number | undefined;
  /** Time in the IVR before it gives up. Default 15 minutes. */
  maxDurationMs?: number | undefined;
}

export const DEFAULT_MAX_STEPS = 500;
export const DEFAULT_MAX_DURATION_MS = 15 * 60_000;
const DTMF = /[^0-9*#]/g;

interface Run {
  flow: CompiledFlow;
  call: IvrCall;
  ctx: IvrContext;
  clock: Clock;
  start: number;
  attributes: Record<string, AttributeValue>;
  lastDigits: string;
}

/** What the caller typed, as keys only: the terminator and anything past `max` cut off. */
function cleanDigits(raw: unknown, o: CollectOptions): string {
  if (typeof raw !== 'string') return '';
  let d = raw.replace(DTMF, '');
  if (o.terminator) {
    const end = d.indexOf(o.terminator);
    if (end >= 0) d = d.slice(0, end);
  }
  return d.slice(0, o.max);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function play(run: Run, prompt: Prompt, step: PathStep): Promise<void> {
  try {
    await run.call.play(prompt);
  } catch (err) {
    if (err instanceof CallerHungUp) throw err;
    step.error = `prompt not played: ${messageOf(err)}`;
  }
}

async function setAttribute(run: Run, name: string, value: AttributeValue, step: PathStep): Promise<void> {
  run.attributes[name] = value;
  try {
    await run.call.setAttribute(name, value);
  } catch (err) {
    if (err instanceof CallerHungUp) throw err;
    step.error = `attribute ${name} not set on the call: ${messageOf(err)}`;
  }
}

/** Prompt, entry, retries: the next node, with the entries made on the way. */
async function collect(run: Run, n: MenuNode | CollectNode, step: PathStep): Promise<string> {
  const options: CollectOptions = {
    max: n.maxDigits ?? 1,
    timeoutMs: n.timeoutMs ?? 5000,
    terminator: n.terminator,
  };
  const retries = n.retries ?? 2;
  step.digits = [];
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0 && n.retryPrompt) await play(run, n.retryPrompt, step);
    await play(run, n.prompt, step);
    const digits = cleanDigits(await run.call.collectDigits(options), options);
    step.digits.push(digits);
    run.lastDigits = digits;
    let failure: 'noInput' | 'noMatch';
    if (digits === '') failure = 'noInput';
    else if (n.type === 'menu') {
      const to = Object.hasOwn(n.branches, digits) ? n.branches[digits] : undefined;
      if (to !== undefined) {
        step.result = 'match';
        if (n.saveAs) await setAttribute(run, n.saveAs, digits, step);
        return to;
      }
      failure = 'noMatch';
    } else if (digits.length >= (n.minDigits ?? 1)) {
      step.result = 'collected';
      await setAttribute(run, n.saveAs, digits, step);
      return n.next;
    } else failure = 'noMatch';
    if (attempt >= retries) {
      step.result = failure;
      return failure === 'noInput' ? n.noInput : (n.noMatch ?? n.noInput);
    }
  }
}

function scopeOf(run: Run): ConditionScope {
  const c = run.ctx.customer;
  return {
    customer: {
      ...(c.id !== undefined && { id: c.id }),
      known: c.known,
      tier: c.tier,
      displayName: c.displayName ?? '',
      attributes: c.attributes,
    },
    call: { from: run.ctx.from, to: run.ctx.to, digits: run.lastDigits, attributes: { ...run.attributes } },
  };
}

/** Runs one node; returns the next node id, or the outcome when the node ends the IVR. */
async function step(run: Run, n: FlowNode, s: PathStep): Promise<string | IvrOutcome> {
  switch (n.type) {
    case 'play':
      await play(run, n.prompt, s);
      return n.next;
    case 'menu':
    case 'collect':
      return collect(run, n, s);
    case 'branch': {
      if (n.on === 'businessHours') {
        const schedule = run.ctx.businessHours.get(n.businessHoursId);
        if (!schedule) {
          s.result = 'hours not found';
          return n.default;
        }
        const status = scheduleStatus(schedule, new Date(run.clock.now()));
        const key = status.open ? 'open' : status.reason === 'holiday' ? 'holiday' : 'closed';
        s.result = key;
        const to = key === 'holiday' ? (n.cases.holiday ?? n.cases.closed) : n.cases[key];
        return to ?? n.default;
      }
      const scope = scopeOf(run);
      const predicates = run.flow.conditions.get(n.id) ?? [];
      for (let i = 0; i < n.cases.length; i++) {
        if (predicates[i]?.(scope)) {
          s.result = `case ${i}`;
          return n.cases[i]!.next;
        }
      }
      s.result = 'default';
      return n.default;
    }
    case 'setAttributes':
      for (const [k, v] of Object.entries(n.attributes)) await setAttribute(run, k, v, s);
      return n.next;
    case 'enqueue':
      return {
        type: 'enqueue',
        nodeId: n.id,
        ...(n.queueId !== undefined && { queueId: n.queueId }),
        ...(n.priority !== undefined && { priority: n.priority }),
        attributes: { ...run.attributes, ...n.attributes },
      };
    case 'transfer':
      return { type: 'transfer', nodeId: n.id, to: n.to, attributes: { ...run.attributes } };
    case 'hangup':
      await hangUp(run, n.cause ?? 'normal', s);
      return { type: 'hangup', nodeId: n.id, cause: n.cause ?? 'normal' };
  }
}

async function hangUp(run: Run, cause: string, s: PathStep): Promise<void> {
  try {
    await run.call.hangup(cause);
  } catch (err) {
    if (!(err instanceof CallerHungUp)) s.error = `hangup failed: ${messageOf(err)}`;
  }
}

export async function runFlow(
  flow: CompiledFlow,
  call: IvrCall,
  ctx: IvrContext,
  clock: Clock,
  options: RunOptions = {},
): Promise<IvrResult> {
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const maxDuration = options.maxDurationMs ?? DEFAULT_MAX_DURATION_MS;
  const run: Run = { flow, call, ctx, clock, start: clock.now(), attributes: {}, lastDigits: '' };
  const path: PathStep[] = [];
  const done = (outcome: IvrOutcome): IvrResult => ({
    outcome,
    path,
    attributes: run.attributes,
    startedAt: run.start,
    endedAt: clock.now(),
  });
  let id = flow.definition.entry;
  for (;;) {
    const n = flow.nodes.get(id)!;
    const entered = clock.now();
    const s: PathStep = { nodeId: n.id, type: n.type, at: entered - run.start, ms: 0 };
    path.push(s);
    let result: string | IvrOutcome;
    try {
      result = await step(run, n, s);
    } catch (err) {
      s.ms = clock.now() - entered;
      if (err instanceof CallerHungUp) {
        s.result = 'caller hung up';
        return done({ type: 'abandoned', nodeId: n.id });
      }
      s.error = messageOf(err);
      return done({ type: 'failed', nodeId: n.id, error: s.error });
    }
    s.ms = clock.now() - entered;
    if (typeof result !== 'string') return done(result);
    const limit =
      path.length >= maxSteps
        ? 'step_limit'
        : clock.now() - run.start >= maxDuration
          ? 'time_limit'
          : undefined;
    if (limit) {
      s.result = s.result ? `${s.result}; ${limit}` : limit;
      await hangUp(run, limit, s);
      return done({ type: 'hangup', nodeId: n.id, cause: limit });
    }
    s.next = result;
    id = result;
  }
}
