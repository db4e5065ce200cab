// The engine answers "does this conversation have a live task?" from an index kept with its tasks:
// routing calls ask it instead of the tables, which may not have the newest decisions yet.
import { describe, expect, it } from 'vitest';
import { restoreRoutingEngine } from './engine.js';
import { agentSpec, harness, queueSpec, staff, task } from './harness.js';

const rules = { version: 1, steps: [{ id: 'all', queueId: 'general' }] };

describe('the live task of a conversation', () => {
  it('is found while waiting or assigned, and no longer once it ends', () => {
    const h = harness({}, { queues: [queueSpec('general')], rules });
    h.engine.submitTask(task('t1', 'webchat', { conversationId: 'c1' }));
    h.engine.submitTask(task('t2', 'webchat', { conversationId: 'c2' }));
    h.engine.submitTask(task('t3', 'webchat'));
    expect(h.engine.openTaskOf('c1')?.id).toBe('t1');
    expect(h.engine.openTaskOf('c2')?.id).toBe('t2');
    expect(h.engine.openTaskOf('c3')).toBeUndefined();

    staff(h, agentSpec('a1'));
    const offer = h.engine.pendingReservations('a1')[0]!;
    h.engine.accept(offer.id);
    const held = h.engine.openTaskOf(h.engine.getReservation(offer.id)!.taskId === 't1' ? 'c1' : 'c2')!;
    expect(held.status).toBe('assigned');
    h.engine.complete(held.id);
    expect(h.engine.openTaskOf(held.attributes.conversationId as string)).toBeUndefined();

    h.engine.cancel('t2' === held.id ? 't1' : 't2');
    expect(h.engine.openTaskOf('c1')).toBeUndefined();
    expect(h.engine.openTaskOf('c2')).toBeUndefined();
    // A new task for the same conversation is its live task again.
    h.engine.submitTask(task('t4', 'webchat', { conversationId: 'c1' }));
    expect(h.engine.openTaskOf('c1')?.id).toBe('t4');
  });

  it('survives a snapshot and restore', () => {
    const h = harness({}, { queues: [queueSpec('general')], rules });
    h.engine.submitTask(task('t1', 'webchat', { conversationId: 'c1' }));
    h.engine.submitTask(task('t2', 'webchat', { conversationId: 'c2' }));
    h.engine.cancel('t2');
    const restored = restoreRoutingEngine({ clock: h.clock }, h.engine.snapshot());
    expect(restored.openTaskOf('c1')?.id).toBe('t1');
    expect(restored.openTaskOf('c2')).toBeUndefined();
  });
});
