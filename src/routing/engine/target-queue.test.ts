// A task that names its queue (an IVR's enqueue node sets `targetQueueId`) is placed there without a
// routing rule for it; a rule step for the same queue still applies its agent filter and overflow.
import { describe, expect, it } from 'vitest';
import { agentSpec, harness, queueSpec, staff, task } from './harness.js';

const queues = [queueSpec('general'), queueSpec('sales'), queueSpec('overflow')];

describe('a task naming its queue', () => {
  it('goes to that queue although the rules would send it elsewhere', () => {
    const h = harness({}, { queues, rules: { version: 1, steps: [{ id: 'all', queueId: 'general' }] } });
    h.engine.submitTask(task('t1', 'voice', { targetQueueId: 'sales' }));
    expect(h.engine.getTask('t1')!.queueId).toBe('sales');
    expect(h.engine.getTask('t1')!.stepId).toBeUndefined();
    h.engine.submitTask(task('t2', 'voice'));
    expect(h.engine.getTask('t2')!.queueId).toBe('general');
  });

  it('keeps the agent filter and overflow of a rule step for the same queue', () => {
    const h = harness(
      {},
      {
        queues,
        rules: {
          version: 1,
          steps: [
            { id: 'sales-fr', queueId: 'sales', agentFilter: "'fr' in agent.languages", timeoutMs: 60_000 },
            { id: 'spill', queueId: 'overflow' },
          ],
        },
      },
    );
    staff(h, agentSpec('en-only', { languages: ['en'] }));
    h.engine.submitTask(task('t1', 'voice', { targetQueueId: 'sales' }));
    const t = h.engine.getTask('t1')!;
    expect([t.queueId, t.stepId]).toEqual(['sales', 'sales-fr']);
    expect(h.offeredTo('t1')).toEqual([]);
    h.tick(61_000);
    expect(h.engine.getTask('t1')!.queueId).toBe('overflow');
  });

  it('falls back to the rules when the named queue does not exist, and stays put when rules change', () => {
    const h = harness({}, { queues, rules: { version: 1, steps: [], defaultQueueId: 'general' } });
    h.engine.submitTask(task('t1', 'voice', { targetQueueId: 'gone' }));
    expect(h.engine.getTask('t1')!.queueId).toBe('general');
    h.engine.submitTask(task('t2', 'voice', { targetQueueId: 'sales' }));
    h.engine.setRules({ version: 2, steps: [{ id: 'all', queueId: 'overflow' }] });
    expect(h.engine.getTask('t2')!.queueId).toBe('sales');
    expect(h.engine.getTask('t1')!.queueId).toBe('overflow');
  });
});
