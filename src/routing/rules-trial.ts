// Trying routing rules on a sample task without routing anything: the admin console's "where would
// this go?". The answer comes from a throwaway engine with the tenant's queues and the rules (a draft
// or those in force) and no agents, so it is the engine's own placement, not a re-implementation;
// the per-step trace beside it says why.
import type { Db } from '../storage/index.js';
import {
  type Clock,
  compileRules,
  createRoutingEngine,
  type RuleSet,
  type RuleStep,
  type TaskAttributes,
  taskView,
} from './engine/index.js';
import { loadQueues } from './load.js';
import { currentRules } from './rules-store.js';

/** A task as the triggers would build it from a conversation (triggers.ts): `intent` is its category. */
export interface SampleTask {
  channel: string;
  language?: string | undefined;
  /** The intent's category; `category` wins when both are given. */
  intent?: string | undefined;
  category?: string | undefined;
  tier?: number | undefined;
  csat?: number | undefined;
  priority?: number | undefined;
  attributes?: Record<string, unknown> | undefined;
}

export interface StepTrace {
  stepId: string;
  /** The filter accepted the task (a step without one accepts every task). */
  matched: boolean;
  /** Why the filter could not be evaluated (a missing attribute, a type mismatch): the engine reads that as no match. */
  error?: string | undefined;
  /** False when the step's queue does not exist: the engine then skips the step even if it matched. */
  queueFound: boolean;
}

export interface RuleTrial {
  /** The rules version tried; null for a draft. */
  version: number | null;
  queueId: string | null;
  queueName: string | null;
  /** The step that placed the task; null when none did (the default queue, or nowhere). */
  stepId: string | null;
  trace: StepTrace[];
  /** The task's priority in its queue: its own plus the step's boost. */
  priority: number;
  /** The chosen step's agent filter: only agents passing it are offered the task. */
  agentFilter?: string | undefined;
  /** What CEL sees as `task`. */
  task: Record<string, unknown>;
}

export interface TrialInput {
  /** Draft steps (the PUT /routing/rules body's); the rules in force when absent. */
  steps?: RuleStep[] | undefined;
  defaultQueueId?: string | undefined;
  task: SampleTask;
}

export function sampleAttributes(task: SampleTask): TaskAttributes {
  const category = task.category ?? task.intent;
  return {
    ...task.attributes,
    channel: task.channel,
    ...(task.language !== undefined && { language: task.language }),
    ...(category !== undefined && { category }),
    ...(task.tier !== undefined && { tier: task.tier }),
    ...(task.csat !== undefined && { csat: task.csat }),
  };
}

/** Throws RuleSyntaxError / InvalidInput for draft steps that would not save. Writes nothing. */
export async function tryRules(
  db: Db,
  tenantId: string,
  clock: Clock,
  input: TrialInput,
): Promise<RuleTrial> {
  const draft = input.steps !== undefined;
  const [queues, rules] = await Promise.all([
    loadQueues(db, tenantId),
    draft
      ? ({
          version: 0,
          steps: input.steps ?? [],
          ...(input.defaultQueueId && { defaultQueueId: input.defaultQueueId }),
        } satisfies RuleSet)
      : currentRules(db, tenantId),
  ]);
  const ruleSet: RuleSet = {
    version: rules.version,
    steps: rules.steps,
    ...(rules.defaultQueueId && { defaultQueueId: rules.defaultQueueId }),
  };
  const compiled = compileRules(ruleSet);
  const spec = { id: 'trial', attributes: sampleAttributes(input.task), priority: input.task.priority ?? 0 };

  const engine = createRoutingEngine({ clock });
  engine.setQueues(queues);
  engine.setRules(ruleSet);
  engine.submitTask(spec);
  const placed = engine.getTask(spec.id)!;

  const cel = taskView(spec);
  const known = new Set(queues.map((q) => q.id));
  const trace = compiled.steps.map((step): StepTrace => {
    const queueFound = known.has(step.queueId);
    if (!step.filter) return { stepId: step.id, matched: true, queueFound };
    try {
      return { stepId: step.id, matched: step.filter({ task: cel }) === true, queueFound };
    } catch (err) {
      return { stepId: step.id, matched: false, error: (err as Error).message.split('\n')[0], queueFound };
    }
  });
  const step = compiled.steps.find((s) => s.id === placed.stepId);
  const source = rules.steps.find((s) => s.id === placed.stepId);
  return {
    version: draft ? null : rules.version,
    queueId: placed.queueId ?? null,
    queueName: queues.find((q) => q.id === placed.queueId)?.name ?? null,
    stepId: step?.id ?? null,
    trace,
    priority: placed.priority,
    ...(source?.agentFilter && { agentFilter: source.agentFilter }),
    task: cel,
  };
}
