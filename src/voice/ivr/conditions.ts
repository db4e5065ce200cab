import { Environment, ParseError } from '@marcbachmann/cel-js';
import type { Condition } from './flow.js';

/**
 * A branch case's condition as a predicate over what the IVR knows: `customer` (id, known, tier,
 * displayName, attributes) and `call` (from, to, digits last entered, attributes set so far).
 * Written either in CEL, as routing rules are (the same library), or as a path/op/value triple
 * for the editor's simple form. Evaluation errors (a missing attribute) read as "does not hold".
 */
export interface ConditionScope {
  customer: Record<string, unknown>;
  call: Record<string, unknown>;
}

export type Predicate = (scope: ConditionScope) => boolean;

export class ConditionError extends Error {
  constructor(
    message: string,
    /** 0-based offset into a CEL expression, when known. */
    readonly position: number | undefined,
  ) {
    super(message);
  }
}

const env = new Environment().registerVariable('customer', 'map').registerVariable('call', 'map');

function compileCel(source: string): Predicate {
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = env.parse(source);
  } catch (err) {
    if (err instanceof ParseError)
      throw new ConditionError(err.message.split('\n')[0]!.trim(), err.range?.start);
    throw err;
  }
  const checked = parsed.check();
  if (!checked.valid)
    throw new ConditionError(
      (checked.error?.message ?? 'invalid expression').split('\n')[0]!.trim(),
      checked.error?.range?.start,
    );
  if (checked.type !== 'bool' && checked.type !== 'dyn')
    throw new ConditionError(`a condition must be true or false, not ${checked.type}`, 0);
  return (scope) => {
    try {
      return parsed(scope as unknown as Record<string, unknown>) === true;
    } catch {
      return false;
    }
  };
}

function valueAt(scope: ConditionScope, path: string): unknown {
  let v: unknown = scope;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function compare(a: unknown, op: string, b: unknown): boolean {
  if (op === '==') return a === b;
  if (op === '!=') return a !== b;
  // Order only between two numbers or two texts; anything else does not hold.
  const comparable =
    (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
  if (!comparable) return false;
  const x = a as number | string;
  const y = b as number | string;
  if (op === '<') return x < y;
  if (op === '<=') return x <= y;
  if (op === '>') return x > y;
  return x >= y;
}

function compileSimple(c: Exclude<Condition, string>): Predicate {
  const { path, op, value } = c;
  if (op === 'exists') {
    if (value !== undefined) throw new ConditionError('"exists" takes no value', undefined);
    return (scope) => valueAt(scope, path) !== undefined;
  }
  if (value === undefined) throw new ConditionError(`"${op}" needs a value`, undefined);
  if (op === 'in') {
    if (!Array.isArray(value)) throw new ConditionError('"in" needs a list of values', undefined);
    return (scope) => value.includes(valueAt(scope, path) as never);
  }
  if (Array.isArray(value))
    throw new ConditionError(`"${op}" compares with one value, not a list`, undefined);
  return (scope) => compare(valueAt(scope, path), op, value);
}

/** Throws ConditionError for CEL that does not parse or type-check, or an op used with the wrong value. */
export function compileCondition(c: Condition): Predicate {
  return typeof c === 'string' ? compileCel(c) : compileSimple(c);
}
