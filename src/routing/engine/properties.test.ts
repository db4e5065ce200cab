// Invariants of the engine over random sequences of arrivals, presence changes, answers, time,
// completions, transfers, abandons and rule edits; and snapshot/restore continuing identically.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/index.js';
import { createRoutingEngine, type RoutingEngine, restoreRoutingEngine } from './engine.js';
import {
  type AgentSpec,
  CHANNEL_CLASSES,
  type ChannelClass,
  channelClassOf,
  type EngineOptions,
  type QueueSpec,
  type RoutingEvent,
  type RuleSet,
} from './model.js';
import type { TaskView } from './views.js';

const QUEUES: QueueSpec[] = [
  { id: 'q-voice', strategy: 'longest-idle', requiredSkills: { phone: 1 } },
  { id: 'q-ring', strategy: 'ring-all' },
  { id: 'q-chat', strategy: 'best-match', requiredSkills: { chat: 2 } },
  { id: 'q-lin', strategy: 'linear', members: ['a3', 'a1', 'a5'] },
  {
    id: 'q-mail',
    strategy: 'round-robin',
    members: ['a0', 'a2', 'a4'],
    wrapUpMs: 3000,
    reservationTimeoutMs: 8000,
  },
  { id: 'q-rand', strategy: 'random' },
  { id: 'q-fc', strategy: 'fewest-contacts', reservationTimeoutMs: 5000 },
  { id: 'q-lr', strategy: 'least-recent', wrapUpMs: 2000 },
];

const AGENTS: AgentSpec[] = [
  {
    id: 'a0',
    skills: { phone: 2, chat: 3 },
    languages: ['en', 'zh'],
    teams: [],
    rating: 4,
    capacity: { voice: 1, chat: 2, email: 2 },
  },
  { id: 'a1', skills: { chat: 2 }, languages: ['en'], teams: [], rating: 2, capacity: { chat: 3 } },
  {
    id: 'a2',
    skills: { phone: 1 },
    languages: ['zh'],
    teams: [],
    rating: 5,
    capacity: { voice: 1, email: 1 },
  },
  {
    id: 'a3',
    skills: {},
    languages: ['en', 'fr'],
    teams: [],
    rating: 3,
    capacity: { voice: 1, chat: 1, email: 1, video: 1 },
  },
  {
    id: 'a4',
    skills: { phone: 3, chat: 1 },
    languages: ['fr'],
    teams: [],
    rating: 1,
    capacity: { voice: 1, chat: 2 },
  },
  {
    id: 'a5',
    skills: { chat: 5 },
    languages: ['zh', 'en'],
    teams: [],
    rating: 3,
    capacity: { chat: 2, email: 3 },
  },
];

const RULES: RuleSet[] = [
  {
    version: 0,
    steps: [
      { id: 'voice', filter: "task.channel == 'voice'", queueId: 'q-voice', timeoutMs: 5000 },
      { id: 'voice-ring', filter: "task.channel == 'voice'", queueId: 'q-ring' },
      {
        id: 'zh',
        filter: "has(task.language) && task.language == 'zh'",
        queueId: 'q-chat',
        agentFilter: "'zh' in agent.languages",
        timeoutMs: 4000,
      },
      { id: 'vip', filter: 'task.tier >= 2', queueId: 'q-lin', priorityBoost: 3 },
      { id: 'mail', filter: "task.channel == 'email'", queueId: 'q-mail' },
    ],
    defaultQueueId: 'q-rand',
  },
  {
    version: 1,
    steps: [
      { id: 'lang', queueId: 'q-chat', agentFilter: 'task.language in agent.languages', timeoutMs: 3000 },
      { id: 'fc', queueId: 'q-fc', priorityBoost: -1, timeoutMs: 6000 },
      { id: 'lr', filter: "task.channel != 'voice'", queueId: 'q-lr', agentFilter: 'agent.rating >= 3' },
    ],
  },
  { version: 2, steps: [{ id: 'only-chat', filter: "task.channel == 'chat'", queueId: 'q-fc' }] },
];

/** The agentFilters above, written again in plain TypeScript for the brute-force check. */
const AGENT_FILTERS: Record<string, (a: AgentSpec, t: TaskView) => boolean> = {
  zh: (a) => a.languages.includes('zh'),
  lang: (a, t) => typeof t.attributes.language === 'string' && a.languages.includes(t.attributes.language),
  lr: (a) => a.rating >= 3,
};

type Op =
  | { kind: 'submit'; channel: string; language?: string; tier: number; customer?: string; priority: number }
  | { kind: 'presence'; agent: number; presence: 'available' | 'break' | 'offline' }
  | { kind: 'accept' | 'reject'; pick: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'complete' | 'abandon' | 'cancel'; pick: number }
  | { kind: 'transfer'; pick: number; toAgent: boolean; target: number }
  | { kind: 'rules'; variant: number }
  | { kind: 'agent'; agent: number; zh: boolean; chat: number; rating: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('submit' as const),
      channel: fc.constantFrom('voice', 'chat', 'whatsapp', 'email', 'video'),
      language: fc.option(fc.constantFrom('zh', 'en', 'fr'), { nil: undefined }),
      tier: fc.integer({ min: 0, max: 3 }),
      customer: fc.option(fc.constantFrom('c1', 'c2', 'c3'), { nil: undefined }),
      priority: fc.integer({ min: -2, max: 5 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('presence' as const),
      agent: fc.nat(5),
      presence: fc.constantFrom(
        'available' as const,
        'available' as const,
        'break' as const,
        'offline' as const,
      ),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('accept' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reject' as const), pick: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 9000 }) }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('complete' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('abandon' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('transfer' as const),
      pick: fc.nat(),
      toAgent: fc.boolean(),
      target: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('rules' as const), variant: fc.nat(RULES.length - 1) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('agent' as const),
      agent: fc.nat(5),
      zh: fc.boolean(),
      chat: fc.integer({ min: 0, max: 5 }),
      rating: fc.integer({ min: 0, max: 5 }),
    }),
  },
);

interface World {
  clock: ManualClock;
  engine: RoutingEngine;
  events: RoutingEvent[];
  agents: Map<string, AgentSpec>;
  taskIds: string[];
  rules: RuleSet;
}

function world(options: Partial<EngineOptions>): World {
  const clock = new ManualClock(0);
  const engine = createRoutingEngine({ clock, lastAgentHoldMs: 2000, ...options });
  const w: World = { clock, engine, events: [], agents: new Map(), taskIds: [], rules: RULES[0]! };
  engine.onEvent((e) => w.events.push(e));
  engine.setQueues(QUEUES);
  engine.setRules(w.rules);
  for (const a of AGENTS) {
    engine.upsertAgent(a);
    w.agents.set(a.id, a);
    engine.setPresence(a.id, 'available');
    clock.advance(100);
  }
  return w;
}

function tasksIn(w: World, ...statuses: string[]): TaskView[] {
  return w.taskIds.map((id) => w.engine.getTask(id)!).filter((t) => statuses.includes(t.status));
}

/** Turns an op with abstract picks into concrete calls, resolved against `w` (the reference engine). */
function resolve(w: World, op: Op): (x: World) => void {
  const nth = <T>(list: T[], k: number) => list[k % list.length];
  switch (op.kind) {
    case 'submit': {
      const id = `t${w.taskIds.length}`;
      const attributes = {
        channel: op.channel,
        language: op.language,
        tier: op.tier,
        customerId: op.customer,
      };
      return (x) => {
        x.taskIds.push(id);
        x.engine.submitTask({ id, attributes, priority: op.priority });
      };
    }
    case 'presence':
      return (x) =>
        x.engine.setPresence(`a${op.agent}`, op.presence, op.presence === 'break' ? 'lunch' : undefined);
    case 'accept':
    case 'reject': {
      const r = nth(w.engine.pendingReservations(), op.pick);
      return (x) => r && x.engine[op.kind](r.id);
    }
    case 'tick':
      return (x) => {
        const target = x.clock.now() + op.ms;
        for (
          let at = x.engine.nextDeadline();
          at !== undefined && at <= target;
          at = x.engine.nextDeadline()
        ) {
          x.clock.set(Math.max(x.clock.now(), at));
          x.engine.advance();
        }
        x.clock.set(target);
      };
    case 'complete': {
      const t = nth(tasksIn(w, 'assigned', 'wrapping'), op.pick);
      return (x) => t && x.engine.complete(t.id);
    }
    case 'abandon': {
      const t = nth(tasksIn(w, 'waiting', 'reserved'), op.pick);
      return (x) => t && x.engine.abandon(t.id);
    }
    case 'cancel': {
      const t = nth(tasksIn(w, 'waiting', 'reserved', 'assigned', 'wrapping'), op.pick);
      return (x) => t && x.engine.cancel(t.id);
    }
    case 'transfer': {
      const t = nth(tasksIn(w, 'assigned'), op.pick);
      const target = op.toAgent
        ? { agentId: `a${op.target % AGENTS.length}` }
        : { queueId: nth(QUEUES, op.target)!.id };
      return (x) => t && x.engine.transfer(t.id, target);
    }
    case 'rules':
      return (x) => {
        x.rules = { ...RULES[op.variant]!, version: x.rules.version + 1 };
        x.engine.setRules(x.rules);
      };
    case 'agent': {
      const base = AGENTS[op.agent]!;
      const languages = op.zh
        ? [...new Set([...base.languages, 'zh'])]
        : base.languages.filter((l) => l !== 'zh');
      const spec: AgentSpec = {
        ...base,
        languages,
        skills: { ...base.skills, chat: op.chat },
        rating: op.rating,
      };
      return (x) => {
        x.agents.set(spec.id, spec);
        x.engine.upsertAgent(spec);
      };
    }
  }
}

/** Applies a call; domain errors (a conflict, an unavailable transfer target) are part of the behaviour. */
function apply(x: World, call: (x: World) => void): string | undefined {
  try {
    call(x);
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

function eligible(a: AgentSpec, t: TaskView): boolean {
  if (t.directAgentId !== undefined) return t.directAgentId === a.id;
  const q = QUEUES.find((x) => x.id === t.queueId);
  if (!q) return false;
  if (q.members && !q.members.includes(a.id)) return false;
  for (const [skill, min] of Object.entries(q.requiredSkills ?? {}))
    if ((a.skills[skill] ?? 0) < min) return false;
  const filter = t.stepId === undefined ? undefined : AGENT_FILTERS[t.stepId];
  return filter === undefined || filter(a, t);
}

function checkInvariants(w: World, voiceBlocks: boolean): void {
  const all = w.taskIds.map((id) => w.engine.getTask(id));
  const load = new Map<string, Record<ChannelClass, number>>();
  for (const id of w.agents.keys()) load.set(id, { voice: 0, chat: 0, email: 0, video: 0 });
  const holder = new Map<string, string>();
  for (const t of all) {
    // No task is lost: every submitted one is in exactly one known status.
    expect(t).toBeDefined();
    expect(['waiting', 'reserved', 'assigned', 'wrapping', 'completed', 'abandoned', 'canceled']).toContain(
      t!.status,
    );
    const cls = channelClassOf(t!.attributes.channel);
    const offeredTo = t!.reservations.map((r) => r.agentId);
    expect(new Set(offeredTo).size).toBe(offeredTo.length);
    expect(offeredTo.length > 0).toBe(t!.status === 'reserved');
    for (const agentId of offeredTo) load.get(agentId)![cls]++;
    if (t!.status === 'assigned' || t!.status === 'wrapping') {
      expect(t!.agentId).toBeDefined();
      load.get(t!.agentId!)![cls]++;
      holder.set(t!.id, t!.agentId!);
    } else if (t!.status === 'waiting' || t!.status === 'reserved') expect(t!.agentId).toBeUndefined();
  }
  for (const [id, spec] of w.agents) {
    const view = w.engine.getAgent(id)!;
    const used = load.get(id)!;
    // Each held task is listed by exactly the agent holding it.
    expect(view.taskIds).toEqual(
      [...holder]
        .filter(([, a]) => a === id)
        .map(([t]) => t)
        .sort(),
    );
    for (const c of CHANNEL_CLASSES) {
      expect(used[c]).toBeLessThanOrEqual(spec.capacity[c] ?? 0);
      expect(view.load[c] ?? 0).toBe(used[c]);
    }
    if (voiceBlocks && used.voice > 0) expect(used.chat + used.email + used.video).toBe(0);
  }
  // Fixpoint: no available agent with a free slot sits beside a waiting task it could take.
  for (const t of all) {
    if (t!.status !== 'waiting') continue;
    const cls = channelClassOf(t!.attributes.channel);
    for (const [id, spec] of w.agents) {
      const used = load.get(id)!;
      const others = used.chat + used.email + used.video;
      const blocked = voiceBlocks && (cls === 'voice' ? others > 0 : used.voice > 0);
      const fits = used[cls] < (spec.capacity[cls] ?? 0) && !blocked;
      const routable = w.engine.getAgent(id)!.presence === 'available';
      if (routable && fits && eligible(spec, t!)) {
        throw new Error(`agent ${id} is idle beside waiting task ${t!.id} (${JSON.stringify(t)})`);
      }
    }
  }
}

describe('routing engine invariants', () => {
  it('never double-books a slot, never loses or double-assigns a task, and always settles to a fixpoint', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(opArb, { minLength: 10, maxLength: 80, size: 'max' }),
        (voiceBlocks, ops) => {
          const w = world({ voiceBlocksOthers: voiceBlocks });
          checkInvariants(w, voiceBlocks);
          for (const op of ops) {
            apply(w, resolve(w, op));
            checkInvariants(w, voiceBlocks);
          }
        },
      ),
      { numRuns: 150 },
    );
    // 150 runs of up to a few hundred operations, each checked against a brute-force reference: seconds on
    // a quiet machine, longer when the machine is shared.
  }, 120_000);

  it('a restored snapshot continues exactly like the original: same events, same errors, same end state', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 5, maxLength: 50, size: 'max' }),
        fc.array(opArb, { minLength: 5, maxLength: 50, size: 'max' }),
        (before, after) => {
          const a = world({});
          for (const op of before) apply(a, resolve(a, op));
          // Through JSON, as a live adapter would store it.
          const snapshot = JSON.parse(JSON.stringify(a.engine.snapshot()));
          const clock = new ManualClock(a.clock.now());
          const engine = restoreRoutingEngine({ clock, lastAgentHoldMs: 2000 }, snapshot);
          const b: World = {
            clock,
            engine,
            events: [],
            agents: new Map(a.agents),
            taskIds: [...a.taskIds],
            rules: a.rules,
          };
          engine.onEvent((e) => b.events.push(e));
          a.events.length = 0;
          for (const op of after) {
            const call = resolve(a, op);
            expect(apply(b, call)).toEqual(apply(a, call));
            expect(b.events).toEqual(a.events);
          }
          const plain = (w: World) => JSON.parse(JSON.stringify(w.engine.snapshot()));
          expect(plain(b)).toEqual(plain(a));
        },
      ),
      { numRuns: 200 },
    );
  });
});
