// best-match's index must choose exactly the agent a scan of every free agent would: the same
// engine run twice over the same calls, once choosing through the index and once by scanning.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/index.js';
import { indexing } from './best-match-index.js';
import { createRoutingEngine, type RoutingEngine } from './engine.js';
import { agentSpec, harness, queueSpec, staff, task } from './harness.js';
import type { AgentSpec, MatchWeights, RoutingEvent } from './model.js';

const defaults = { ...indexing };
afterEach(() => Object.assign(indexing, defaults));

/** Runs `f` with choices made through the index (built for any free list, dropped often) or by scanning. */
function via<T>(indexed: boolean, f: () => T): T {
  indexing.on = indexed;
  indexing.minFree = 0;
  indexing.slack = 2;
  try {
    return f();
  } finally {
    Object.assign(indexing, defaults);
  }
}

const SKILLS = ['s0', 's1', 's2'];

const agentArb = fc.record({
  skills: fc.dictionary(fc.constantFrom(...SKILLS), fc.integer({ min: 1, max: 5 }), { minKeys: 1 }),
  languages: fc.subarray(['en', 'zh']),
  // Whole ratings tie exactly; ratings a few 1e-9 apart tie within best-match's tolerance.
  rating: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom(3 + 2.5e-9, 3 + 5e-9, 3 + 7.5e-9, 4.2)),
  chat: fc.integer({ min: 0, max: 3 }),
});

const weightsArb: fc.Arbitrary<Partial<MatchWeights> | undefined> = fc.constantFrom(
  undefined,
  { idle: 0 },
  { idle: 0.1, load: 0.3, proficiency: 0.7, rating: 0.2, customerValue: 0.1 },
  { idle: 1e-10, load: 0, proficiency: 0, customerValue: 0 },
  { idle: 2.5e-9, customerValue: 0 },
  { idle: -1 },
);

const opArb = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('submit' as const),
      channel: fc.constantFrom('voice', 'chat'),
      skill: fc.constantFrom(...SKILLS),
      tier: fc.constantFrom(0, 1, 2),
      language: fc.constantFrom('en', 'zh'),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('accept' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reject' as const), pick: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('complete' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.constantFrom(0, 0.5, 1, 250, 3000) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('presence' as const),
      agent: fc.nat(39),
      presence: fc.constantFrom('available' as const, 'offline' as const),
    }),
  },
);

function floor(indexed: boolean, weights: Partial<MatchWeights> | undefined, agents: AgentSpec[]) {
  const clock = new ManualClock(1_000_000);
  const events: RoutingEvent[] = [];
  const engine = via(indexed, () => {
    const e = createRoutingEngine({ clock, weights, voiceBlocksOthers: false });
    e.onEvent((ev) => events.push(ev));
    e.setQueues(
      SKILLS.map((s) => ({ id: `q-${s}`, strategy: 'best-match' as const, requiredSkills: { [s]: 1 } })),
    );
    e.setRules({
      version: 1,
      steps: [
        {
          id: 'zh',
          filter: "task.language == 'zh'",
          queueId: 'q-s0',
          agentFilter: "'zh' in agent.languages",
        },
        {
          id: 's1',
          filter: "task.skill == 's1'",
          queueId: 'q-s1',
          agentFilter: 'task.tier < 2.0 || agent.rating >= 3.0',
        },
      ],
      defaultQueueId: 'q-s2',
    });
    for (const a of agents) {
      e.upsertAgent(a);
      e.setPresence(a.id, 'available');
      clock.advance(agents.length % 3); // sometimes everyone idle since the same instant
    }
    return e;
  });
  return { clock, engine, events };
}

type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

function apply(w: { clock: ManualClock; engine: RoutingEngine }, op: Op, n: number): string | undefined {
  const nth = <T>(list: T[], k: number) => list[k % list.length];
  try {
    switch (op.kind) {
      case 'submit':
        w.engine.submitTask({
          id: `t${n}`,
          attributes: { channel: op.channel, skill: op.skill, tier: op.tier, language: op.language },
        });
        break;
      case 'accept':
      case 'reject': {
        const r = nth(w.engine.pendingReservations(), op.pick);
        if (r) w.engine[op.kind](r.id);
        break;
      }
      case 'complete': {
        const t = nth(
          w.engine.allAgentStats().flatMap((a) => w.engine.getAgent(a.agentId)!.taskIds),
          op.pick,
        );
        if (t) w.engine.complete(t);
        break;
      }
      case 'tick':
        w.clock.advance(op.ms);
        w.engine.advance();
        break;
      case 'presence':
        w.engine.setPresence(`a${op.agent}`, op.presence);
    }
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

describe('best-match through its index', () => {
  it('offers every task to the agent a scan of all free agents would choose', () => {
    fc.assert(
      fc.property(
        weightsArb,
        fc.array(agentArb, { minLength: 2, maxLength: 40 }),
        fc.array(opArb, { minLength: 10, maxLength: 120 }),
        (weights, specs, ops) => {
          const agents = specs.map((s, i) =>
            agentSpec(`a${i}`, { ...s, capacity: { voice: 1, chat: s.chat } }),
          );
          const indexed = floor(true, weights, agents);
          const scanned = floor(false, weights, agents);
          expect(indexed.events).toEqual(scanned.events);
          ops.forEach((op, n) => {
            indexed.events.length = 0;
            scanned.events.length = 0;
            const a = via(true, () => apply(indexed, op, n));
            const b = via(false, () => apply(scanned, op, n));
            expect(a).toBe(b);
            expect(indexed.events).toEqual(scanned.events);
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('leaves a near tie that depends on the order agents became free to the scan, and agrees with it', () => {
    // Rating alone decides (idle time barely counts): c ranks 0.7e-9 behind b and 1.5e-9 behind a.
    // The scan meets c, b, a in that order: b ties c but loses the tie-break (c has been idle
    // longer), a beats c outright. Picking the tie-break winner among those near the top (b)
    // would be wrong.
    const choose = (indexed: boolean) =>
      via(indexed, () => {
        const h = harness(
          { weights: { idle: 1e-10, load: 0, proficiency: 0, customerValue: 0 } },
          { queues: [queueSpec('q', { strategy: 'best-match' })] },
        );
        staff(
          h,
          agentSpec('c', { rating: 3 }),
          agentSpec('b', { rating: 3 + 3.5e-9 }),
          agentSpec('a', { rating: 3 + 7.5e-9 }),
        );
        h.engine.submitTask(task('t1'));
        return h.offeredTo('t1');
      });
    expect(choose(true)).toEqual(['a']);
    expect(choose(false)).toEqual(['a']);
  });
});
