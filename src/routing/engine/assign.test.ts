import { describe, expect, it } from 'vitest';
import { Conflict, NotFound } from '../../core/index.js';
import { restoreRoutingEngine } from './engine.js';
import { agentSpec, harness, queueSpec, staff, task } from './harness.js';

describe("a supervisor's direct assignment", () => {
  it('takes an assigned task from its agent: the slot is freed and the agent is offered the next task', () => {
    const h = harness();
    staff(h, agentSpec('a1', { capacity: { chat: 1 } }));
    h.engine.upsertAgent(agentSpec('sup'));
    h.engine.submitTask(task('t1'));
    h.engine.accept(h.offer('t1'));
    h.engine.submitTask(task('t2'));
    expect(h.engine.getTask('t2')?.status).toBe('waiting');

    h.engine.assign('t1', 'sup');

    expect(h.engine.getTask('t1')).toMatchObject({ status: 'assigned', agentId: 'sup' });
    expect(h.engine.getAgent('sup')?.taskIds).toEqual(['t1']);
    expect(h.engine.getAgent('a1')?.taskIds).toEqual([]);
    // a1's slot went straight to the waiting task.
    expect(h.offeredTo('t2')).toEqual(['a1']);
    expect(h.eventsOf('task.transferred').at(-1)).toMatchObject({
      taskId: 't1',
      fromAgentId: 'a1',
      toAgentId: 'sup',
    });
    expect(h.eventsOf('task.assigned').at(-1)).toMatchObject({ taskId: 't1', agentId: 'sup', waitedMs: 0 });
    // Answered once, by a1: the take-over is no second answer.
    expect(h.engine.queueStats('q')).toMatchObject({ answered: 1 });
  });

  it('withdraws the pending offers of a task that is being offered, and counts it answered', () => {
    const h = harness();
    staff(h, agentSpec('a1'), agentSpec('a2'));
    h.engine.submitTask(task('t1'));
    const offeredTo = h.offeredTo('t1');
    expect(offeredTo).toHaveLength(1);
    const other = offeredTo[0] === 'a1' ? 'a2' : 'a1';
    h.clock.advance(5000);

    h.engine.assign('t1', other);

    expect(h.engine.getTask('t1')).toMatchObject({ status: 'assigned', agentId: other, reservations: [] });
    expect(h.eventsOf('reservation.canceled').map((e) => e.agentId)).toEqual(offeredTo);
    expect(h.engine.getAgent(offeredTo[0]!)?.load).toEqual({ voice: 0, chat: 0, email: 0 });
    expect(h.engine.queueStats('q')).toMatchObject({ waiting: 0, answered: 1, asaMs: 5000 });
  });

  it('assigns a waiting task to an agent who is not available, over capacity', () => {
    const h = harness();
    h.engine.upsertAgent(agentSpec('sup', { capacity: { chat: 0 } }));
    h.engine.submitTask(task('t1'));
    h.engine.assign('t1', 'sup');
    expect(h.engine.getTask('t1')).toMatchObject({ status: 'assigned', agentId: 'sup' });
    expect(h.engine.getAgent('sup')?.load).toMatchObject({ chat: 1 });
    expect(h.engine.waitingTasks()).toEqual([]);
    h.engine.complete('t1');
    expect(h.engine.getAgent('sup')?.load.chat ?? 0).toBe(0);
  });

  it('submits a new task straight to an agent: nobody else is offered it', () => {
    const h = harness();
    staff(h, agentSpec('a1'));
    h.engine.upsertAgent(agentSpec('sup'));
    h.engine.submitTask(task('t1'), 'sup');
    expect(h.engine.getTask('t1')).toMatchObject({ status: 'assigned', agentId: 'sup', queueId: 'q' });
    expect(h.eventsOf('reservation.created')).toEqual([]);
    expect(() => h.engine.submitTask(task('t2'), 'nobody')).toThrow(NotFound);
    expect(h.engine.getTask('t2')).toBeUndefined();
  });

  it('refuses a task in wrap-up, one the agent already has, and an unknown agent', () => {
    const h = harness({}, { queues: [queueSpec('q', { wrapUpMs: 10_000 })] });
    staff(h, agentSpec('a1'));
    h.engine.upsertAgent(agentSpec('sup'));
    h.engine.submitTask(task('t1'));
    h.engine.accept(h.offer('t1'));
    expect(() => h.engine.assign('t1', 'a1')).toThrow(Conflict);
    expect(() => h.engine.assign('t1', 'ghost')).toThrow(NotFound);
    h.engine.complete('t1');
    expect(() => h.engine.assign('t1', 'sup')).toThrow(Conflict);
  });

  it('survives a snapshot and restore with the new agent holding the task', () => {
    const h = harness();
    staff(h, agentSpec('a1'));
    h.engine.upsertAgent(agentSpec('sup'));
    h.engine.submitTask(task('t1'));
    h.engine.accept(h.offer('t1'));
    h.engine.assign('t1', 'sup');
    const restored = restoreRoutingEngine({ clock: h.clock }, h.engine.snapshot());
    expect(restored.getTask('t1')).toMatchObject({ status: 'assigned', agentId: 'sup' });
    expect(restored.getAgent('sup')?.taskIds).toEqual(['t1']);
    expect(restored.getAgent('a1')?.taskIds).toEqual([]);
  });
});
