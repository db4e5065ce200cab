// Routing scenarios, which agent gets a task and when: the strategies, capacity per channel class and
// the order of waiting tasks. Each states one behaviour of the ACD and checks it through events and views.
import { describe, expect, it } from 'vitest';
import { agentSpec, harness, queueSpec, staff, task } from './harness.js';
import { answer, drain, MIN } from './scenario-fixtures.js';

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
