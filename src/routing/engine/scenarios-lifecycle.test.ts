// Routing scenarios, a task and its offers over time: presence, rejected and timed-out offers, transfer,
// abandon and cancel, and the statistics they leave. Each states one behaviour of the ACD and checks it
// through events and views.
import { describe, expect, it } from 'vitest';
import { Conflict } from '../../core/index.js';
import { agentSpec, harness, queueSpec, staff, task } from './harness.js';
import { answer, MIN } from './scenario-fixtures.js';

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
