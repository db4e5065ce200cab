import { describe, expect, it } from 'vitest';
import { Conflict, InvalidInput, ManualClock, NotFound } from '../../core/index.js';
import { restoreRoutingEngine } from './engine.js';
import { RuleSyntaxError } from './errors.js';
import { agentSpec, harness, queueSpec, staff, task } from './harness.js';
import type { RoutingEvent } from './model.js';
import { compileRules } from './rules.js';

describe('routing engine basics', () => {
  it('offers a task to a free agent before submitTask returns', () => {
    const h = harness();
    staff(h, agentSpec('a1'));
    h.engine.submitTask(task('t1'));
    expect(h.eventsOf('reservation.created').map((e) => e.reservation.agentId)).toEqual(['a1']);
    expect(h.engine.getTask('t1')?.status).toBe('reserved');
    expect(h.engine.getAgent('a1')?.state).toBe('busy');
  });

  it('a task waits when nobody is available and is offered when an agent becomes available', () => {
    const h = harness();
    h.engine.upsertAgent(agentSpec('a1'));
    h.engine.submitTask(task('t1'));
    expect(h.engine.getTask('t1')?.status).toBe('waiting');
    h.engine.setPresence('a1', 'available');
    expect(h.offeredTo('t1')).toEqual(['a1']);
  });

  it('accept assigns, complete frees the slot and the agent is available again', () => {
    const h = harness();
    staff(h, agentSpec('a1'));
    h.engine.submitTask(task('t1', 'voice'));
    h.engine.accept(h.offer('t1'));
    expect(h.engine.getTask('t1')).toMatchObject({ status: 'assigned', agentId: 'a1' });
    h.engine.complete('t1');
    expect(h.engine.getTask('t1')?.status).toBe('completed');
    expect(h.engine.getAgent('a1')?.state).toBe('available');
    expect(h.eventsOf('agent.state').map((e) => e.state)).toEqual([
      'offline',
      'available',
      'busy',
      'available',
    ]);
  });

  it('new agents start offline and get nothing', () => {
    const h = harness();
    h.engine.upsertAgent(agentSpec('a1'));
    h.engine.submitTask(task('t1'));
    expect(h.engine.getAgent('a1')?.state).toBe('offline');
    expect(h.eventsOf('reservation.created')).toHaveLength(0);
  });

  it('removing an agent that holds work is a conflict; an idle one can be removed', () => {
    const h = harness();
    staff(h, agentSpec('a1'), agentSpec('a2'));
    h.engine.submitTask(task('t1'));
    const holder = h.offeredTo('t1')[0]!;
    expect(() => h.engine.removeAgent(holder)).toThrow(Conflict);
    const idle = holder === 'a1' ? 'a2' : 'a1';
    h.engine.removeAgent(idle);
    expect(h.engine.getAgent(idle)).toBeUndefined();
  });

  it('unknown ids are NotFound', () => {
    const h = harness();
    expect(() => h.engine.accept('res-404')).toThrow(NotFound);
    expect(() => h.engine.complete('nope')).toThrow(NotFound);
    expect(() => h.engine.setPresence('nope', 'available')).toThrow(NotFound);
    expect(() => h.engine.queueStats('nope')).toThrow(NotFound);
  });

  it('nextDeadline is the reservation expiry, and advance times the offer out', () => {
    const h = harness();
    staff(h, agentSpec('a1'));
    h.engine.submitTask(task('t1'));
    const r = h.engine.getReservation(h.offer('t1'))!;
    expect(h.engine.nextDeadline()).toBe(r.expiresAt);
    expect(r.expiresAt - r.createdAt).toBe(20_000);
    h.tick(20_000);
    expect(h.eventsOf('reservation.timed_out')).toHaveLength(1);
    // Only a1 fits, so it is offered the task again.
    expect(h.offeredTo('t1')).toEqual(['a1']);
  });

  it('a mutating call from inside a listener runs after the current call settles', () => {
    const h = harness();
    staff(h, agentSpec('a1'));
    h.engine.onEvent((e) => {
      if (e.type === 'reservation.created') h.engine.accept(e.reservation.id);
    });
    h.engine.submitTask(task('t1'));
    expect(h.engine.getTask('t1')?.status).toBe('assigned');
    const types = h.events.map((e) => e.type);
    expect(types.indexOf('reservation.accepted')).toBeGreaterThan(types.indexOf('reservation.created'));
  });

  it('a listener that throws does not corrupt the engine; the error surfaces from the call', () => {
    const h = harness();
    staff(h, agentSpec('a1'));
    const off = h.engine.onEvent(() => {
      throw new Error('listener broke');
    });
    expect(() => h.engine.submitTask(task('t1'))).toThrow('listener broke');
    off();
    expect(h.engine.getTask('t1')?.status).toBe('reserved');
  });
});

describe('configuration changes', () => {
  it('removing a queue re-places its tasks by the rules, unrouted when no step fits', () => {
    const h = harness({}, { queues: [queueSpec('q'), queueSpec('spare')] });
    h.engine.submitTask(task('t1'));
    h.engine.removeQueue('q');
    expect(h.engine.getTask('t1')).toMatchObject({ status: 'waiting', queueId: undefined });
    expect(h.eventsOf('task.unrouted').map((e) => e.taskId)).toEqual(['t1']);
    expect(() => h.engine.queueStats('q')).toThrow(NotFound);
  });

  it('a queue added later picks up tasks that waited unrouted for it', () => {
    const h = harness({}, { queues: [], rules: { version: 1, steps: [{ id: 's', queueId: 'later' }] } });
    staff(h, agentSpec('a1'));
    h.engine.submitTask(task('t1'));
    expect(h.engine.getTask('t1')?.queueId).toBeUndefined();
    h.engine.upsertQueue(queueSpec('later'));
    expect(h.offeredTo('t1')).toEqual(['a1']);
  });

  it('members and required skills of an updated queue take effect for waiting tasks', () => {
    const h = harness({}, { queues: [queueSpec('q', { members: ['a1'] })] });
    h.engine.upsertAgent(agentSpec('a1'));
    staff(h, agentSpec('a2'));
    h.engine.submitTask(task('t1'));
    expect(h.offeredTo('t1')).toEqual([]);
    h.engine.upsertQueue(queueSpec('q', { members: ['a1', 'a2'] }));
    expect(h.offeredTo('t1')).toEqual(['a2']);
  });

  it('a transfer target who rejects sends the task back to its queue', () => {
    const h = harness();
    staff(h, agentSpec('a1'), agentSpec('a2'), agentSpec('a3'));
    h.engine.submitTask(task('t1'));
    h.engine.accept(h.offer('t1', 'a1'));
    h.engine.transfer('t1', { agentId: 'a3' });
    h.engine.reject(h.offer('t1', 'a3'));
    expect(h.engine.getTask('t1')?.directAgentId).toBeUndefined();
    expect(h.offeredTo('t1')).toEqual(['a2']);
  });

  it('a transfer to an agent on break is a conflict and leaves the task with its agent', () => {
    const h = harness();
    staff(h, agentSpec('a1'), agentSpec('a2'));
    h.engine.setPresence('a2', 'break', 'training');
    h.engine.submitTask(task('t1'));
    h.engine.accept(h.offer('t1'));
    expect(() => h.engine.transfer('t1', { agentId: 'a2' })).toThrow(Conflict);
    expect(h.engine.getTask('t1')).toMatchObject({ status: 'assigned', agentId: 'a1' });
  });

  it('a held task goes to its queue at once when the held-for agent goes on break', () => {
    const h = harness({ lastAgentHoldMs: 60_000 });
    staff(h, agentSpec('a1'), agentSpec('a2'));
    h.engine.submitTask(task('call', 'voice', { customerId: 'c1' }));
    h.engine.accept(h.offer('call', 'a1'));
    h.engine.submitTask(task('chat', 'chat', { customerId: 'c1' }));
    expect(h.engine.getTask('chat')?.directAgentId).toBe('a1');
    h.engine.setPresence('a1', 'break');
    expect(h.offeredTo('chat')).toEqual(['a2']);
  });
});

describe('rule compilation', () => {
  it('compileRules validates without an engine, reporting line and column of a syntax error', () => {
    expect(() =>
      compileRules({ version: 1, steps: [{ id: 's', queueId: 'q', filter: "task.channel == 'voice'" }] }),
    ).not.toThrow();
    try {
      compileRules({
        version: 1,
        steps: [{ id: 's', queueId: 'q', agentFilter: "agent.rating > 3 &&\n  'zh' in" }],
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RuleSyntaxError);
      expect((e as RuleSyntaxError).extra).toMatchObject({ stepId: 's', field: 'agentFilter', line: 2 });
      expect((e as RuleSyntaxError).message).toContain('^');
    }
  });

  it('a filter that names an unknown variable, or is not a condition, is a syntax error', () => {
    expect(() =>
      compileRules({ version: 1, steps: [{ id: 's', queueId: 'q', filter: 'agent.rating > 3' }] }),
    ).toThrow(RuleSyntaxError);
    expect(() => compileRules({ version: 1, steps: [{ id: 's', queueId: 'q', filter: '"yes"' }] })).toThrow(
      RuleSyntaxError,
    );
  });

  it('a malformed step (no queue, a duplicate id) is invalid input', () => {
    expect(() => compileRules({ version: 1, steps: [{ id: 's', queueId: '' }] })).toThrow(InvalidInput);
    expect(() =>
      compileRules({
        version: 1,
        steps: [
          { id: 's', queueId: 'q' },
          { id: 's', queueId: 'q' },
        ],
      }),
    ).toThrow(InvalidInput);
  });
});

describe('snapshot and restore', () => {
  it('a restored engine keeps pending offers with their original expiry and times them out then', () => {
    const h = harness({}, { queues: [queueSpec('q', { reservationTimeoutMs: 30_000 })] });
    staff(h, agentSpec('a1'), agentSpec('a2'));
    h.engine.submitTask(task('t1'));
    const offer = h.engine.getReservation(h.offer('t1'))!;
    h.clock.advance(10_000);
    const clock = new ManualClock(h.clock.now());
    const restored = restoreRoutingEngine({ clock }, JSON.parse(JSON.stringify(h.engine.snapshot())));
    const events: RoutingEvent[] = [];
    restored.onEvent((e) => events.push(e));
    expect(restored.getReservation(offer.id)).toMatchObject({
      status: 'pending',
      expiresAt: offer.expiresAt,
    });
    expect(restored.nextDeadline()).toBe(offer.expiresAt);
    clock.set(offer.expiresAt);
    restored.advance();
    expect(events.map((e) => e.type)).toContain('reservation.timed_out');
    expect(restored.getTask('t1')?.reservations.map((r) => r.agentId)).toEqual(['a2']);
  });

  it('statistics and round-robin position survive a restore', () => {
    const h = harness({}, { queues: [queueSpec('q', { strategy: 'round-robin' })] });
    staff(h, agentSpec('a1', { capacity: { chat: 1 } }), agentSpec('a2', { capacity: { chat: 1 } }));
    h.engine.submitTask(task('t1'));
    h.engine.accept(h.offer('t1'));
    h.engine.complete('t1');
    const restored = restoreRoutingEngine({ clock: h.clock }, h.engine.snapshot());
    expect(restored.queueStats('q')).toEqual(h.engine.queueStats('q'));
    restored.submitTask(task('t2'));
    expect(restored.getTask('t2')?.reservations.map((r) => r.agentId)).toEqual(['a2']);
  });

  it('a snapshot assembled from storage with unmatched work is matched on the first call after restore', () => {
    const h = harness();
    h.engine.upsertAgent(agentSpec('a1'));
    h.engine.submitTask(task('t1'));
    const snapshot = h.engine.snapshot();
    snapshot.agents[0]!.presence = 'available';
    const restored = restoreRoutingEngine({ clock: h.clock }, snapshot);
    const events: RoutingEvent[] = [];
    restored.onEvent((e) => events.push(e));
    expect(restored.getTask('t1')?.status).toBe('waiting');
    restored.advance();
    expect(events.map((e) => e.type)).toEqual(['reservation.created', 'agent.state']);
  });
});

describe('queue validation', () => {
  it('refuses an offer timeout of zero, which would re-offer for ever', () => {
    const h = harness();
    expect(() => h.engine.upsertQueue(queueSpec('instant', { reservationTimeoutMs: 0 }))).toThrow(
      InvalidInput,
    );
  });
});
