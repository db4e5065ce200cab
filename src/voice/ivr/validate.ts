import type { TSchema } from '@sinclair/typebox';
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ConditionError, compileCondition, type Predicate } from './conditions.js';
import { type FlowProblem, IvrFlowInvalid } from './errors.js';
import {
  AudioPromptSchema,
  ConditionSchema,
  DIGITS,
  type FlowDefinition,
  type FlowNode,
  INPUT_TYPES,
  MAX_NODES,
  NODE_TYPES,
  RESERVED_ATTRIBUTES,
  SpeechPromptSchema,
  schemaOfNode,
  targetsOf,
} from './flow.js';

/**
 * What the schema cannot say about a flow: that every `next` names a node, that the entry exists,
 * that a menu's branches can be typed, that CEL conditions compile, that no loop spins without
 * waiting for the caller. Unreachable nodes and loops a silent caller would go round are warnings.
 */
export interface CompiledFlow {
  definition: FlowDefinition;
  nodes: Map<string, FlowNode>;
  /** Branch conditions by node id, in case order. */
  conditions: Map<string, Predicate[]>;
  /** Ids the flow names outside itself, for the store to check against the tenant's rows. */
  references: { queueIds: string[]; businessHoursIds: string[]; audioIds: string[] };
  warnings: FlowProblem[];
}

export interface FlowCheck {
  flow: CompiledFlow | undefined;
  errors: FlowProblem[];
  warnings: FlowProblem[];
}

// The API checks formats with ajv-formats; TypeBox's own checker needs to be told about uuid.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (v) => UUID.test(v));

const jsonPath = (p: string) => p.replaceAll('/', '.');

function nodeLabel(n: unknown, index: number): string {
  const id = (n as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id ? id : `#${index}`;
}

/** Schema errors of one value; unions are checked against the variant the value means. */
function schemaErrors(
  schema: TSchema,
  value: unknown,
  base: string,
  nodeId: string | undefined,
): FlowProblem[] {
  const out: FlowProblem[] = [];
  for (const e of Value.Errors(schema, value)) {
    const at = e.path;
    const leaf = at.split('/').pop() ?? '';
    const v = e.value as Record<string, unknown> | undefined;
    if (e.message === 'Expected union value' && (leaf === 'prompt' || leaf === 'retryPrompt')) {
      const variant = v && typeof v === 'object' && 'audioId' in v ? AudioPromptSchema : SpeechPromptSchema;
      out.push(...schemaErrors(variant, v, `${base}${jsonPath(at)}`, nodeId));
    } else if (e.message === 'Expected union value' && leaf === 'when') {
      const simple = ConditionSchema.anyOf[1];
      if (v && typeof v === 'object') out.push(...schemaErrors(simple, v, `${base}${jsonPath(at)}`, nodeId));
      else
        out.push({
          path: `${base}${jsonPath(at)}`,
          nodeId,
          message: 'a condition is CEL text or {path, op, value}',
        });
    } else if (e.message === 'Expected union value') {
      out.push({ path: `${base}${jsonPath(at)}`, nodeId, message: 'must be a text, a number or true/false' });
    } else {
      out.push({ path: `${base}${jsonPath(at)}`, nodeId, message: e.message });
    }
  }
  return out;
}

/** Shape errors of a whole definition, paths like `nodes.menu.maxDigits`. Empty when the shape is right. */
export function shapeErrors(def: unknown): FlowProblem[] {
  if (!def || typeof def !== 'object' || Array.isArray(def))
    return [{ path: 'definition', message: 'a flow is an object with entry and nodes' }];
  const d = def as Record<string, unknown>;
  const out: FlowProblem[] = [];
  for (const k of Object.keys(d))
    if (k !== 'entry' && k !== 'nodes') out.push({ path: k, message: 'is not a known field of a flow' });
  if (typeof d.entry !== 'string' || !d.entry)
    out.push({ path: 'entry', message: 'name the node a call enters at' });
  if (!Array.isArray(d.nodes) || d.nodes.length === 0) {
    out.push({ path: 'nodes', message: 'a flow needs at least one node' });
    return out;
  }
  if (d.nodes.length > MAX_NODES) out.push({ path: 'nodes', message: `at most ${MAX_NODES} nodes` });
  d.nodes.forEach((n, i) => {
    const label = nodeLabel(n, i);
    const base = `nodes.${label}`;
    if (!n || typeof n !== 'object') {
      out.push({ path: base, message: 'a node is an object' });
      return;
    }
    const schema = schemaOfNode(n as { type?: unknown; on?: unknown });
    const nodeId = label.startsWith('#') ? undefined : label;
    if (!schema) {
      const t = (n as { type?: unknown }).type;
      out.push({
        path: `${base}.${t === 'branch' ? 'on' : 'type'}`,
        nodeId,
        message:
          t === 'branch'
            ? `node "${label}": a branch is on "businessHours" or "attribute"`
            : `node "${label}": type must be one of ${NODE_TYPES.join(', ')}`,
      });
      return;
    }
    // TypeBox reports a missing field twice (required, then its type): the first says it.
    const seen = new Set<string>();
    for (const p of schemaErrors(schema, n, base, nodeId)) {
      if (seen.has(p.path)) continue;
      seen.add(p.path);
      out.push({ ...p, message: `node "${label}" ${p.path.slice(base.length + 1) || ''}: ${p.message}` });
    }
  });
  return out;
}

function checkNode(
  n: FlowNode,
  ids: Set<string>,
  errors: FlowProblem[],
  conditions: Map<string, Predicate[]>,
) {
  const at = (field: string) => `nodes.${n.id}.${field}`;
  const fail = (field: string, message: string) =>
    errors.push({ path: at(field), nodeId: n.id, message: `node "${n.id}" ${field}: ${message}` });
  for (const t of targetsOf(n)) if (!ids.has(t.to)) fail(t.field, `there is no node "${t.to}"`);
  if (n.type === 'menu') {
    const max = n.maxDigits ?? 1;
    for (const digits of Object.keys(n.branches)) {
      if (!DIGITS.test(digits))
        fail(`branches.${digits}`, 'a branch is the digits 0-9, * or # a caller types');
      else if (digits.length > max)
        fail(`branches.${digits}`, `longer than maxDigits (${max}): it can never be typed`);
      else if (n.terminator && digits.includes(n.terminator))
        fail(`branches.${digits}`, `contains the terminator ${n.terminator}, which ends the entry instead`);
    }
  }
  if (n.type === 'collect' && (n.minDigits ?? 1) > (n.maxDigits ?? 1))
    fail('minDigits', `more than maxDigits (${n.maxDigits ?? 1})`);
  const names = [
    ...(n.type === 'setAttributes' ? Object.keys(n.attributes) : []),
    ...(n.type === 'enqueue' ? Object.keys(n.attributes ?? {}) : []),
    ...((n.type === 'menu' || n.type === 'collect') && n.saveAs ? [n.saveAs] : []),
  ];
  for (const name of names)
    if ((RESERVED_ATTRIBUTES as readonly string[]).includes(name))
      fail('attributes', `"${name}" is set by routing itself and cannot be set by a flow`);
  if (n.type === 'branch' && n.on === 'attribute') {
    const compiled: Predicate[] = [];
    n.cases.forEach((c, i) => {
      try {
        compiled.push(compileCondition(c.when));
      } catch (err) {
        if (!(err instanceof ConditionError)) throw err;
        const where = err.position === undefined ? '' : ` (at character ${err.position + 1})`;
        fail(`cases.${i}.when`, `${err.message}${where}`);
      }
    });
    conditions.set(n.id, compiled);
  }
}

/** A loop made only of nodes that do not wait for the caller (play, branch, setAttributes), as a path. */
function spinningLoop(nodes: Map<string, FlowNode>, follow: (n: FlowNode) => string[]): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    const n = nodes.get(id);
    if (!n) return undefined;
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'open');
    stack.push(id);
    for (const to of follow(n)) {
      const found = visit(to);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of nodes.keys()) {
    const found = visit(id);
    if (found) return found;
  }
  return undefined;
}

export function checkFlow(def: unknown): FlowCheck {
  const shape = shapeErrors(def);
  if (shape.length) return { flow: undefined, errors: shape, warnings: [] };
  const definition = def as FlowDefinition;
  const errors: FlowProblem[] = [];
  const warnings: FlowProblem[] = [];
  const nodes = new Map<string, FlowNode>();
  for (const n of definition.nodes) {
    if (nodes.has(n.id))
      errors.push({ path: `nodes.${n.id}.id`, nodeId: n.id, message: `node id "${n.id}" is used twice` });
    nodes.set(n.id, n);
  }
  const ids = new Set(nodes.keys());
  if (!ids.has(definition.entry))
    errors.push({ path: 'entry', message: `the entry "${definition.entry}" is not a node of the flow` });
  const conditions = new Map<string, Predicate[]>();
  for (const n of nodes.values()) checkNode(n, ids, errors, conditions);

  const spin = spinningLoop(nodes, (n) => (INPUT_TYPES.has(n.type) ? [] : targetsOf(n).map((t) => t.to)));
  if (spin)
    errors.push({
      path: `nodes.${spin[0]}`,
      nodeId: spin[0],
      message: `the loop ${spin.join(' → ')} never waits for the caller (add a menu or collect node to it)`,
    });
  // A caller who never presses a key follows noInput (and a collect's next is not taken).
  const silent = spinningLoop(nodes, (n) =>
    n.type === 'menu' || n.type === 'collect' ? [n.noInput] : targetsOf(n).map((t) => t.to),
  );
  if (!spin && silent)
    warnings.push({
      path: `nodes.${silent[0]}`,
      nodeId: silent[0],
      message: `a caller who presses nothing goes round ${silent.join(' → ')} until the step limit ends the call`,
    });

  if (ids.has(definition.entry)) {
    const seen = new Set<string>([definition.entry]);
    const todo = [definition.entry];
    while (todo.length) {
      const n = nodes.get(todo.pop()!);
      for (const t of n ? targetsOf(n) : [])
        if (ids.has(t.to) && !seen.has(t.to)) {
          seen.add(t.to);
          todo.push(t.to);
        }
    }
    for (const id of ids)
      if (!seen.has(id))
        warnings.push({
          path: `nodes.${id}`,
          nodeId: id,
          message: `node "${id}" cannot be reached from the entry`,
        });
  }
  if (errors.length) return { flow: undefined, errors, warnings };
  const list = [...nodes.values()];
  const prompts = list.flatMap((n) => [
    ...('prompt' in n ? [n.prompt] : []),
    ...('retryPrompt' in n && n.retryPrompt ? [n.retryPrompt] : []),
  ]);
  const unique = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => x !== undefined))];
  const flow: CompiledFlow = {
    definition,
    nodes,
    conditions,
    references: {
      queueIds: unique(list.map((n) => (n.type === 'enqueue' ? n.queueId : undefined))),
      businessHoursIds: unique(
        list.map((n) => (n.type === 'branch' && n.on === 'businessHours' ? n.businessHoursId : undefined)),
      ),
      audioIds: unique(prompts.map((p) => ('audioId' in p ? p.audioId : undefined))),
    },
    warnings,
  };
  return { flow, errors, warnings };
}

/** The flow ready to run, or IvrFlowInvalid listing every problem. */
export function compileFlow(def: unknown): CompiledFlow {
  const { flow, errors } = checkFlow(def);
  if (!flow) throw new IvrFlowInvalid(errors);
  return flow;
}
