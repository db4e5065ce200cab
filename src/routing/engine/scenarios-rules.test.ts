// Routing scenarios, where a task waits: the routing rules (filters, overflow, boosts, the default queue,
// editing) and last-agent routing. Each states one behaviour of the ACD and checks it through events and
// views.
import { describe, expect, it } from 'vitest';
import { RuleSyntaxError } from './errors.js';
import { agentSpec, harness, queueSpec, staff, task } from './harness.js';
import { answer, drain, MIN } from './scenario-fixtures.js';

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
