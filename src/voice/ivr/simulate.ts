import { type Actor, ManualClock, NotFound } from '../../core/index.js';
import { getCustomer } from '../../identity/index.js';
import type { Db } from '../../storage/index.js';
import { getBusinessHours, type Schedule } from '../../workspace/index.js';
import { type IvrCustomer, type IvrOutcome, type PathStep, runFlow } from './engine.js';
import type { FlowProblem } from './errors.js';
import type { AttributeValue, Prompt } from './flow.js';
import { ScriptedCall } from './scripted-call.js';
import { loadFlow } from './store.js';
import { type CompiledFlow, compileFlow } from './validate.js';

/**
 * The flow editor's "try it": the engine on a scripted call, no telephone involved. A sample caller
 * (one of the tenant's customers, or a tier and attributes made up for the test), a digit script
 * and an instant; the saved flow, an older version, or the draft in the editor.
 */
export interface SimulationInput {
  /** A draft to try instead of the saved flow. */
  definition?: unknown;
  version?: number | undefined;
  caller?:
    | {
        number?: string | undefined;
        customerId?: string | undefined;
        tier?: number | undefined;
        known?: boolean | undefined;
        attributes?: Record<string, unknown> | undefined;
      }
    | undefined;
  /** What the caller types at each menu or collect node, in order; '' is silence, "hangup" hangs up. */
  digits: string[];
  /** When the call happens (business hours); default now. */
  at?: string | undefined;
}

export interface Simulation {
  flowId: string;
  /** The saved version simulated; null for a draft. */
  version: number | null;
  outcome: IvrOutcome;
  path: PathStep[];
  attributes: Record<string, AttributeValue>;
  prompts: Prompt[];
  durationMs: number;
  /** Script entries the flow never asked for. */
  unusedDigits: number;
  warnings: FlowProblem[];
}

async function callerOf(db: Db, actor: Actor, c: SimulationInput['caller']): Promise<IvrCustomer> {
  if (c?.customerId) {
    const found = await getCustomer({ db }, actor, c.customerId);
    return {
      id: found.id,
      known: true,
      tier: c.tier ?? found.tier,
      displayName: found.displayName,
      attributes: c.attributes ?? found.attributes,
    };
  }
  return { known: c?.known ?? true, tier: c?.tier ?? 0, attributes: c?.attributes ?? {} };
}

export async function simulateFlow(
  db: Db,
  actor: Actor,
  flowId: string,
  input: SimulationInput,
  now: number,
): Promise<Simulation> {
  let flow: CompiledFlow;
  let version: number | null = null;
  if (input.definition !== undefined) {
    // The draft belongs to a flow of the tenant: its id must be one.
    await loadFlow(db, actor.tenantId, flowId);
    flow = compileFlow(input.definition);
  } else {
    const loaded = await loadFlow(db, actor.tenantId, flowId, input.version);
    flow = loaded.flow;
    version = loaded.row.version;
  }
  const businessHours = new Map<string, Schedule>();
  for (const id of flow.references.businessHoursIds) {
    try {
      businessHours.set(id, await getBusinessHours({ db }, actor, id));
    } catch (err) {
      if (!(err instanceof NotFound)) throw err;
    }
  }
  const clock = new ManualClock(input.at ? Date.parse(input.at) : now);
  const call = new ScriptedCall({ script: input.digits, clock });
  const result = await runFlow(
    flow,
    call,
    {
      from: input.caller?.number ?? '+8613800000000',
      to: '+864000000000',
      customer: await callerOf(db, actor, input.caller),
      businessHours,
    },
    clock,
  );
  return {
    flowId,
    version,
    outcome: result.outcome,
    path: result.path,
    attributes: result.attributes,
    prompts: call.played,
    durationMs: result.endedAt - result.startedAt,
    unusedDigits: call.unused,
    warnings: flow.warnings,
  };
}
