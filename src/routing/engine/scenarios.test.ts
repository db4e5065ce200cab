// Named routing scenarios: each states one behaviour of the ACD and checks it through events and views.
import { describe, expect, it } from 'vitest';
import { Conflict } from '../../core/index.js';
import { RuleSyntaxError } from './errors.js';
import { agentSpec, type Harness, harness, queueSpec, staff, task } from './harness.js';

const MIN = 60_000;

/** Accepts the task's pending offer (to `agentId` if given) and returns the agent who took it. */
function answer(h: Harness, taskId: string, agentId?: string): string {
  const id = h.offer(taskId, agentId);
  h.engine.accept(id);
  return h.engine.getTask(taskId)!.agentId!;
}

/** Serves everything one agent gets, in order: accept, complete, until nothing is offered to it. */
function drain(h: Harness, agentId: string): string[] {
  const served: string[] = [];
  for (let r = h.engine.pendingReservations(agentId)[0]; r; r = h.engine.pendingReservations(agentId)[0]) {
    h.engine.accept(r.id);
    h.engine.complete(r.taskId);
    served.push(r.taskId);
  }
  return served;
}

describe('choosing an agent', () => {
  it('best-match: an ordinary task goes to the longest-idle agent, a VIP task to the best-rated one', () => {
    const setup = () => {
      const h = harness({}, { queues: [queueSpec('q', { strategy: 'best-match' })] });
      staff(h, agentSpec('veteran', { rating: 3 }), agentSpec('star', { rating: 5 }));
      return h;
    };
    const ordinary = setup();
    ordinary.engine.submitTask(task('t1', 'chat', { tier: 0 }));
    expect(ordinary.offeredTo('t1')).toEqual(['veteran']);
    const vip = setup();
    vip.engine.submitTask(task('t1', 'chat', { tier: 2 }));
    expect(vip.offeredTo('t1')).toEqual(['star']);
  });

  it('best-match prefers the less loaded agent and the more proficient one', () => {
    const h = harness(
      {},
      { queues: [queueSpec('q', { strategy: 'best-match', requiredSkills: { refund: 1 } })] },
    );
    staff(h, agentSpec('novice', { skills: { refund: 1 } }), agentSpec('expert', { skills: { refund: 5 } }));
    h.engine.submitTask(task('t1'));
    expect(h.offeredTo('t1')).toEqual(['expert']);
    h.engine.submitTask(task('t2'));
    expect(h.offeredTo('t2')).toEqual(['novice']);
  });

  it('longest-idle: an ordinary task goes to the agent idle longest', () => {
    const h = harness();
    staff(h, agentSpec('first'), agentSpec('second'), agentSpec('third'));
    h.engine.submitTask(task('t1'));
    expect(h.offeredTo('t1')).toEqual(['first']);
  });

  it('round-robin continues after the agent chosen last, even when an earlier agent is idle longer', () => {
    const h = harness({}, { queues: [queueSpec('q', { strategy: 'round-robin' })] });
    staff(h, ...['a1', 'a2', 'a3'].map((id) => agentSpec(id, { capacity: { chat: 1 } })));
    const chosen: string[] = [];
    for (const id of ['t1', 't2', 't3', 't4']) {
      h.engine.submitTask(task(id));
      chosen.push(answer(h, id));
      h.engine.complete(id);
    }
    expect(chosen).toEqual(['a1', 'a2', 'a3', 'a1']);
  });

  it('linear always starts from the top of the members list', () => {
    const h = harness({}, { queues: [queueSpec('q', { strategy: 'linear', members: ['c', 'a', 'b'] })] });
    staff(h, ...['a', 'b', 'c'].map((id) => agentSpec(id, { capacity: { chat: 1 } })));
    h.engine.submitTask(task('t1'));
    h.engine.submitTask(task('t2'));
    expect([h.offeredTo('t1'), h.offeredTo('t2')]).toEqual([['c'], ['a']]);
    answer(h, 't1');
    h.engine.complete('t1');
    h.engine.submitTask(task('t3'));
    expect(h.offeredTo('t3')).toEqual(['c']);
  });

  it('fewest-contacts picks the agent who handled the fewest tasks', () => {
    const h = harness({}, { queues: [queueSpec('q', { strategy: 'fewest-contacts' })] });
    staff(h, agentSpec('busy-bee', { capacity: { chat: 1 } }));
    for (const id of ['w1', 'w2']) {
      h.engine.submitTask(task(id));
      answer(h, id);
      h.engine.complete(id);
    }
    staff(h, agentSpec('fresh', { capacity: { chat: 1 } }));
    h.clock.advance(MIN);
    h.engine.submitTask(task('t1'));
    expect(h.offeredTo('t1')).toEqual(['fresh']);
  });

  it('least-recent picks the agent whose last task ended longest ago', () => {
    const h = harness({}, { queues: [queueSpec('q', { strategy: 'least-recent' })] });
    staff(h, agentSpec('a1', { capacity: { chat: 1 } }), agentSpec('a2', { capacity: { chat: 1 } }));
    h.engine.submitTask(task('w1'));
    h.engine.submitTask(task('w2'));
    answer(h, 'w1');
    answer(h, 'w2');
    const [first, second] = [h.engine.getTask('w1')!.agentId!, h.engine.getTask('w2')!.agentId!];
    h.engine.complete('w2');
    h.clock.advance(1000);
    h.engine.complete('w1');
    h.engine.submitTask(task('t1'));
    expect(h.offeredTo('t1')).toEqual([second]);
    expect(first).not.toBe(second);
  });

  it('random uses the seeded source: the same setup gives the same choices, run after run', () => {
    const run = () => {
      const h = harness({}, { queues: [queueSpec('q', { strategy: 'random' })] });
      staff(h, ...['a', 'b', 'c', 'd', 'e'].map((id) => agentSpec(id, { capacity: { chat: 1 } })));
      const chosen: string[] = [];
      for (let i = 0; i < 12; i++) {
        h.engine.submitTask(task(`t${i}`));
        chosen.push(answer(h, `t${i}`));
        h.engine.complete(`t${i}`);
      }
      return chosen;
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(1);
  });

  it('random draws from an injected source', () => {
    const h = harness({ random: () => 0.99 }, { queues: [queueSpec('q', { strategy: 'random' })] });
    staff(h, agentSpec('a'), agentSpec('b'), agentSpec('c'));
    h.engine.submitTask(task('t1'));
    expect(h.offeredTo('t1')).toEqual(['c']);
  });

  it('ring-all offers every eligible agent at once; the first accept wins and cancels the others', () => {
    const h = harness({}, { queues: [queueSpec('q', { strategy: 'ring-all' })] });
    staff(h, agentSpec('a1'), agentSpec('a2'), agentSpec('a3'));
    h.engine.submitTask(task('t1'));
    expect(h.offeredTo('t1')).toEqual(['a1', 'a2', 'a3']);
    h.engine.accept(h.offer('t1', 'a2'));
    expect(h.engine.getTask('t1')).toMatchObject({ status: 'assigned', agentId: 'a2', reservations: [] });
    expect(h.eventsOf('reservation.canceled').map((e) => e.agentId)).toEqual(['a1', 'a3']);
    expect(h.engine.getAgent('a1')?.state).toBe('available');
  });
});

describe('rules', () => {
  it('an agentFilter on languages sends a Chinese chat to the agent who speaks Chinese', () => {
    const rules = {
      version: 1,
      steps: [
        { id: 'zh', filter: "task.language == 'zh'", queueId: 'q', agentFilter: "'zh' in agent.languages" },
        { id: 'rest', queueId: 'q' },
      ],
    };
    const h = harness({}, { rules });
    staff(h, agentSpec('en', { languages: ['en'] }), agentSpec('zh', { languages: ['zh', 'en'] }));
    h.engine.submitTask(task('t1', 'chat', { language: 'zh' }));
    expect(h.offeredTo('t1')).toEqual(['zh']);
    h.engine.submitTask(task('t2', 'chat', { language: 'en' }));
    expect(h.offeredTo('t2')).toEqual(['en']);
  });

  it('an agentFilter reading the task matches each task to agents speaking its language', () => {
    const rules = {
      version: 1,
      steps: [{ id: 's', queueId: 'q', agentFilter: 'task.language in agent.languages' }],
    };
    const h = harness({}, { rules });
    h.engine.upsertAgent(agentSpec('fr', { languages: ['fr'], capacity: { chat: 1 } }));
    h.engine.submitTask(task('de1', 'chat', { language: 'de' }));
    h.engine.submitTask(task('fr1', 'chat', { language: 'fr' }));
    h.engine.setPresence('fr', 'available');
    expect(h.offeredTo('fr1')).toEqual(['fr']);
    expect(h.engine.getTask('de1')?.status).toBe('waiting');
  });

  it('a proficiency threshold in the agentFilter excludes weaker agents and agents without the skill', () => {
    const rules = {
      version: 1,
      steps: [{ id: 'refund', queueId: 'q', agentFilter: 'agent.skills.refund >= 3' }],
    };
    const h = harness({}, { rules });
    staff(
      h,
      agentSpec('none'),
      agentSpec('weak', { skills: { refund: 2 } }),
      agentSpec('able', { skills: { refund: 3 } }),
    );
    h.engine.submitTask(task('t1'));
    expect(h.offeredTo('t1')).toEqual(['able']);
  });

  it("a queue's requiredSkills keep agents below the level out of the queue", () => {
    const h = harness({}, { queues: [queueSpec('q', { requiredSkills: { billing: 2 } })] });
    staff(h, agentSpec('no-billing'), agentSpec('billing', { skills: { billing: 4 } }));
    h.engine.submitTask(task('t1'));
    expect(h.offeredTo('t1')).toEqual(['billing']);
    expect(h.engine.queueStats('q').availableAgents).toBe(1);
  });

  it('a task that waited past its step timeout overflows to the next queue', () => {
    const queues = [queueSpec('q1', { members: ['first'] }), queueSpec('q2', { members: ['backup'] })];
    const rules = {
      version: 1,
      steps: [
        { id: 's1', queueId: 'q1', timeoutMs: 30_000 },
        { id: 's2', queueId: 'q2' },
      ],
    };
    const h = harness({}, { queues, rules });
    h.engine.upsertAgent(agentSpec('first'));
    staff(h, agentSpec('backup'));
    h.engine.submitTask(task('t1'));
    h.tick(29_999);
    expect(h.engine.getTask('t1')).toMatchObject({ status: 'waiting', queueId: 'q1' });
    h.tick(1);
    expect(h.eventsOf('task.overflowed')).toEqual([
      expect.objectContaining({ taskId: 't1', fromQueueId: 'q1', toQueueId: 'q2', stepId: 's2' }),
    ]);
    expect(h.offeredTo('t1')).toEqual(['backup']);
  });

  it("overflow skips a later step whose filter doesn't match the task", () => {
    const queues = ['q1', 'vip', 'general'].map((id) => queueSpec(id));
    const rules = {
      version: 1,
      steps: [
        { id: 's1', queueId: 'q1', timeoutMs: 10_000 },
        { id: 'vip', filter: 'task.tier >= 2', queueId: 'vip' },
        { id: 'general', queueId: 'general' },
      ],
    };
    const h = harness({}, { queues, rules });
    h.engine.submitTask(task('t1', 'chat', { tier: 0 }));
    h.tick(10_000);
    expect(h.engine.getTask('t1')).toMatchObject({ queueId: 'general', stepId: 'general' });
  });

  it('a task stays where it is when no later step matches', () => {
    const rules = { version: 1, steps: [{ id: 'only', queueId: 'q', timeoutMs: 5_000 }] };
    const h = harness({}, { rules });
    h.engine.submitTask(task('t1'));
    h.tick(60_000);
    expect(h.eventsOf('task.overflowed')).toHaveLength(0);
    expect(h.engine.getTask('t1')).toMatchObject({ status: 'waiting', queueId: 'q' });
  });

  it('the priority boost of the overflow step puts the task ahead of older tasks there', () => {
    const queues = [queueSpec('q1'), queueSpec('q2')];
    const rules = {
      version: 1,
      steps: [
        { id: 'first', filter: "task.category == 'sales'", queueId: 'q1', timeoutMs: 10_000 },
        { id: 'boosted', filter: "task.category == 'sales'", queueId: 'q2', priorityBoost: 5 },
        { id: 'plain', queueId: 'q2' },
      ],
    };
    const h = harness({}, { queues, rules });
    h.engine.submitTask(task('old', 'chat', { category: 'support' }));
    h.engine.submitTask(task('sale', 'chat', { category: 'sales' }));
    h.tick(10_000);
    expect(h.engine.getTask('sale')).toMatchObject({ queueId: 'q2', priority: 5 });
    staff(h, agentSpec('a1', { capacity: { chat: 1 } }));
    expect(drain(h, 'a1')).toEqual(['sale', 'old']);
  });

  it('a task with no matching step and no default waits unrouted, and is routed once the rules change', () => {
    const h = harness(
      {},
      { rules: { version: 1, steps: [{ id: 'email', filter: "task.channel == 'email'", queueId: 'q' }] } },
    );
    staff(h, agentSpec('a1'));
    h.engine.submitTask(task('t1', 'chat'));
    expect(h.eventsOf('task.unrouted')).toEqual([expect.objectContaining({ taskId: 't1' })]);
    expect(h.engine.getTask('t1')).toMatchObject({ status: 'waiting', queueId: undefined });
    h.engine.setRules({ version: 2, steps: [{ id: 'all', queueId: 'q' }] });
    expect(h.offeredTo('t1')).toEqual(['a1']);
  });

  it('a task no step matches goes to the default queue', () => {
    const h = harness({}, { queues: [queueSpec('q'), queueSpec('fallback')] });
    h.engine.setRules({
      version: 2,
      steps: [{ id: 'v', filter: "task.channel == 'voice'", queueId: 'q' }],
      defaultQueueId: 'fallback',
    });
    h.engine.submitTask(task('t1', 'email'));
    expect(h.engine.getTask('t1')).toMatchObject({ queueId: 'fallback', stepId: undefined });
  });

  it('editing the rules re-places waiting tasks with their age, drops none and keeps pending offers', () => {
    const queues = [queueSpec('old', { members: ['a1'] }), queueSpec('new')];
    const h = harness({}, { queues, rules: { version: 1, steps: [{ id: 's', queueId: 'old' }] } });
    staff(h, agentSpec('a1', { capacity: { chat: 1 } }));
    for (const id of ['t1', 't2', 't3']) h.engine.submitTask(task(id));
    const offer = h.offer('t1');
    const createdAt = h.engine.getTask('t2')!.createdAt;
    h.clock.advance(MIN);
    h.engine.setRules({ version: 2, steps: [{ id: 's2', queueId: 'new' }] });
    expect(h.engine.waitingTasks('new').map((t) => t.id)).toEqual(['t2', 't3']);
    expect(h.engine.getTask('t2')?.createdAt).toBe(createdAt);
    expect(h.engine.getReservation(offer)?.status).toBe('pending');
    h.engine.accept(offer);
    expect(h.engine.getTask('t1')?.status).toBe('assigned');
  });

  it('an invalid rule is rejected with its position and the engine keeps the old rules', () => {
    const h = harness({}, { queues: [queueSpec('q'), queueSpec('other')] });
    let error: unknown;
    try {
      h.engine.setRules({ version: 2, steps: [{ id: 'bad', filter: 'task.tier >= ', queueId: 'other' }] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RuleSyntaxError);
    expect(error).toMatchObject({
      code: 'RULE_SYNTAX',
      status: 400,
      position: 13,
      stepId: 'bad',
      field: 'filter',
    });
    expect((error as RuleSyntaxError).extra).toMatchObject({ line: 1, column: 14 });
    h.engine.submitTask(task('t1'));
    expect(h.engine.getTask('t1')?.queueId).toBe('q');
  });

  it('a filter that fails at run time (a missing attribute) counts as no match', () => {
    const rules = {
      version: 1,
      steps: [
        { id: 'vip', filter: 'task.tier >= 2', queueId: 'q', priorityBoost: 10 },
        { id: 'rest', queueId: 'q' },
      ],
    };
    const h = harness({}, { rules });
    h.engine.submitTask(task('t1'));
    expect(h.engine.getTask('t1')).toMatchObject({ stepId: 'rest', priority: 0 });
  });

  it('an agent update re-evaluates a cached agentFilter', () => {
    const rules = { version: 1, steps: [{ id: 'zh', queueId: 'q', agentFilter: "'zh' in agent.languages" }] };
    const h = harness({}, { rules });
    staff(h, agentSpec('a1', { languages: ['en'] }));
    h.engine.submitTask(task('t1'));
    expect(h.engine.getTask('t1')?.status).toBe('waiting');
    h.engine.upsertAgent(agentSpec('a1', { languages: ['en', 'zh'] }));
    expect(h.offeredTo('t1')).toEqual(['a1']);
  });
});

describe('last-agent routing', () => {
  const options = { lastAgentHoldMs: 30_000, lastAgentWindowMs: 60 * MIN };

  it('a returning customer is offered to the last agent first, then to anyone after the hold', () => {
    const h = harness(options);
    staff(h, agentSpec('a1'), agentSpec('a2'));
    h.engine.submitTask(task('t1', 'chat', { customerId: 'c1' }));
    expect(answer(h, 't1')).toBe('a1');
    h.engine.complete('t1');
    // a2 is idle longer now, but the customer goes back to a1.
    h.engine.submitTask(task('t2', 'chat', { customerId: 'c1' }));
    expect(h.offeredTo('t2')).toEqual(['a1']);
    answer(h, 't2');
    h.engine.complete('t2');
    // The customer calls too (held for a1 as well); on the call a1 cannot take a chat, so the
    // chat waits for a1 until the hold ends.
    h.engine.submitTask(task('call', 'voice', { customerId: 'c1' }));
    answer(h, 'call', 'a1');
    h.engine.submitTask(task('t3', 'chat', { customerId: 'c1' }));
    expect(h.engine.getTask('t3')).toMatchObject({ status: 'waiting', directAgentId: 'a1' });
    h.tick(29_999);
    expect(h.engine.getTask('t3')?.status).toBe('waiting');
    h.tick(1);
    expect(h.offeredTo('t3')).toEqual(['a2']);
  });

  it('a last agent outside the window is ignored', () => {
    const h = harness(options);
    staff(h, agentSpec('a1'), agentSpec('a2'));
    h.engine.submitTask(task('t1', 'chat', { customerId: 'c1' }));
    answer(h, 't1', 'a1');
    h.engine.complete('t1');
    h.clock.advance(61 * MIN);
    h.engine.setPresence('a2', 'break');
    h.engine.setPresence('a2', 'available');
    // a1 is idle longest, so it takes this call and cannot take chats: a hold would make t2 wait.
    h.engine.submitTask(task('other', 'voice'));
    answer(h, 'other', 'a1');
    h.engine.submitTask(task('t2', 'chat', { customerId: 'c1' }));
    expect(h.offeredTo('t2')).toEqual(['a2']);
    expect(h.engine.getTask('t2')?.directAgentId).toBeUndefined();
  });
});

describe('capacity', () => {
  it('an agent takes three chats at once and the fourth waits', () => {
    const h = harness();
    staff(h, agentSpec('a1', { capacity: { chat: 3 } }));
    for (const id of ['c1', 'c2', 'c3', 'c4']) h.engine.submitTask(task(id));
    expect(h.engine.pendingReservations('a1').map((r) => r.taskId)).toEqual(['c1', 'c2', 'c3']);
    expect(h.engine.getTask('c4')?.status).toBe('waiting');
    for (const id of ['c1', 'c2', 'c3']) answer(h, id);
    h.engine.complete('c2');
    expect(h.offeredTo('c4')).toEqual(['a1']);
  });

  it('voice blocks other work, and other work blocks voice', () => {
    const h = harness();
    staff(h, agentSpec('a1'));
    h.engine.submitTask(task('call', 'voice'));
    h.engine.submitTask(task('chat', 'chat'));
    expect(h.offeredTo('chat')).toEqual([]);
    answer(h, 'call');
    h.engine.complete('call');
    expect(h.offeredTo('chat')).toEqual(['a1']);
    h.engine.submitTask(task('call2', 'voice'));
    expect(h.offeredTo('call2')).toEqual([]);
  });

  it('with voiceBlocksOthers off, an agent on a call still gets chats', () => {
    const h = harness({ voiceBlocksOthers: false });
    staff(h, agentSpec('a1'));
    h.engine.submitTask(task('call', 'voice'));
    h.engine.submitTask(task('chat', 'whatsapp'));
    expect(h.offeredTo('chat')).toEqual(['a1']);
  });

  it('email capacity is independent of chat capacity', () => {
    const h = harness();
    staff(h, agentSpec('a1', { capacity: { chat: 1, email: 2 } }));
    h.engine.submitTask(task('chat1', 'webchat'));
    h.engine.submitTask(task('chat2', 'telegram'));
    h.engine.submitTask(task('mail1', 'email'));
    h.engine.submitTask(task('mail2', 'email'));
    expect(h.engine.pendingReservations('a1').map((r) => r.taskId)).toEqual(['chat1', 'mail1', 'mail2']);
    expect(h.engine.agentStats('a1').load).toEqual({ chat: 1, email: 2 });
  });

  it('wrap-up holds the slot, then frees it: state wrap_up then available', () => {
    const h = harness({}, { queues: [queueSpec('q', { wrapUpMs: 15_000 })] });
    staff(h, agentSpec('a1', { capacity: { voice: 1 } }));
    h.engine.submitTask(task('t1', 'voice'));
    h.engine.submitTask(task('t2', 'voice'));
    answer(h, 't1');
    h.engine.complete('t1');
    expect(h.engine.getTask('t1')?.status).toBe('wrapping');
    expect(h.engine.getAgent('a1')?.state).toBe('wrap_up');
    expect(h.offeredTo('t2')).toEqual([]);
    h.tick(15_000);
    expect(h.engine.getTask('t1')?.status).toBe('completed');
    expect(h.offeredTo('t2')).toEqual(['a1']);
    const states = h.eventsOf('agent.state').map((e) => e.state);
    expect(states.slice(-3)).toEqual(['wrap_up', 'available', 'busy']);
  });
});

describe('presence and offers', () => {
  it('an agent on break gets no offers, the reason is in its state event, and back from break it picks up waiting work', () => {
    const h = harness();
    staff(h, agentSpec('a1'));
    h.engine.setPresence('a1', 'break', 'lunch');
    expect(h.eventsOf('agent.state').at(-1)).toMatchObject({
      agentId: 'a1',
      state: 'break',
      reason: 'lunch',
    });
    h.engine.submitTask(task('t1'));
    expect(h.engine.getTask('t1')?.status).toBe('waiting');
    expect(h.engine.agentStats('a1')).toMatchObject({ state: 'break', reason: 'lunch' });
    h.engine.setPresence('a1', 'available');
    expect(h.offeredTo('t1')).toEqual(['a1']);
  });

  it('going offline cancels pending offers and the task is offered to someone else; assigned work stays', () => {
    const h = harness();
    staff(h, agentSpec('a1'), agentSpec('a2'));
    h.engine.submitTask(task('kept'));
    answer(h, 'kept', 'a1');
    h.engine.submitTask(task('t1'));
    h.engine.submitTask(task('t2'));
    const a1Offers = h.engine.pendingReservations('a1').map((r) => r.taskId);
    h.engine.setPresence('a1', 'offline');
    expect(h.eventsOf('reservation.canceled').map((e) => e.taskId)).toEqual(a1Offers);
    expect(h.offeredTo('t1')).toEqual(['a2']);
    expect(h.offeredTo('t2')).toEqual(['a2']);
    expect(h.engine.getTask('kept')).toMatchObject({ status: 'assigned', agentId: 'a1' });
  });

  it('a rejected offer goes to the next agent', () => {
    const h = harness();
    staff(h, agentSpec('a1'), agentSpec('a2'), agentSpec('a3'));
    h.engine.submitTask(task('t1'));
    h.engine.reject(h.offer('t1', 'a1'));
    expect(h.offeredTo('t1')).toEqual(['a2']);
  });

  it('a timed-out offer goes to the next agent', () => {
    const h = harness({}, { queues: [queueSpec('q', { reservationTimeoutMs: 10_000 })] });
    staff(h, agentSpec('a1'), agentSpec('a2'));
    h.engine.submitTask(task('t1'));
    h.tick(10_000);
    expect(h.eventsOf('reservation.timed_out')).toEqual([expect.objectContaining({ agentId: 'a1' })]);
    expect(h.offeredTo('t1')).toEqual(['a2']);
  });

  it('an agent who rejected the task gets it again only when nobody else can take it', () => {
    const h = harness();
    staff(h, agentSpec('a1'), agentSpec('a2'));
    h.engine.submitTask(task('t1'));
    h.engine.reject(h.offer('t1', 'a1'));
    h.engine.reject(h.offer('t1', 'a2'));
    expect(h.offeredTo('t1')).toEqual(['a1']);
  });

  it('accepting twice is a conflict', () => {
    const h = harness();
    staff(h, agentSpec('a1'));
    h.engine.submitTask(task('t1'));
    const id = h.offer('t1');
    h.engine.accept(id);
    expect(() => h.engine.accept(id)).toThrow(Conflict);
  });

  it('accepting after the offer timed out is a conflict', () => {
    const h = harness();
    staff(h, agentSpec('a1'), agentSpec('a2'));
    h.engine.submitTask(task('t1'));
    const id = h.offer('t1');
    h.tick(20_000);
    expect(h.engine.getReservation(id)?.status).toBe('timed_out');
    expect(() => h.engine.accept(id)).toThrow(Conflict);
  });

  it('an agent update keeps its presence and work', () => {
    const h = harness();
    staff(h, agentSpec('a1'));
    h.engine.submitTask(task('t1'));
    answer(h, 't1');
    h.engine.upsertAgent(agentSpec('a1', { rating: 5, capacity: { chat: 5 } }));
    expect(h.engine.getAgent('a1')).toMatchObject({ presence: 'available', state: 'busy', taskIds: ['t1'] });
    expect(h.engine.agentStats('a1')).toMatchObject({
      load: { chat: 1 },
      capacity: { chat: 5 },
      tasksHandled: 1,
    });
  });
});

describe('task order', () => {
  it('higher priority is served first, then the older task', () => {
    const h = harness();
    h.engine.upsertAgent(agentSpec('a1', { capacity: { chat: 1 } }));
    h.engine.submitTask(task('low', 'chat', {}, 1));
    h.clock.advance(1000);
    h.engine.submitTask(task('high-old', 'chat', {}, 5));
    h.clock.advance(1000);
    h.engine.submitTask(task('high-new', 'chat', {}, 5));
    h.engine.setPresence('a1', 'available');
    expect(drain(h, 'a1')).toEqual(['high-old', 'high-new', 'low']);
  });

  it('aging lets an old low-priority task beat a newer higher-priority one (no starvation)', () => {
    const order = (agingPerMinute: number) => {
      const h = harness({ agingPerMinute });
      h.engine.upsertAgent(agentSpec('a1', { capacity: { chat: 1 } }));
      h.engine.submitTask(task('old', 'chat', {}, 0));
      h.clock.advance(3 * MIN);
      h.engine.submitTask(task('new', 'chat', {}, 5));
      h.clock.advance(3 * MIN);
      h.engine.submitTask(task('newer', 'chat', {}, 5));
      h.clock.advance(MIN);
      h.engine.setPresence('a1', 'available');
      return drain(h, 'a1');
    };
    expect(order(1)).toEqual(['new', 'old', 'newer']);
    expect(order(0)).toEqual(['new', 'newer', 'old']);
  });
});

describe('transfer, abandon, cancel', () => {
  it('a transfer to an agent keeps attributes, priority and createdAt, and waits for that agent only', () => {
    const h = harness();
    staff(h, agentSpec('idle-longest'), agentSpec('a1'), agentSpec('target'));
    h.engine.submitTask(task('t1', 'chat', { customerId: 'c9', category: 'billing' }, 3));
    answer(h, 't1', 'idle-longest');
    const before = h.engine.getTask('t1')!;
    h.clock.advance(MIN);
    h.engine.transfer('t1', { agentId: 'target' });
    expect(h.eventsOf('task.transferred')).toEqual([
      expect.objectContaining({ taskId: 't1', fromAgentId: 'idle-longest', toAgentId: 'target' }),
    ]);
    const after = h.engine.getTask('t1')!;
    expect(after).toMatchObject({
      status: 'reserved',
      createdAt: before.createdAt,
      priority: 3,
      attributes: before.attributes,
    });
    expect(h.offeredTo('t1')).toEqual(['target']);
    expect(h.engine.getAgent('idle-longest')?.state).toBe('available');
  });

  it('a transfer to a queue places the task there for that queue’s agents', () => {
    const queues = [queueSpec('front', { members: ['a1'] }), queueSpec('experts', { members: ['x1'] })];
    const h = harness({}, { queues, rules: { version: 1, steps: [{ id: 's', queueId: 'front' }] } });
    staff(h, agentSpec('a1'), agentSpec('x1'));
    h.engine.submitTask(task('t1'));
    answer(h, 't1');
    h.engine.transfer('t1', { queueId: 'experts' });
    expect(h.engine.getTask('t1')).toMatchObject({ queueId: 'experts' });
    expect(h.offeredTo('t1')).toEqual(['x1']);
    expect(h.engine.queueStats('experts').offered).toBe(1);
  });

  it('abandoning a waiting task ends it and counts in the queue statistics', () => {
    const h = harness();
    h.engine.submitTask(task('t1'));
    h.clock.advance(7000);
    h.engine.abandon('t1');
    expect(h.eventsOf('task.abandoned')).toEqual([
      expect.objectContaining({ taskId: 't1', queueId: 'q', waitedMs: 7000 }),
    ]);
    expect(h.engine.queueStats('q')).toMatchObject({ waiting: 0, offered: 1, abandoned: 1, serviceLevel: 0 });
    expect(() => h.engine.abandon('t1')).toThrow(Conflict);
  });

  it('a duplicate task id is a conflict', () => {
    const h = harness();
    h.engine.submitTask(task('t1'));
    expect(() => h.engine.submitTask(task('t1'))).toThrow(Conflict);
  });

  it('canceling an assigned task frees the agent', () => {
    const h = harness();
    staff(h, agentSpec('a1', { capacity: { voice: 1 } }));
    h.engine.submitTask(task('t1', 'voice'));
    answer(h, 't1');
    h.engine.cancel('t1');
    expect(h.engine.getTask('t1')?.status).toBe('canceled');
    expect(h.engine.getAgent('a1')?.state).toBe('available');
  });
});

describe('statistics', () => {
  it('queue stats: service level, average speed of answer, longest wait and available agents', () => {
    const h = harness({}, { queues: [queueSpec('q', { serviceLevelMs: 10_000 })] });
    h.engine.upsertAgent(agentSpec('a1', { capacity: { chat: 1 } }));
    h.engine.upsertAgent(agentSpec('a2', { capacity: { chat: 1 } }));
    h.engine.submitTask(task('fast'));
    h.engine.submitTask(task('slow'));
    h.engine.submitTask(task('gone'));
    h.clock.advance(3000);
    h.engine.abandon('gone');
    h.clock.advance(2000);
    h.engine.setPresence('a1', 'available');
    answer(h, 'fast');
    h.clock.advance(10_000);
    h.engine.setPresence('a2', 'available');
    answer(h, 'slow');
    h.engine.submitTask(task('waiting'));
    h.clock.advance(4000);
    expect(h.engine.queueStats('q')).toEqual({
      queueId: 'q',
      waiting: 1,
      longestWaitMs: 4000,
      availableAgents: 0,
      offered: 4,
      answered: 2,
      abandoned: 1,
      answeredWithinSl: 1,
      serviceLevel: 1 / 3,
      asaMs: (5000 + 15_000) / 2,
    });
    h.engine.complete('fast');
    expect(h.engine.queueStats('q').availableAgents).toBe(0);
    expect(h.offeredTo('waiting')).toEqual(['a1']);
  });

  it('agent stats report load per channel class against capacity', () => {
    const h = harness();
    staff(h, agentSpec('a1', { capacity: { chat: 3, email: 2 } }));
    h.engine.submitTask(task('c1'));
    h.engine.submitTask(task('c2'));
    h.engine.submitTask(task('m1', 'email'));
    expect(h.engine.agentStats('a1')).toMatchObject({
      agentId: 'a1',
      state: 'busy',
      load: { chat: 2, email: 1 },
      capacity: { chat: 3, email: 2 },
      tasksHandled: 0,
    });
  });
});
