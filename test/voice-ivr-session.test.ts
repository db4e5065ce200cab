import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/core/index.js';
import {
  CallerHungUp,
  type CollectOptions,
  handleInboundCall,
  type IvrSessionDeps,
  type MediaCall,
  PromptAudioSource,
  sampleFlow,
} from '../src/voice/ivr/index.js';
import { createEspeakSynthesizer, type PromptAudio, PromptService } from '../src/voice/tts/index.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';

interface Json {
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field in assertions
  [k: string]: any;
}

/** Monday 3 March 2025 in Shanghai: 10:00 (open) and 20:00 (closed). */
const MONDAY_10 = Date.parse('2025-03-03T02:00:00Z');
const MONDAY_20 = Date.parse('2025-03-03T12:00:00Z');
const NUMBER = '+864001234567';

/** A call as call control would hand it over, with the caller's keys scripted. */
class FakeCall implements MediaCall {
  readonly played: PromptAudio[] = [];
  readonly collected: CollectOptions[] = [];
  answered = false;
  hungUp: string | undefined;
  private next = 0;
  constructor(
    readonly callId: string,
    readonly from: string,
    readonly to: string,
    private readonly keys: string[],
    private readonly clock: ManualClock,
  ) {}
  async answer() {
    this.answered = true;
  }
  async play(audio: PromptAudio) {
    if (!this.answered) throw new Error('played before the call was answered');
    this.played.push(audio);
    this.clock.advance(audio.durationMs);
  }
  async collectDigits(o: CollectOptions) {
    this.collected.push(o);
    const k = this.keys[this.next++] ?? '';
    if (k === 'hangup') throw new CallerHungUp();
    this.clock.advance(k ? 300 * k.length : o.timeoutMs);
    return k;
  }
  async hangup(cause: string) {
    this.hungUp = cause;
  }
}

/**
 * Issue #7 end to end without SIP: a call to a number reaches the number's flow, the caller is the
 * customer their number belongs to, the IVR runs on the call (prompts synthesized by eSpeak NG),
 * and the call lands in the right queue with the flow's attributes and in the customer's timeline.
 */
describe('an inbound call through the IVR on pglite', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sb-ivr-session-'));
  let t: TestApp;
  let owner: string;
  let ids: { hoursId: string; queueId: string; vipQueueId: string };
  let prompts: PromptService;
  let known: string;
  let vip: string;
  let n = 0;

  const api = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
    const res = await t.inject({
      method,
      url,
      headers: { authorization: owner },
      ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
    });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json() as Json;
  };

  async function dial(from: string, keys: string[], at = MONDAY_10, to = NUMBER) {
    const clock = new ManualClock(at);
    const deps: IvrSessionDeps = {
      db: t.sb.ctx.storage.db,
      outbox: t.sb.ctx.outbox,
      routing: t.sb.ctx.routing,
      audio: new PromptAudioSource(t.sb.ctx.storage.db, prompts),
      clock,
      logger: pino({ level: 'silent' }),
    };
    const call = new FakeCall(`call-${++n}@test`, from, to, keys, clock);
    return { session: await handleInboundCall(deps, call), call, deps };
  }

  async function timelineOf(customerId: string) {
    return (await api('GET', `/api/v1/customers/${customerId}/timeline`)).items as Json[];
  }

  beforeAll(async () => {
    t = await startTestApp('pglite', { dataDir });
    owner = await t.login(OWNER.email, OWNER.password);
    prompts = new PromptService({
      dir: path.join(dataDir, 'prompts'),
      synthesizer: createEspeakSynthesizer(),
    });
    const hours = await api('POST', '/api/v1/business-hours', {
      name: 'Office',
      timezone: 'Asia/Shanghai',
      weekly: [1, 2, 3, 4, 5].map((day) => ({ day, open: '09:00', close: '18:00' })),
    });
    const queue = await api('POST', '/api/v1/queues', { name: '售后' });
    const vipQueue = await api('POST', '/api/v1/queues', { name: 'VIP' });
    ids = { hoursId: hours.id, queueId: queue.id, vipQueueId: vipQueue.id };
    await api('PUT', '/api/v1/routing/rules', {
      steps: [
        { id: 'ivr-vip', filter: `task.targetQueueId == '${ids.vipQueueId}'`, queueId: ids.vipQueueId },
        { id: 'ivr-sales', filter: `task.targetQueueId == '${ids.queueId}'`, queueId: ids.queueId },
      ],
    });
    const flow = await api('POST', '/api/v1/ivr/flows', { name: '主菜单', definition: sampleFlow(ids) });
    await api('PUT', `/api/v1/ivr/numbers/${NUMBER}`, { flowId: flow.id });
    known = (
      await api('POST', '/api/v1/customers', {
        displayName: '张伟',
        identities: [{ kind: 'phone', value: '+86 138 0013 8000' }],
      })
    ).id;
    vip = (
      await api('POST', '/api/v1/customers', {
        displayName: '王芳',
        tier: 2,
        identities: [{ kind: 'phone', value: '+8613900139000' }],
      })
    ).id;
  });
  afterAll(async () => {
    await prompts.close();
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("puts a known customer's call, after pressing 1, in the after-sales queue with the menu's attributes", async () => {
    const { session, call } = await dial('+8613800138000', ['1']);
    expect(session.customerId).toBe(known);
    expect(session.result.outcome).toMatchObject({ type: 'enqueue', queueId: ids.queueId });
    expect(call.hungUp).toBeUndefined();
    // The welcome and the menu, synthesized: each a second or more of 8 kHz µ-law.
    expect(call.played).toHaveLength(2);
    for (const audio of call.played)
      expect(Math.abs(audio.pcmu.length - audio.durationMs * 8)).toBeLessThan(8);
    expect(call.played[0]!.durationMs).toBeGreaterThan(1000);
    expect(call.collected).toEqual([{ max: 1, timeoutMs: 5000 }]);
    const task = await api('GET', `/api/v1/routing/tasks/${session.taskId}`);
    expect(task).toMatchObject({
      status: 'waiting',
      queueId: ids.queueId,
      attributes: {
        channel: 'voice',
        customerId: known,
        conversationId: session.conversationId,
        category: 'after_sales',
        language: 'zh',
        tier: 0,
        calledNumber: NUMBER,
        targetQueueId: ids.queueId,
      },
    });
    const conversation = await api('GET', `/api/v1/conversations/${session.conversationId}`);
    expect(conversation).toMatchObject({ channelType: 'voice', status: 'open', customerId: known });
  });

  it('shows the call in the customer’s timeline with its IVR path', async () => {
    const [entry] = await timelineOf(known);
    expect(entry).toMatchObject({
      kind: 'call',
      channelType: 'voice',
      direction: 'in',
      from: '+8613800138000',
      to: NUMBER,
      outcome: 'enqueue',
      conversationStatus: 'open',
    });
    expect(entry!.ivrPath.map((s: Json) => s.nodeId)).toEqual([
      'hours',
      'vip',
      'welcome',
      'menu',
      'after-sales',
      'agent',
    ]);
    expect(entry!.ivrPath[3]).toMatchObject({ type: 'menu', digits: ['1'], result: 'match' });
    expect(entry!.ivrPath[3].at).toBeGreaterThan(1000);
    expect(entry!.text).toBe(
      `Call from +8613800138000 to ${NUMBER} — IVR: hours › vip › welcome › menu [1] › after-sales › agent — queued for an agent`,
    );
  });

  it('lets a VIP caller skip the menu into the VIP queue, ahead of others', async () => {
    const { session, call } = await dial('+8613900139000', []);
    expect(session.customerId).toBe(vip);
    expect(call.played).toEqual([]);
    expect(session.result.path.map((s) => s.nodeId)).toEqual(['hours', 'vip', 'vip-queue']);
    const task = await api('GET', `/api/v1/routing/tasks/${session.taskId}`);
    expect(task).toMatchObject({ queueId: ids.vipQueueId, priority: 10, attributes: { vip: true, tier: 2 } });
  });

  it('sends a call after hours to the closed message and hangs up; the call is in the timeline, no task', async () => {
    const { session, call } = await dial('+8613800138000', ['1'], MONDAY_20);
    expect(session.result.path.map((s) => s.nodeId)).toEqual(['hours', 'closed', 'bye']);
    expect(call.hungUp).toBe('closed');
    expect(session.taskId).toBeUndefined();
    const [entry] = await timelineOf(known);
    expect(entry).toMatchObject({ kind: 'call', outcome: 'hangup', conversationStatus: 'resolved' });
    expect(entry!.conversationId).toBe(session.conversationId);
  });

  it('makes a customer of a number never seen before, and the call is theirs', async () => {
    const { session } = await dial('13700137000', ['2']);
    const customer = await api('GET', `/api/v1/customers/${session.customerId}`);
    expect(customer.identities).toEqual([
      expect.objectContaining({ kind: 'phone', value: '+8613700137000' }),
    ]);
    const task = await api('GET', `/api/v1/routing/tasks/${session.taskId}`);
    expect(task.attributes).toMatchObject({ language: 'en', customerId: session.customerId });
    expect((await timelineOf(session.customerId!))[0]).toMatchObject({ kind: 'call', outcome: 'enqueue' });
  });

  it('records a caller who hangs up in the menu as abandoned in the IVR', async () => {
    const { session } = await dial('+8613800138000', ['hangup']);
    expect(session.result.outcome).toEqual({ type: 'abandoned', nodeId: 'menu' });
    expect((await timelineOf(known))[0]).toMatchObject({
      outcome: 'abandoned',
      conversationStatus: 'resolved',
    });
  });

  it('refuses a call to a number nobody has', async () => {
    const { session, call } = await dial('+8613800138000', [], MONDAY_10, '+864009999999');
    expect(session.tenantId).toBeUndefined();
    expect(call.hungUp).toBe('unknown_number');
    expect(call.answered).toBe(false);
  });

  it('synthesized each prompt once for all these calls', () => {
    // welcome, menu, retry prompt never played, closed: three texts in all.
    expect(prompts.stats.synthesized).toBe(3);
    expect(prompts.stats.memoryHits).toBeGreaterThan(0);
  });
});
