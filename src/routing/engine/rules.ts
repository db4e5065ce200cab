// Routing rules compiled once per version: CEL parsed and type-checked, steps validated.
import { type ASTNode, Environment, ParseError, type ParseResult } from '@marcbachmann/cel-js';
import { InvalidInput } from '../../core/index.js';
import { RuleSyntaxError } from './errors.js';
import type { AgentSpec, RuleSet, TaskSpec } from './model.js';

/** `filter` sees only the task; `agentFilter` sees the agent and the task. */
const taskEnv = new Environment().registerVariable('task', 'map');
const agentEnv = new Environment().registerVariable('task', 'map').registerVariable('agent', 'map');
/**
 * `agent` with its fields typed (agentView below), for the editor's check only: a misspelt field
 * (`agent.skil`) is an error there, while the engine, which sees `agent` as a map, would accept
 * the rule and find that it never matches. Not used to compile rules, so stored ones never break.
 */
const typedAgentEnv = new Environment()
  .registerType('Agent', {
    schema: {
      id: 'string',
      name: 'string',
      skills: 'map<string, dyn>',
      languages: 'list<string>',
      teams: 'list<string>',
      rating: 'double',
      attributes: 'map<string, dyn>',
    },
  })
  .registerVariable('task', 'map')
  .registerVariable('agent', 'Agent');

/** A RuleSyntaxError from the parser rather than the type checker. */
class ParseFailure extends RuleSyntaxError {}

export type ExpressionContext = 'task' | 'agent';

export type ExpressionCheck =
  | { valid: true }
  | {
      valid: false;
      error: {
        message: string;
        /**
         * 'syntax' and 'type': saving the rule is refused. 'agent-type': found by checking `agent`'s
         * fields by type; the rule would be saved, but fails (no match) for every agent.
         */
        kind: 'syntax' | 'type' | 'agent-type';
        position: { line: number; column: number; offset: number };
      };
    };

/**
 * Checks one expression as the rule compiler would (`task` context: a step's filter; `agent`: its
 * agentFilter), and then agent fields by name. Positions are 0-based offsets with 1-based line and column.
 */
export function checkExpression(source: string, context: ExpressionContext): ExpressionCheck {
  try {
    compileFilter(context === 'task' ? taskEnv : agentEnv, source, 'expression', context);
  } catch (err) {
    if (!(err instanceof RuleSyntaxError)) throw err;
    return invalid(err, err instanceof ParseFailure ? 'syntax' : 'type');
  }
  if (context === 'agent' && source.trim() !== '') {
    try {
      compileFilter(typedAgentEnv, source, 'expression', context);
    } catch (err) {
      if (!(err instanceof RuleSyntaxError)) throw err;
      return invalid(err, 'agent-type');
    }
  }
  return { valid: true };
}

function invalid(err: RuleSyntaxError, kind: 'syntax' | 'type' | 'agent-type'): ExpressionCheck {
  return {
    valid: false,
    error: {
      // The library appends a source excerpt with a caret; the editor draws its own.
      message: err.message.split('\n')[0]!.trim(),
      kind,
      position: { line: err.line ?? 1, column: err.column ?? 1, offset: err.position ?? 0 },
    },
  };
}

export type CelFilter = ParseResult;

export interface CompiledStep {
  index: number;
  id: string;
  queueId: string;
  filter: CelFilter | undefined;
  /** The filter as a predicate over the CEL task view (a plain comparison skips the CEL evaluator). */
  matches: ((task: Record<string, unknown>) => boolean) | undefined;
  agentFilter: CelFilter | undefined;
  /** False when `agentFilter` never reads `task`: its result then depends on the agent alone and is cached. */
  agentFilterUsesTask: boolean;
  /** Undefined or 0: the task never overflows from this step. */
  timeoutMs: number | undefined;
  priorityBoost: number;
  /** agentFilter results by agent id, for filters that do not read `task`; an agent update drops its entry. */
  readonly agentCache: Map<string, boolean>;
  /** Set when this step is one of two or more in a row whose filter is `task.<attr> == "<text>"` on the same attribute. */
  run: EqualityRun | undefined;
}

/**
 * Consecutive steps that each compare the same attribute with a text (a rule per skill, per
 * language): which of them match a task is one lookup of its value rather than a test per step.
 */
export interface EqualityRun {
  attribute: string;
  /** Index of the first step after the run. */
  end: number;
  /** Text → indexes of the run's steps comparing with it, ascending. */
  steps: Map<string, number[]>;
}

export interface CompiledRules {
  version: number;
  steps: CompiledStep[];
  defaultQueueId: string | undefined;
  source: RuleSet;
}

export const EMPTY_RULES: RuleSet = { version: 0, steps: [] };

/** Throws RuleSyntaxError for a CEL expression that does not parse or type-check, InvalidInput for a malformed step. */
export function compileRules(rules: RuleSet): CompiledRules {
  if (!rules || !Array.isArray(rules.steps)) throw new InvalidInput('rules need a list of steps', 'steps');
  if (!Number.isFinite(rules.version)) throw new InvalidInput('rules need a numeric version', 'version');
  if (rules.defaultQueueId !== undefined && !nonEmpty(rules.defaultQueueId)) {
    throw new InvalidInput('defaultQueueId must be a non-empty string', 'defaultQueueId');
  }
  const seen = new Set<string>();
  const steps = rules.steps.map((step, index): CompiledStep => {
    const at = `steps[${index}]`;
    if (!nonEmpty(step.id)) throw new InvalidInput('a step needs an id', `${at}.id`);
    if (seen.has(step.id)) throw new InvalidInput(`step id ${step.id} is used twice`, `${at}.id`);
    seen.add(step.id);
    if (!nonEmpty(step.queueId)) throw new InvalidInput('a step needs a queueId', `${at}.queueId`);
    if (step.timeoutMs !== undefined && !(Number.isFinite(step.timeoutMs) && step.timeoutMs >= 0)) {
      throw new InvalidInput('timeoutMs must be a non-negative number', `${at}.timeoutMs`);
    }
    if (step.priorityBoost !== undefined && !Number.isFinite(step.priorityBoost)) {
      throw new InvalidInput('priorityBoost must be a number', `${at}.priorityBoost`);
    }
    const agentFilter = compileFilter(agentEnv, step.agentFilter, step.id, 'agentFilter');
    const filter = compileFilter(taskEnv, step.filter, step.id, 'filter');
    return {
      index,
      id: step.id,
      queueId: step.queueId,
      filter,
      matches: filter && (matcherOf(equalityOf(filter.ast)) ?? ((task) => passes(filter, { task }))),
      agentFilter,
      agentFilterUsesTask: agentFilter !== undefined && readsVariable(agentFilter.ast, 'task'),
      timeoutMs: step.timeoutMs || undefined,
      priorityBoost: step.priorityBoost ?? 0,
      agentCache: new Map(),
      run: undefined,
    };
  });
  findRuns(steps);
  return { version: rules.version, steps, defaultQueueId: rules.defaultQueueId, source: rules };
}

function findRuns(steps: CompiledStep[]): void {
  const tests = steps.map((s) => (s.filter === undefined ? undefined : equalityOf(s.filter.ast)));
  for (let i = 0; i < steps.length; ) {
    const attribute = tests[i]?.attribute;
    let end = i + 1;
    while (attribute !== undefined && end < steps.length && tests[end]?.attribute === attribute) end++;
    if (end - i >= 2) {
      const run: EqualityRun = { attribute: attribute!, end, steps: new Map() };
      for (let j = i; j < end; j++) {
        const text = tests[j]!.text;
        const list = run.steps.get(text);
        if (list) list.push(j);
        else run.steps.set(text, [j]);
        steps[j]!.run = run;
      }
    }
    i = end;
  }
}

function nonEmpty(s: unknown): s is string {
  return typeof s === 'string' && s.length > 0;
}

function compileFilter(
  env: Environment,
  source: string | undefined,
  stepId: string,
  field: string,
): CelFilter | undefined {
  if (source === undefined || source.trim() === '') return undefined;
  let parsed: CelFilter;
  try {
    parsed = env.parse(source);
  } catch (err) {
    if (err instanceof ParseError) {
      throw new ParseFailure(err.message, err.range?.start, stepId, field, source);
    }
    throw err;
  }
  const checked = parsed.check();
  if (!checked.valid) {
    const e = checked.error;
    throw new RuleSyntaxError(e?.message ?? 'invalid expression', e?.range?.start, stepId, field, source);
  }
  if (checked.type !== 'bool' && checked.type !== 'dyn') {
    throw new RuleSyntaxError(`a filter must be a condition, not ${checked.type}`, 0, stepId, field, source);
  }
  return parsed;
}

/** Whether an identifier appears anywhere in the AST (a macro variable of that name counts too: a safe over-estimate). */
function readsVariable(node: unknown, name: string): boolean {
  if (Array.isArray(node)) return node.some((n) => readsVariable(n, name));
  if (!node || typeof node !== 'object' || !('op' in node)) return false;
  const n = node as ASTNode;
  if (n.op === 'id') return n.args === name;
  return readsVariable(n.args, name);
}

/** `task.<attr> == "<text>"` (either way round), the commonest step filter. */
function equalityOf(ast: ASTNode): { attribute: string; text: string } | undefined {
  if (ast.op !== '==') return undefined;
  const [left, right] = ast.args;
  const attr = (n: ASTNode) =>
    n.op === '.' && n.args[0].op === 'id' && n.args[0].args === 'task' ? n.args[1] : undefined;
  const text = (n: ASTNode) => (n.op === 'value' && typeof n.args === 'string' ? n.args : undefined);
  const attribute = attr(left) ?? attr(right);
  const value = text(left) ?? text(right);
  if (attribute === undefined || value === undefined) return undefined;
  return { attribute, text: value };
}

/**
 * An equality as a property read. Same answer as CEL: a missing attribute is an error there (no
 * match), another type is unequal.
 */
function matcherOf(
  test: { attribute: string; text: string } | undefined,
): ((task: Record<string, unknown>) => boolean) | undefined {
  if (test === undefined) return undefined;
  const { attribute, text } = test;
  return (task) => textOf(task, attribute) === text;
}

/** The task's attribute when it is its own and a text; undefined otherwise. */
export function textOf(task: Record<string, unknown>, attribute: string): string | undefined {
  if (!Object.hasOwn(task, attribute)) return undefined;
  const v = task[attribute];
  return typeof v === 'string' ? v : undefined;
}

/** Evaluation errors (a missing attribute, a type mismatch) count as "no match" rather than stopping the engine. */
export function passes(filter: CelFilter, context: Record<string, unknown>): boolean {
  try {
    return filter(context) === true;
  } catch {
    return false;
  }
}

/** Whether the step's filter accepts the task (a step without a filter accepts every task). */
export function stepMatches(step: CompiledStep, task: Record<string, unknown>): boolean {
  return step.matches === undefined || step.matches(task);
}

/** What CEL sees as `task`: the attributes, plus the priority it was submitted with and its channel. */
export function taskView(spec: TaskSpec): Record<string, unknown> {
  const view = withoutUndefined(spec.attributes);
  view.priority = spec.priority ?? 0;
  view.channel = spec.attributes.channel;
  return view;
}

/** What CEL sees as `agent`. Numbers stay CEL doubles: `agent.rating >= 4` works, arithmetic needs `1.0`. */
export function agentView(spec: AgentSpec): Record<string, unknown> {
  return {
    id: spec.id,
    name: spec.name ?? '',
    skills: spec.skills,
    languages: spec.languages,
    teams: spec.teams,
    rating: spec.rating,
    attributes: withoutUndefined(spec.attributes ?? {}),
  };
}

// CEL's has() would call a key holding `undefined` present; an absent key is what the author means.
function withoutUndefined(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}
