import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/index.js';
import type { Schedule } from '../../workspace/index.js';
import { CallerHungUp, type IvrContext, runFlow } from './engine.js';
import type { FlowDefinition, FlowNode } from './flow.js';
import { sampleFlow } from './sample-flow.js';
import { ScriptedCall } from './scripted-call.js';
import { compileFlow } from './validate.js';

const IDS = {
  hoursId: '0193a000-0000-7000-8000-000000000001',
  queueId: '0193a000-0000-7000-8000-000000000002',
  vipQueueId: '0193a000-0000-7000-8000-000000000003',
};
const OFFICE: Schedule = {
  timezone: 'Asia/Shanghai',
  weekly: [1, 2, 3, 4, 5].map((day) => ({ day, open: '09:00', close: '18:00' })),
  holidays: [{ date: '2025-05-01', name: '劳动节' }],
};
/** Monday 3 March 2025, 10:00 and 20:00 in Shanghai. */
const MONDAY_10 = Date.parse('2025-03-03T02:00:00Z');
const MONDAY_20 = Date.parse('2025-03-03T12:00:00Z');
const LABOUR_DAY = Date.parse('2025-05-01T03:00:00Z');

function context(tier = 0): IvrContext {
  return {
    from: '+8613800138000',
    to: '+864000000000',
    customer: { id: 'c1', known: true, tier, attributes: {} },
    businessHours: new Map([[IDS.hoursId, OFFICE]]),
  };
}

async function run(script: string[], at = MONDAY_10, tier = 0, def: FlowDefinition = sampleFlow(IDS)) {
  const clock = new ManualClock(at);
  const call = new ScriptedCall({ script, clock });
  const result = await runFlow(compileFlow(def), call, context(tier), clock);
  return { result, call, route: result.path.map((s) => s.nodeId) };
}

describe('the IVR engine', () => {
  it('takes a caller who presses 1 through the menu to the after-sales attributes and the queue', async () => {
    const { result, route, call } = await run(['1']);
    expect(route).toEqual(['hours', 'vip', 'welcome', 'menu', 'after-sales', 'agent']);
    expect(result.outcome).toEqual({
      type: 'enqueue',
      nodeId: 'agent',
      queueId: IDS.queueId,
      attributes: { category: 'after_sales', language: 'zh' },
    });
    expect(call.attributes).toEqual({ category: 'after_sales', language: 'zh' });
    expect(result.path.find((s) => s.nodeId === 'menu')).toMatchObject({ digits: ['1'], result: 'match' });
  });

  it('records when each node was entered and how long the caller spent there', async () => {
    const { result } = await run(['2']);
    const [hours, , welcome, menu] = result.path;
    expect(hours).toMatchObject({ at: 0, ms: 0, result: 'open', next: 'vip' });
    expect(welcome!.ms).toBeGreaterThan(0);
    expect(menu!.at).toBe(welcome!.at + welcome!.ms);
    expect(result.endedAt - result.startedAt).toBe(result.path.reduce((sum, s) => sum + s.ms, 0));
  });

  it('lets a VIP caller skip the menu', async () => {
    const { result, route } = await run([], MONDAY_10, 2);
    expect(route).toEqual(['hours', 'vip', 'vip-queue']);
    expect(result.outcome).toMatchObject({ type: 'enqueue', queueId: IDS.vipQueueId, priority: 10 });
    expect(result.outcome.type === 'enqueue' && result.outcome.attributes).toEqual({ vip: true });
  });

  it('sends a call after hours, and on a holiday, to the closed message and hangs up', async () => {
    for (const at of [MONDAY_20, LABOUR_DAY]) {
      const { result, route, call } = await run(['1'], at);
      expect(route).toEqual(['hours', 'closed', 'bye']);
      expect(result.outcome).toEqual({ type: 'hangup', nodeId: 'bye', cause: 'closed' });
      expect(call.hungUp).toBe('closed');
    }
  });

  it('replays the menu with the retry prompt after a wrong key, then takes the noMatch way', async () => {
    const { result, call } = await run(['7', '8', '9']);
    const menu = result.path.find((s) => s.nodeId === 'menu')!;
    expect(menu).toMatchObject({ digits: ['7', '8', '9'], result: 'noMatch', next: 'agent' });
    // Welcome, then the menu three times with the retry prompt before the second and third.
    expect(call.played.map((p) => ('text' in p ? p.text.slice(0, 4) : p.audioId))).toEqual([
      '您好，欢',
      '售后服务',
      '对不起，',
      '售后服务',
      '对不起，',
      '售后服务',
    ]);
  });

  it('counts silence as no input after the timeout, and a right key on the retry as a match', async () => {
    const { result } = await run(['', '2']);
    const menu = result.path.find((s) => s.nodeId === 'menu')!;
    expect(menu).toMatchObject({ digits: ['', '2'], result: 'match', next: 'english' });
    expect(menu.ms).toBeGreaterThanOrEqual(5000);
  });

  it('stops where the caller hung up', async () => {
    const { result, route } = await run(['hangup']);
    expect(route.at(-1)).toBe('menu');
    expect(result.outcome).toEqual({ type: 'abandoned', nodeId: 'menu' });
  });

  it('collects an account number up to the terminator and keeps it as an attribute', async () => {
    const def: FlowDefinition = {
      entry: 'acct',
      nodes: [
        {
          id: 'acct',
          type: 'collect',
          prompt: { text: 'Enter your account number, then the hash key.', language: 'en' },
          minDigits: 6,
          maxDigits: 10,
          terminator: '#',
          saveAs: 'account',
          retries: 1,
          next: 'q',
          noInput: 'q',
          noMatch: 'bye',
        },
        { id: 'q', type: 'enqueue' },
        { id: 'bye', type: 'hangup', cause: 'invalid_account' },
      ],
    };
    const ok = await run(['123', '123456#99'], MONDAY_10, 0, def);
    expect(ok.result.outcome).toEqual({ type: 'enqueue', nodeId: 'q', attributes: { account: '123456' } });
    expect(ok.result.path[0]).toMatchObject({ digits: ['123', '123456'], result: 'collected' });
    const bad = await run(['12', '34'], MONDAY_10, 0, def);
    expect(bad.result.outcome).toEqual({ type: 'hangup', nodeId: 'bye', cause: 'invalid_account' });
  });

  it('branches on CEL and on the simple form over the customer and the call', async () => {
    const nodes: FlowNode[] = [
      {
        id: 'b',
        type: 'branch',
        on: 'attribute',
        cases: [
          { when: { path: 'customer.attributes.vip', op: '==', value: true }, next: 'vip' },
          { when: 'call.from.startsWith("+86") && !customer.known', next: 'new-cn' },
          { when: 'customer.attributes.plan == "gold"', next: 'gold' },
        ],
        default: 'other',
      },
      { id: 'vip', type: 'enqueue', attributes: { route: 'vip' } },
      { id: 'new-cn', type: 'enqueue', attributes: { route: 'new-cn' } },
      { id: 'gold', type: 'enqueue', attributes: { route: 'gold' } },
      { id: 'other', type: 'transfer', to: '+861012345678' },
    ];
    const flow = compileFlow({ entry: 'b', nodes });
    const outcomeFor = async (customer: IvrContext['customer']) => {
      const clock = new ManualClock(MONDAY_10);
      const r = await runFlow(
        flow,
        new ScriptedCall({ script: [], clock }),
        { ...context(), customer },
        clock,
      );
      return r.outcome;
    };
    expect(await outcomeFor({ known: true, tier: 0, attributes: { vip: true } })).toMatchObject({
      attributes: { route: 'vip' },
    });
    expect(await outcomeFor({ known: false, tier: 0, attributes: {} })).toMatchObject({
      attributes: { route: 'new-cn' },
    });
    // A missing attribute is an evaluation error in CEL: the case does not hold.
    expect(await outcomeFor({ known: true, tier: 0, attributes: { plan: 'gold' } })).toMatchObject({
      attributes: { route: 'gold' },
    });
    expect(await outcomeFor({ known: true, tier: 0, attributes: {} })).toEqual({
      type: 'transfer',
      nodeId: 'other',
      to: '+861012345678',
      attributes: {},
    });
  });

  it('hangs up a caller who goes round a loop until the step limit', async () => {
    const def: FlowDefinition = {
      entry: 'm',
      nodes: [
        {
          id: 'm',
          type: 'menu',
          prompt: { text: 'Press 9 to hear this again.', language: 'en' },
          branches: { '9': 'm' },
          noInput: 'm',
          noMatch: 'm',
          retries: 0,
        },
      ],
    };
    const clock = new ManualClock(0);
    const call = new ScriptedCall({ script: [], clock });
    const r = await runFlow(compileFlow(def), call, context(), clock, { maxSteps: 10 });
    expect(r.path).toHaveLength(10);
    expect(r.outcome).toEqual({ type: 'hangup', nodeId: 'm', cause: 'step_limit' });
    expect(call.hungUp).toBe('step_limit');
    const other = new ManualClock(0);
    const slow = await runFlow(
      compileFlow(def),
      new ScriptedCall({ script: [], clock: other }),
      context(),
      other,
      {
        maxDurationMs: 60_000,
      },
    );
    expect(slow.outcome).toMatchObject({ cause: 'time_limit' });
  });

  it('goes on when a prompt cannot be played, and fails the call when digits cannot be collected', async () => {
    const clock = new ManualClock(MONDAY_10);
    const flow = compileFlow(sampleFlow(IDS));
    const broken = {
      play: async () => {
        throw new Error('no such audio');
      },
      collectDigits: async () => '1',
      hangup: async () => {},
      setAttribute: () => {},
    };
    const r = await runFlow(flow, broken, context(), clock);
    expect(r.outcome.type).toBe('enqueue');
    expect(r.path.find((s) => s.nodeId === 'welcome')?.error).toBe('prompt not played: no such audio');
    const deaf = {
      ...broken,
      play: async () => {},
      collectDigits: async () => {
        throw new Error('media gone');
      },
    };
    expect((await runFlow(flow, deaf, context(), clock)).outcome).toEqual({
      type: 'failed',
      nodeId: 'menu',
      error: 'media gone',
    });
    const gone = {
      ...deaf,
      play: async () => {
        throw new CallerHungUp();
      },
    };
    expect((await runFlow(flow, gone, context(), clock)).outcome).toEqual({
      type: 'abandoned',
      nodeId: 'welcome',
    });
  });
});
