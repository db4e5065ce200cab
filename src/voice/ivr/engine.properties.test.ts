import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/index.js';
import { type IvrCall, type IvrContext, runFlow } from './engine.js';
import { type FlowDefinition, type FlowNode, INPUT_TYPES, MAX_RETRIES } from './flow.js';
import { HANG_UP, ScriptedCall } from './scripted-call.js';
import { checkFlow } from './validate.js';

const HOURS = '0193a000-0000-7000-8000-000000000001';
const say = { text: '请按1', language: 'zh-CN' as const };
const KINDS = [
  'play',
  'menu',
  'collect',
  'hours',
  'attribute',
  'set',
  'enqueue',
  'transfer',
  'hangup',
] as const;

interface Spec {
  kind: number;
  picks: number[];
  keys: string[];
  retries: number;
  maxDigits: number;
}

/**
 * Any flow the validator accepts can be built this way: nodes that do not wait for the caller lead
 * only forward or to a waiting node (so no loop spins), waiting nodes lead anywhere.
 */
function buildFlow(specs: Spec[]): FlowDefinition {
  const n = specs.length;
  const types = specs.map((s) => KINDS[s.kind % KINDS.length]!);
  const isInput = (i: number) => types[i] === 'menu' || types[i] === 'collect';
  const nodes: FlowNode[] = specs.map((s, i): FlowNode => {
    const id = `n${i}`;
    const anywhere = (k: number) => `n${s.picks[k]! % n}`;
    const allowed = [...Array(n).keys()].filter((j) => j > i || isInput(j));
    const forward = (k: number) => `n${allowed[s.picks[k]! % allowed.length]}`;
    const type = types[i]!;
    if (!isInput(i) && allowed.length === 0) return { id, type: 'hangup' };
    switch (type) {
      case 'play':
        return { id, type: 'play', prompt: say, next: forward(0) };
      case 'menu':
        return {
          id,
          type: 'menu',
          prompt: say,
          maxDigits: s.maxDigits,
          retries: s.retries,
          branches: Object.fromEntries(s.keys.map((d, k) => [d.slice(0, s.maxDigits), anywhere(k % 6)])),
          noInput: anywhere(1),
          noMatch: anywhere(2),
        };
      case 'collect':
        return {
          id,
          type: 'collect',
          prompt: say,
          maxDigits: s.maxDigits,
          minDigits: 1 + (s.picks[3]! % s.maxDigits),
          retries: s.retries,
          saveAs: `c${i}`,
          next: anywhere(0),
          noInput: anywhere(1),
          noMatch: anywhere(2),
        };
      case 'hours':
        return {
          id,
          type: 'branch',
          on: 'businessHours',
          businessHoursId: HOURS,
          cases: { open: forward(0), closed: forward(1) },
          default: forward(2),
        };
      case 'attribute':
        return {
          id,
          type: 'branch',
          on: 'attribute',
          cases: [
            { when: 'customer.tier >= 2', next: forward(0) },
            { when: { path: 'call.digits', op: '==', value: '1' }, next: forward(1) },
          ],
          default: forward(2),
        };
      case 'set':
        return { id, type: 'setAttributes', attributes: { [`a${i}`]: i }, next: forward(0) };
      case 'enqueue':
        return { id, type: 'enqueue', attributes: { via: id } };
      case 'transfer':
        return { id, type: 'transfer', to: '+8610000000' };
      default:
        return { id, type: 'hangup' };
    }
  });
  return { entry: 'n0', nodes };
}

const spec = fc.record({
  kind: fc.nat(),
  picks: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
  keys: fc.array(fc.stringMatching(/^[0-9*]{1,3}$/), { minLength: 1, maxLength: 4 }),
  retries: fc.integer({ min: 0, max: MAX_RETRIES }),
  maxDigits: fc.integer({ min: 1, max: 4 }),
});
const flows = fc.array(spec, { minLength: 1, maxLength: 25 }).map(buildFlow);
/** What a caller might do at each prompt: keys, silence, garbage, or hang up. */
const entry = fc.oneof(
  fc.stringMatching(/^[0-9*#]{0,5}$/),
  fc.constant(''),
  fc.string({ maxLength: 6 }),
  fc.constant(HANG_UP),
);
const customer = fc.record({
  known: fc.boolean(),
  tier: fc.integer({ min: 0, max: 5 }),
  attributes: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue(), { maxKeys: 3 }),
});
const instant = fc.integer({
  min: Date.parse('2024-01-01T00:00:00Z'),
  max: Date.parse('2027-01-01T00:00:00Z'),
});

function contextOf(c: IvrContext['customer']): IvrContext {
  return {
    from: '+8613800138000',
    to: '+864000000000',
    customer: c,
    businessHours: new Map([
      [
        HOURS,
        { timezone: 'Asia/Shanghai', weekly: [{ day: 1, open: '09:00', close: '18:00' }], holidays: [] },
      ],
    ]),
  };
}

const MAX_STEPS = 60;

describe('IVR engine properties', () => {
  it('every generated flow is one the validator accepts', () => {
    fc.assert(
      fc.property(flows, (def) => {
        const { flow, errors } = checkFlow(def);
        expect(errors).toEqual([]);
        expect(flow).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });

  it('any valid flow with any caller input ends within the step limit, its path ending at the outcome', async () => {
    await fc.assert(
      fc.asyncProperty(
        flows,
        fc.array(entry, { maxLength: 40 }),
        customer,
        instant,
        async (def, script, c, at) => {
          const flow = checkFlow(def).flow!;
          const clock = new ManualClock(at);
          const call = new ScriptedCall({ script, clock });
          const r = await runFlow(flow, call, contextOf(c), clock, { maxSteps: MAX_STEPS });
          expect(r.path.length).toBeGreaterThan(0);
          expect(r.path.length).toBeLessThanOrEqual(MAX_STEPS);
          expect(r.path.at(-1)!.nodeId).toBe(r.outcome.nodeId);
          expect(r.path[0]!.nodeId).toBe(def.entry);
          // Each step leads to the next one.
          for (let i = 0; i + 1 < r.path.length; i++) expect(r.path[i]!.next).toBe(r.path[i + 1]!.nodeId);
          // A waiting node asks at most 1 + retries times.
          for (const s of r.path)
            if (INPUT_TYPES.has(s.type)) expect(s.digits!.length).toBeLessThanOrEqual(1 + MAX_RETRIES);
          if (r.outcome.type === 'hangup') expect(call.hungUp).toBe(r.outcome.cause);
          if (call.hungUp === undefined) expect(r.outcome.type).not.toBe('hangup');
          expect(r.endedAt).toBe(clock.now());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws, whatever a call hands back or throws', async () => {
    const anything = fc.oneof(fc.anything(), fc.string({ maxLength: 8 }));
    await fc.assert(
      fc.asyncProperty(
        flows,
        fc.array(anything, { minLength: 1, maxLength: 20 }),
        fc.nat(),
        async (def, answers, seed) => {
          const flow = checkFlow(def).flow!;
          let i = seed;
          const next = () => answers[i++ % answers.length];
          const call: IvrCall = {
            play: async () => {
              if (typeof next() === 'number') throw new Error('media');
            },
            collectDigits: async () => next() as string,
            hangup: async () => {
              if (next() === null) throw new Error('gone');
            },
            setAttribute: () => {
              if (next() === undefined) throw new Error('refused');
            },
          };
          const r = await runFlow(
            flow,
            call,
            contextOf({ known: false, tier: 0, attributes: {} }),
            new ManualClock(0),
            {
              maxSteps: MAX_STEPS,
            },
          );
          expect(r.path.at(-1)!.nodeId).toBe(r.outcome.nodeId);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the validator never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          flows.map((f) => JSON.parse(JSON.stringify(f).replaceAll('"n1"', '1'))),
        ),
        (def) => {
          const r = checkFlow(def);
          expect(r.flow === undefined).toBe(r.errors.length > 0);
        },
      ),
      { numRuns: 500 },
    );
  });
});
