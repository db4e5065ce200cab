// Issue #7 acceptance 1 and 3 with real SIP peers: a sipp caller dials the tenant's number, hears the
// IVR's prompt, presses 1, waits in the queue, and is connected to the agent who accepts the offer -
// on the agent's desk phone (a second sipp, which Switchboard dials) - with audio both ways; the call is
// in the customer's timeline with its IVR path and what happened after, and its encrypted recording
// plays back through the API.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freeMediaPort, sippArgs, sippAvailable, startSipp } from '../bench/voice/sipp.js';
import type { Call, Leg, Voice } from '../src/voice/index.js';
import { caller, type Json } from './support/api.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { SCENARIOS, startCallee } from './support/sipp.js';
import { waitFor } from './support/wait.js';

const NUMBER = '+864001234567';
const CUSTOMER_PHONE = '+8613800138000';
/** The customer's number as agents see it (masked, like identities). */
const SHOWN_PHONE = '+86 138****8000';

/** Frames with sound in them (not silence or comfort noise). */
const loud = (pcm: Int16Array) => pcm.some((s) => Math.abs(s) > 500);

/** Left and right sample peaks of a 16-bit stereo WAV. */
function stereoPeaks(wav: Buffer): { left: number; right: number; seconds: number } {
  const data = wav.indexOf('data') + 8;
  let left = 0;
  let right = 0;
  for (let i = data; i + 3 < wav.length; i += 4) {
    left = Math.max(left, Math.abs(wav.readInt16LE(i)));
    right = Math.max(right, Math.abs(wav.readInt16LE(i + 2)));
  }
  return { left, right, seconds: (wav.length - data) / 4 / 8000 };
}

describe.skipIf(!sippAvailable())('a call through the IVR and the queue to an agent (sipp)', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sb-voice-center-'));
  let t: TestApp;
  let owner: string;
  let agent: string;
  let agentId: string;
  let queueId: string;
  let customerId: string;
  const call = caller(() => t);

  beforeAll(async () => {
    t = await startTestApp('pglite', { dataDir });
    expect(t.sb.voice, 'voice must be on in the test app').toBeDefined();
    owner = await t.login(OWNER.email, OWNER.password);
    queueId = (await call(owner, 'POST', '/api/v1/queues', { name: '售后' })).body.id;
    const user = await call(owner, 'POST', '/api/v1/users', {
      email: 'wang.fang@acme.test',
      password: 'agent password 1',
      role: 'agent',
      displayName: '王芳',
    });
    agentId = user.body.id;
    agent = await t.login('wang.fang@acme.test', 'agent password 1');
    customerId = (
      await call(owner, 'POST', '/api/v1/customers', {
        displayName: '张伟',
        identities: [{ kind: 'phone', value: CUSTOMER_PHONE }],
      })
    ).body.id;
    const flow = await call(owner, 'POST', '/api/v1/ivr/flows', {
      name: '热线',
      definition: {
        entry: 'menu',
        nodes: [
          {
            id: 'menu',
            type: 'menu',
            prompt: { text: '您好，欢迎致电。售后服务请按1。', language: 'zh-CN' },
            maxDigits: 1,
            timeoutMs: 8000,
            retries: 1,
            branches: { '1': 'after-sales' },
            noInput: 'queue',
            noMatch: 'queue',
          },
          {
            id: 'after-sales',
            type: 'setAttributes',
            attributes: { category: 'after_sales' },
            next: 'queue',
          },
          { id: 'queue', type: 'enqueue', queueId },
        ],
      },
    });
    expect(flow.status, JSON.stringify(flow.body)).toBe(201);
    const number = await call(owner, 'PUT', `/api/v1/ivr/numbers/${NUMBER}`, {
      flowId: flow.body.id,
    });
    expect(number.status, JSON.stringify(number.body)).toBeLessThan(300);
    const state = await call(agent, 'PUT', `/api/v1/routing/agents/${agentId}/state`, { state: 'available' });
    expect(state.status, JSON.stringify(state.body)).toBe(200);
  });

  /** The legs Switchboard dials from now on, each with a listener on what it hears. */
  function watchDials(onAudio: (pcm: Int16Array, leg: Leg) => void): Leg[] {
    const voice = t.sb.voice!;
    const legs: Leg[] = [];
    const dial = dialer ?? voice.calls.dial.bind(voice.calls);
    dialer = dial;
    voice.calls.dial = async (target, options) => {
      const leg = await dial(target, options);
      legs.push(leg);
      leg.media.onAudio((pcm) => onAudio(pcm, leg));
      return leg;
    };
    return legs;
  }
  let dialer: Voice['calls']['dial'] | undefined;

  /** A sipp customer dialling the tenant's number with `scenario`, staying `stayMs` where it pauses. */
  async function dialIn(scenario: string, stayMs: number, options: { echo: boolean }) {
    return startSipp(
      sippArgs(`127.0.0.1:${t.sb.voice!.sipPort}`, await freeMediaPort(), [
        '-sf',
        path.join(SCENARIOS, scenario),
        '-s',
        NUMBER,
        ...(options.echo ? ['-rtp_echo'] : []),
        '-m',
        '1',
        '-d',
        String(stayMs),
        '-timeout',
        '40s',
        '-timeout_error',
      ]),
      { timeoutMs: 50_000 },
    );
  }

  /** Each test's routing tasks, finished after it so the agents' voice slots are free for the next one. */
  const tasks: string[] = [];
  afterEach(async () => {
    for (const id of tasks.splice(0)) await call(owner, 'POST', `/api/v1/routing/tasks/${id}/complete`, {});
  });

  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('queues the caller after the menu, connects them to the agent who accepts, records the call and puts it in the timeline', async () => {
    const voice = t.sb.voice!;
    // The agent takes calls on a desk phone that talks (plays 8 s of A-law speech) once answered.
    const phone = await startCallee('agent-phone.xml');
    const set = await call(agent, 'PUT', `/api/v1/voice/agents/${agentId}/phone`, { uri: phone.uri });
    expect(set.body).toEqual({ userId: agentId, uri: phone.uri });

    // What our side of each leg hears: the caller's sipp echoes everything it hears (-rtp_echo).
    const heard = { ivr: 0, callerAfterConnect: 0, agent: 0 };
    let connected = false;
    let callerLeg: Call | undefined;
    voice.calls.once('call.ringing', (c) => {
      callerLeg = c;
      c.media.onAudio((pcm) => {
        if (!loud(pcm)) return;
        if (connected) heard.callerAfterConnect++;
        else heard.ivr++;
      });
    });
    const agentLegs = watchDials((pcm) => {
      if (loud(pcm)) heard.agent++;
    });

    const customer = await dialIn('caller-menu.xml', 12_000, { echo: true });

    // The menu took the 1; the call waits in the queue and the agent is offered it.
    const offer = await waitFor(async () => {
      const items = (await call(agent, 'GET', '/api/v1/routing/reservations')).body.items as Json[];
      return items[0];
    });
    const queued = (await call(owner, 'GET', '/api/v1/voice/calls')).body.items as Json[];
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ state: 'queued', customerId, from: CUSTOMER_PHONE, to: NUMBER });
    const conversationId = queued[0]!.conversationId as string;
    tasks.push(queued[0]!.taskId);
    // An agent sees only the calls given to them.
    expect((await call(agent, 'GET', '/api/v1/voice/calls')).body.items).toEqual([]);

    const accepted = await call(agent, 'POST', `/api/v1/routing/reservations/${offer.id}/accept`, {});
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    const live = await waitFor(async () => {
      const res = await call(agent, 'GET', `/api/v1/voice/calls/${conversationId}`);
      return res.body.state === 'connected' ? res.body : undefined;
    });
    connected = true;
    expect(live).toMatchObject({ agentId, device: 'sip', from: SHOWN_PHONE });
    expect(agentLegs).toHaveLength(1);
    expect(callerLeg?.bridgedTo).toBe(agentLegs[0]);

    // The caller hangs up after -d; the agent's phone gets our BYE.
    const result = await customer.done;
    expect(result.code, result.output).toBe(0);
    const phoneResult = await phone.sipp.done;
    expect(phoneResult.code, phoneResult.output).toBe(0);

    // Audio both ways: the caller heard the prompt (echoed back during the IVR); once connected, the
    // agent's phone was heard on the agent's leg, crossed to the caller and came back in their echo.
    // (20 frames are 0.4 s of sound: proof enough, with room for a busy machine.)
    expect(heard.ivr).toBeGreaterThan(20);
    expect(heard.agent).toBeGreaterThan(20);
    expect(heard.callerAfterConnect).toBeGreaterThan(20);
    const agentStats = await agentLegs[0]!.media.stats();
    expect(agentStats.packetsSent).toBeGreaterThan(20);

    // The timeline: the call with its IVR path and what happened after the IVR.
    const entry = await waitFor(async () => {
      const items = (await call(agent, 'GET', `/api/v1/customers/${customerId}/timeline`)).body
        .items as Json[];
      const c = items.find((i) => i.kind === 'call');
      return c?.events.some((e: Json) => e.type === 'ended') ? c : undefined;
    });
    expect(entry).toMatchObject({ conversationId, from: CUSTOMER_PHONE, to: NUMBER, outcome: 'enqueue' });
    expect(entry.ivrPath.map((s: Json) => s.nodeId)).toEqual(['menu', 'after-sales', 'queue']);
    expect(entry.ivrPath[0].digits).toEqual(['1']);
    expect(entry.events.map((e: Json) => e.type)).toEqual(['queued', 'ringing_agent', 'connected', 'ended']);
    expect(entry.events[0]).toMatchObject({ queueId });
    expect(entry.events[2]).toMatchObject({ agentId });
    expect(entry.events[3]).toMatchObject({ cause: 'caller-hangup', by: 'caller' });

    // Acceptance 3: the recording exists, its file is not audio without the key, a supervisor hears it.
    const recordings = await waitFor(async () => {
      const items = (await call(owner, 'GET', `/api/v1/recordings?conversationId=${conversationId}`)).body
        .items as Json[];
      return items.length ? items : undefined;
    });
    expect(recordings).toHaveLength(1);
    expect(recordings[0]).toMatchObject({ conversationId, customerId, agentIds: [agentId] });
    const dir = path.join(dataDir, 'recordings');
    const files = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.sbrec'));
    expect(files).toEqual([expect.stringContaining(`${recordings[0]!.id}.sbrec`)]);
    const raw = readFileSync(path.join(dir, files[0]!));
    expect(raw.subarray(0, 4).toString('latin1')).not.toBe('RIFF');
    const audio = await t.inject({
      method: 'GET',
      url: `/api/v1/recordings/${recordings[0]!.id}/audio`,
      headers: { authorization: owner },
    });
    expect(audio.statusCode).toBe(200);
    expect(audio.headers['content-type']).toBe('audio/wav');
    const wav = audio.rawPayload;
    expect(wav.subarray(0, 4).toString('latin1')).toBe('RIFF');
    const peaks = stereoPeaks(wav);
    // The customer (left) and the agent (right) both speak in it.
    expect(peaks.left).toBeGreaterThan(1000);
    expect(peaks.right).toBeGreaterThan(1000);
    // The agent may not play it back (supervisors and up by default).
    const denied = await t.inject({
      method: 'GET',
      url: `/api/v1/recordings/${recordings[0]!.id}/audio`,
      headers: { authorization: agent },
    });
    expect(denied.statusCode).toBe(403);
    // Metrics: the call, how it ended, how long it waited and talked.
    const metrics = (await t.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('switchboard_calls_total{direction="in",cause="caller-hangup"} 1');
    expect(metrics).toMatch(/switchboard_call_talk_seconds_count\{direction="in"\} 1/);
    // The agent finishes the call's task (their voice slot is free again).
    const done = await call(agent, 'POST', `/api/v1/routing/tasks/${queued[0]!.taskId}/complete`, {});
    expect(done.status, JSON.stringify(done.body)).toBe(200);
  });

  it("places an agent's call to a customer through the trunk: the agent's phone rings first, then the customer's, with the tenant's caller id", async () => {
    // The trunk is a sipp that answers as the customer and talks; the agent's desk phone echoes.
    const trunk = await startCallee('agent-phone.xml', 'u1', [], 2);
    const trunkPort = /:(\d+)$/.exec(trunk.uri)![1];
    const settings = await call(owner, 'PUT', '/api/v1/voice/settings', {
      callerId: '4001234567',
      trunk: { uri: `sip:{digits}@127.0.0.1:${trunkPort}`, username: 'acme', password: 'trunk secret' },
    });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    expect(settings.body).toEqual({
      callerId: '+864001234567',
      trunk: { uri: `sip:{digits}@127.0.0.1:${trunkPort}`, username: 'acme', hasPassword: true },
      callbackOffer: false,
    });
    expect(JSON.stringify((await call(owner, 'GET', '/api/v1/voice/settings')).body)).not.toContain('secret');
    const desk = await startCallee('callee.xml', 'u1', ['-rtp_echo']);
    await call(agent, 'PUT', `/api/v1/voice/agents/${agentId}/phone`, { uri: desk.uri });

    const heard = new Map<Leg, number>();
    const legs = watchDials((pcm, leg) => {
      if (loud(pcm)) heard.set(leg, (heard.get(leg) ?? 0) + 1);
    });
    // The agent sees the number masked, so they call the customer's phone identity.
    const identity = (await call(agent, 'GET', `/api/v1/customers/${customerId}`)).body.identities[0];
    expect(identity).toMatchObject({ kind: 'phone', value: SHOWN_PHONE });
    const placed = await call(agent, 'POST', '/api/v1/voice/calls', { identityId: identity.id });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect(placed.body).toMatchObject({ direction: 'out', to: SHOWN_PHONE, customerId, agentId });
    const conversationId = placed.body.conversationId as string;
    tasks.push(placed.body.taskId);
    await waitFor(async () => {
      const res = await call(agent, 'GET', `/api/v1/voice/calls/${conversationId}`);
      return res.body.state === 'connected';
    });
    // Agent's phone first, then the customer through the trunk, with the tenant's caller id.
    expect(legs.map((l) => (l as Leg & { target: string }).target)).toEqual([
      desk.uri,
      `sip:8613800138000@127.0.0.1:${trunkPort}`,
    ]);
    // The customer talks; the agent's phone hears it (through the bridge) and its echo reaches the customer.
    await waitFor(() => (heard.get(legs[0]!) ?? 0) > 40 && (heard.get(legs[1]!) ?? 0) > 40);
    // The agent transfers the customer to an outside number (through the same trunk): the customer is
    // connected to it and the agent's phone is released.
    const moved = await call(agent, 'POST', `/api/v1/voice/calls/${conversationId}/transfer`, {
      number: '010 6552 9988',
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ state: 'connected', device: 'sip' });
    expect(moved.body.agentId).toBeUndefined();
    expect(legs.map((l) => (l as Leg & { target: string }).target)[2]).toBe(
      `sip:861065529988@127.0.0.1:${trunkPort}`,
    );
    expect((await desk.sipp.done).code).toBe(0);
    // The agent is off the call; a supervisor ends it.
    expect((await call(agent, 'GET', `/api/v1/voice/calls/${conversationId}`)).status).toBe(403);
    const hangup = await call(owner, 'POST', `/api/v1/voice/calls/${conversationId}/hangup`, {});
    expect(hangup.status).toBe(204);
    expect((await trunk.sipp.done).code).toBe(0);

    const entry = await waitFor(async () => {
      const items = (await call(agent, 'GET', `/api/v1/customers/${customerId}/timeline`)).body
        .items as Json[];
      const c = items.find((i) => i.kind === 'call' && i.conversationId === conversationId);
      return c?.events.some((e: Json) => e.type === 'ended') ? c : undefined;
    });
    expect(entry).toMatchObject({ direction: 'out', to: CUSTOMER_PHONE, from: '+864001234567' });
    expect(entry.events.map((e: Json) => e.type)).toEqual(['dialing', 'connected', 'transferred', 'ended']);
    expect(entry.events[2]).toMatchObject({ to: 'number:+861065529988', by: agentId });
    expect(entry.events[3]).toMatchObject({ cause: 'hangup' });
  });

  it('offers a queued caller a call back: they press 1, keep their place, and are called back when an agent takes the task', async () => {
    const _voice = t.sb.voice!;
    // Nobody is free: the agent is on a break, so the caller waits and hears the offer.
    await call(agent, 'PUT', `/api/v1/routing/agents/${agentId}/state`, { state: 'break', reason: 'lunch' });
    const trunk = await startCallee('agent-phone.xml');
    const trunkPort = /:(\d+)$/.exec(trunk.uri)![1];
    await call(owner, 'PUT', '/api/v1/voice/settings', {
      callbackOffer: true,
      trunk: { uri: `sip:{number}@127.0.0.1:${trunkPort}` },
    });
    const desk = await startCallee('callee.xml', 'u1', ['-rtp_echo']);
    await call(agent, 'PUT', `/api/v1/voice/agents/${agentId}/phone`, { uri: desk.uri });

    const customer = await dialIn('caller-callback.xml', 4000, { echo: false });
    // The caller asked for the call back and was hung up on; the call keeps its place.
    expect((await customer.done).code).toBe(0);
    const waiting = await waitFor(async () => {
      const items = (await call(owner, 'GET', '/api/v1/voice/calls')).body.items as Json[];
      return items.find((c) => c.state === 'callback');
    });
    expect(waiting).toMatchObject({ from: CUSTOMER_PHONE, customerId });
    tasks.push(waiting.taskId);

    // The agent comes back and accepts: their phone rings, then the customer's number.
    await call(agent, 'PUT', `/api/v1/routing/agents/${agentId}/state`, { state: 'available' });
    const offer = await waitFor(async () => {
      const items = (await call(agent, 'GET', '/api/v1/routing/reservations')).body.items as Json[];
      return items.find((r) => r.taskId === waiting.taskId);
    });
    await call(agent, 'POST', `/api/v1/routing/reservations/${offer.id}/accept`, {});
    const live = await waitFor(async () => {
      const res = await call(agent, 'GET', `/api/v1/voice/calls/${waiting.conversationId}`);
      return res.body.state === 'connected' ? res.body : undefined;
    });
    expect(live).toMatchObject({ agentId, device: 'sip' });
    await call(agent, 'POST', `/api/v1/voice/calls/${waiting.conversationId}/hangup`, {});
    expect((await trunk.sipp.done).code).toBe(0);
    expect((await desk.sipp.done).code).toBe(0);

    const entry = await waitFor(async () => {
      const items = (await call(agent, 'GET', `/api/v1/customers/${customerId}/timeline`)).body
        .items as Json[];
      const c = items.find((i) => i.kind === 'call' && i.conversationId === waiting.conversationId);
      return c?.events.some((e: Json) => e.type === 'ended') ? c : undefined;
    });
    expect(entry.events.map((e: Json) => e.type)).toEqual([
      'queued',
      'callback_requested',
      'calling_back',
      'connected',
      'ended',
    ]);
    expect(entry.events[2]).toMatchObject({ agentId, to: CUSTOMER_PHONE });
    const done = await call(agent, 'POST', `/api/v1/routing/tasks/${waiting.taskId}/complete`, {});
    expect(done.status, JSON.stringify(done.body)).toBe(200);
  }, 90_000);

  it('consults a colleague while the caller holds, joins all three in a conference, and leaves the colleague with the caller', async () => {
    const voice = t.sb.voice!;
    const colleague = await call(owner, 'POST', '/api/v1/users', {
      email: 'li.lei@acme.test',
      password: 'agent password 2',
      role: 'agent',
      displayName: '李雷',
    });
    const colleagueId = colleague.body.id as string;
    const colleagueAuth = await t.login('li.lei@acme.test', 'agent password 2');
    await call(colleagueAuth, 'PUT', `/api/v1/routing/agents/${colleagueId}/state`, { state: 'available' });
    // A's desk phone talks; the colleague's echoes what it hears.
    const deskA = await startCallee('agent-phone.xml');
    const deskB = await startCallee('callee.xml', 'u1', ['-rtp_echo']);
    await call(agent, 'PUT', `/api/v1/voice/agents/${agentId}/phone`, { uri: deskA.uri });
    await call(colleagueAuth, 'PUT', `/api/v1/voice/agents/${colleagueId}/phone`, { uri: deskB.uri });
    await call(agent, 'PUT', `/api/v1/routing/agents/${agentId}/state`, { state: 'available' });

    const heard = new Map<Leg, number>();
    const count = (leg: Leg) => (pcm: Int16Array) => {
      if (loud(pcm)) heard.set(leg, (heard.get(leg) ?? 0) + 1);
    };
    let callerLeg: Call | undefined;
    voice.calls.once('call.ringing', (c) => {
      callerLeg = c;
      c.media.onAudio(count(c));
    });
    const legs = watchDials((pcm, leg) => count(leg)(pcm));
    const customer = await dialIn('caller-menu.xml', 16000, { echo: true });
    const offer = await waitFor(async () => {
      const items = (await call(agent, 'GET', '/api/v1/routing/reservations')).body.items as Json[];
      return items[0];
    });
    await call(agent, 'POST', `/api/v1/routing/reservations/${offer.id}/accept`, {});
    const live = await waitFor(async () => {
      const items = (await call(agent, 'GET', '/api/v1/voice/calls')).body.items as Json[];
      return items.find((c) => c.state === 'connected');
    });
    const id = live.conversationId as string;
    tasks.push(live.taskId);

    // Consult: the caller holds; A's phone talks to the colleague's, which echoes A back.
    const consulting = await call(agent, 'POST', `/api/v1/voice/calls/${id}/consult`, {
      agentId: colleagueId,
    });
    expect(consulting.status, JSON.stringify(consulting.body)).toBe(200);
    expect(consulting.body).toMatchObject({
      state: 'held',
      consult: { agentId: colleagueId, state: 'connected' },
    });
    expect(legs).toHaveLength(2);
    await waitFor(() => (heard.get(legs[1]!) ?? 0) > 20);
    // The colleague sees the call too.
    expect((await call(colleagueAuth, 'GET', `/api/v1/voice/calls/${id}`)).status).toBe(200);

    // Conference: everyone hears everyone; the caller's echo of the mix comes back.
    const before = heard.get(callerLeg!) ?? 0;
    const conf = await call(agent, 'POST', `/api/v1/voice/calls/${id}/conference`, {});
    expect(conf.status, JSON.stringify(conf.body)).toBe(200);
    expect(conf.body).toMatchObject({ state: 'conference', participants: [agentId, colleagueId] });
    await waitFor(() => (heard.get(callerLeg!) ?? 0) > before + 20);

    // A leaves: the colleague has the caller (and the conversation), A's phone is hung up.
    const left = await call(agent, 'POST', `/api/v1/voice/calls/${id}/leave`, {});
    expect(left.status, JSON.stringify(left.body)).toBe(200);
    expect(left.body).toMatchObject({ state: 'connected', agentId: colleagueId });
    expect(callerLeg!.bridgedTo).toBe(legs[1]);
    expect((await deskA.sipp.done).code).toBe(0);
    expect((await customer.done).code).toBe(0);
    expect((await deskB.sipp.done).code).toBe(0);

    const entry = await waitFor(async () => {
      const items = (await call(agent, 'GET', `/api/v1/customers/${customerId}/timeline`)).body
        .items as Json[];
      const c = items.find((i) => i.kind === 'call' && i.conversationId === id);
      return c?.events.some((e: Json) => e.type === 'ended') ? c : undefined;
    });
    expect(entry.events.map((e: Json) => e.type)).toEqual([
      'queued',
      'ringing_agent',
      'connected',
      'consulting',
      'conference',
      'left',
      'ended',
    ]);
    const conversation = await call(owner, 'GET', `/api/v1/conversations/${id}`);
    expect(conversation.body.assigneeId).toBe(colleagueId);
  }, 90_000);
});
