import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleFlow } from '../src/voice/ivr/index.js';
import { pcmWav } from '../src/voice/tts/index.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { serviceAvailable } from './support/services.js';

const pgUp = await serviceAvailable('postgres');

interface Json {
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field in assertions
  [k: string]: any;
}

/** Monday 3 March 2025 in Shanghai: 10:00 (open) and 20:00 (closed). */
const MONDAY_10 = '2025-03-03T02:00:00.000Z';
const MONDAY_20 = '2025-03-03T12:00:00.000Z';

function toneWav(rate: number, seconds: number): Buffer {
  const samples = Int16Array.from({ length: rate * seconds }, (_, i) =>
    Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)),
  );
  return pcmWav(samples, rate);
}

/** Issue #7: IVR flows over the API — stored as versions, checked with node-level errors, simulated, prompts previewed. */
for (const kind of ['pglite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !pgUp)(`IVR administration on ${kind}`, () => {
    let t: TestApp;
    let owner: string;
    let ids: { hoursId: string; queueId: string; vipQueueId: string };
    let flowId: string;

    const call = async (
      method: 'GET' | 'POST' | 'PUT' | 'DELETE',
      url: string,
      payload?: unknown,
      auth = owner,
    ) => {
      const res = await t.inject({
        method,
        url,
        headers: { authorization: auth },
        ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
      });
      return { status: res.statusCode, body: (res.body ? res.json() : {}) as Json, headers: res.headers };
    };

    // Prompts are cached under DATA_DIR/prompts: a directory of this test's own.
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sb-ivr-'));

    beforeAll(async () => {
      t = await startTestApp(kind, { dataDir });
      owner = await t.login(OWNER.email, OWNER.password);
      const hours = await call('POST', '/api/v1/business-hours', {
        name: 'Office',
        timezone: 'Asia/Shanghai',
        weekly: [1, 2, 3, 4, 5].map((day) => ({ day, open: '09:00', close: '18:00' })),
      });
      const queue = await call('POST', '/api/v1/queues', { name: '售后' });
      const vip = await call('POST', '/api/v1/queues', { name: 'VIP' });
      ids = { hoursId: hours.body.id, queueId: queue.body.id, vipQueueId: vip.body.id };
    });
    afterAll(async () => {
      await t.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('stores a flow as version 1: its queues need no routing rule (the engine places named queues)', async () => {
      const res = await call('POST', '/api/v1/ivr/flows', { name: '主菜单', definition: sampleFlow(ids) });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({ name: '主菜单', version: 1, active: true, numbers: [] });
      expect(res.headers.location).toBe(`/api/v1/ivr/flows/${res.body.id}`);
      expect(res.body.warnings).toEqual([]);
      flowId = res.body.id;
      expect((await call('GET', `/api/v1/ivr/flows/${flowId}`)).body.warnings).toEqual([]);
    });

    it('refuses a node missing a field, naming the node and the field', async () => {
      const def = sampleFlow(ids);
      const menu = def.nodes.find((n) => n.id === 'menu') as Json;
      delete menu.noMatch;
      menu.maxDigits = 99;
      const res = await call('POST', '/api/v1/ivr/flows', { name: 'broken', definition: def });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ code: 'IVR_FLOW_INVALID', nodeId: 'menu' });
      expect(res.body.errors.map((e: Json) => e.path).sort()).toEqual([
        'nodes.menu.maxDigits',
        'nodes.menu.noMatch',
      ]);
    });

    it('refuses a reference to a node, a queue or a recording that does not exist', async () => {
      const def = sampleFlow({ ...ids, queueId: '0193a000-0000-7000-8000-00000000dead' });
      (def.nodes.find((n) => n.id === 'welcome') as Json).next = 'nowhere';
      const bad = await call('POST', '/api/v1/ivr/flows', { name: 'broken', definition: def });
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([
        { path: 'nodes.welcome.next', message: 'node "welcome" next: there is no node "nowhere"' },
      ]);
      (def.nodes.find((n) => n.id === 'welcome') as Json).next = 'menu';
      const queue = await call('POST', '/api/v1/ivr/flows', { name: 'broken', definition: def });
      expect(queue.body.errors).toEqual([
        {
          path: 'nodes.agent',
          message: 'node "agent": there is no queue 0193a000-0000-7000-8000-00000000dead',
        },
      ]);
      const audio = await call('POST', '/api/v1/ivr/flows', {
        name: 'broken',
        definition: {
          entry: 'a',
          nodes: [
            { id: 'a', type: 'play', prompt: { audioId: '0193a000-0000-7000-8000-00000000beef' }, next: 'b' },
            { id: 'b', type: 'hangup' },
          ],
        },
      });
      expect(audio.body.errors[0].message).toBe(
        'node "a": there is no recording 0193a000-0000-7000-8000-00000000beef',
      );
    });

    it('saves each change as a new version, keeps the old ones readable and refuses a save over a newer one', async () => {
      const def = sampleFlow(ids);
      (def.nodes.find((n) => n.id === 'welcome') as Json).prompt.text = '您好，欢迎致电客服中心。';
      const v2 = await call('PUT', `/api/v1/ivr/flows/${flowId}`, {
        name: '主菜单',
        definition: def,
        baseVersion: 1,
      });
      expect(v2.status, JSON.stringify(v2.body)).toBe(200);
      expect(v2.body.version).toBe(2);
      const stale = await call('PUT', `/api/v1/ivr/flows/${flowId}`, {
        name: '主菜单',
        definition: def,
        baseVersion: 1,
      });
      expect(stale.status).toBe(409);
      const v1 = await call('GET', `/api/v1/ivr/flows/${flowId}?version=1`);
      expect(v1.body.definition.nodes[2].prompt.text).toBe('您好，欢迎致电。');
      const list = await call('GET', '/api/v1/ivr/flows');
      expect(list.body.items).toEqual([expect.objectContaining({ id: flowId, version: 2, nodes: 10 })]);
      const audit = await t.sb.ctx.storage.db
        .selectFrom('audit_log')
        .select('action')
        .where('target_id', '=', flowId)
        .orderBy('seq')
        .execute();
      expect(audit.map((a) => a.action)).toEqual(['ivr_flow.created', 'ivr_flow.updated']);
    });

    it('simulates a caller: the menu in office hours, the VIP shortcut, the closed message at night', async () => {
      const sim = (body: Json) => call('POST', `/api/v1/ivr/flows/${flowId}/simulate`, body);
      const menu = await sim({ digits: ['9', '1'], at: MONDAY_10 });
      expect(menu.status, JSON.stringify(menu.body)).toBe(200);
      expect(menu.body.path.map((s: Json) => s.nodeId)).toEqual([
        'hours',
        'vip',
        'welcome',
        'menu',
        'after-sales',
        'agent',
      ]);
      expect(menu.body.outcome).toEqual({
        type: 'enqueue',
        nodeId: 'agent',
        queueId: ids.queueId,
        attributes: { category: 'after_sales', language: 'zh' },
      });
      expect(menu.body.path[3]).toMatchObject({ digits: ['9', '1'], result: 'match' });
      expect(menu.body.prompts[0]).toEqual({ text: '您好，欢迎致电客服中心。', language: 'zh-CN' });
      const vip = await sim({ digits: [], at: MONDAY_10, caller: { tier: 2 } });
      expect(vip.body.outcome).toMatchObject({ type: 'enqueue', queueId: ids.vipQueueId, priority: 10 });
      const night = await sim({ digits: ['1'], at: MONDAY_20 });
      expect(night.body.outcome).toEqual({ type: 'hangup', nodeId: 'bye', cause: 'closed' });
      expect(night.body.unusedDigits).toBe(1);
      const old = await sim({ digits: ['1'], at: MONDAY_10, version: 1 });
      expect(old.body.prompts[0].text).toBe('您好，欢迎致电。');
      const draft = await sim({
        digits: [],
        definition: { entry: 'x', nodes: [{ id: 'x', type: 'transfer', to: '+861012345678' }] },
      });
      expect(draft.body).toMatchObject({ version: null, outcome: { type: 'transfer', to: '+861012345678' } });
      const bad = await sim({
        digits: [],
        definition: { entry: 'x', nodes: [{ id: 'x', type: 'transfer' }] },
      });
      expect(bad.body).toMatchObject({ code: 'IVR_FLOW_INVALID', nodeId: 'x' });
    });

    it('lets the admin hear a Mandarin prompt, synthesized once and then served from the cache', async () => {
      const body = { text: '您好，欢迎致电', language: 'zh-CN' };
      const first = await t.inject({
        method: 'POST',
        url: '/api/v1/ivr/prompts/preview',
        headers: { authorization: owner },
        payload: body,
      });
      expect(first.statusCode, first.body).toBe(200);
      expect(first.headers['content-type']).toBe('audio/wav');
      expect(first.headers['x-prompt-source']).toBe('synthesized');
      const ms = Number(first.headers['x-prompt-duration-ms']);
      expect(ms).toBeGreaterThan(1200);
      expect(ms).toBeLessThan(3500);
      // 16-bit PCM at 8 kHz: 16 bytes a millisecond after the 44-byte header.
      expect(first.rawPayload.subarray(0, 4).toString()).toBe('RIFF');
      expect(Math.abs(first.rawPayload.length - (44 + ms * 16))).toBeLessThan(16);
      const second = await t.inject({
        method: 'POST',
        url: '/api/v1/ivr/prompts/preview',
        headers: { authorization: owner },
        payload: body,
      });
      expect(second.headers['x-prompt-source']).toBe('memory');
      expect(second.rawPayload).toEqual(first.rawPayload);
      const wrong = await call('POST', '/api/v1/ivr/prompts/preview', {
        text: 'hi',
        language: 'en',
        voice: 'cmn',
      });
      expect(wrong).toMatchObject({ status: 400, body: { code: 'UNKNOWN_VOICE' } });
    });

    it('takes a 16 kHz WAV recording as a prompt, converted to 8 kHz µ-law, and refuses what is not WAV', async () => {
      const up = await t.inject({
        method: 'POST',
        url: '/api/v1/ivr/audio?name=greeting',
        headers: { authorization: owner, 'content-type': 'audio/wav' },
        payload: toneWav(16_000, 2),
      });
      expect(up.statusCode, up.body).toBe(201);
      expect(up.json()).toMatchObject({ name: 'greeting', durationMs: 2000 });
      const audioId = up.json().id;
      const stored = await t.sb.ctx.storage.db
        .selectFrom('ivr_audio')
        .select('pcmu')
        .where('id', '=', audioId)
        .executeTakeFirstOrThrow();
      expect(stored.pcmu.length).toBe(16_000);
      const flow = await call('POST', '/api/v1/ivr/flows', {
        name: 'recorded',
        definition: {
          entry: 'hello',
          nodes: [
            { id: 'hello', type: 'play', prompt: { audioId }, next: 'q' },
            { id: 'q', type: 'enqueue' },
          ],
        },
      });
      expect(flow.status, JSON.stringify(flow.body)).toBe(201);
      expect((await call('GET', '/api/v1/ivr/audio')).body.items).toEqual([
        expect.objectContaining({ id: audioId }),
      ]);
      const mp3 = await t.inject({
        method: 'POST',
        url: '/api/v1/ivr/audio',
        headers: { authorization: owner, 'content-type': 'audio/wav' },
        payload: Buffer.from('ID3\u0003 this is not a wave file'),
      });
      expect(mp3.statusCode).toBe(400);
      expect(mp3.json()).toMatchObject({ code: 'UNSUPPORTED_AUDIO' });
    });

    it('answers a number with a flow; a number another account uses is refused', async () => {
      const set = await call('PUT', '/api/v1/ivr/numbers/+864001234567', { flowId });
      expect(set.status, JSON.stringify(set.body)).toBe(200);
      expect(set.body).toMatchObject({ number: '+864001234567', flowId });
      expect((await call('GET', `/api/v1/ivr/flows/${flowId}`)).body.numbers).toEqual(['+864001234567']);
      const other = await t.addTenant(`ivr-${kind}`);
      const otherFlow = await call(
        'POST',
        '/api/v1/ivr/flows',
        { name: 'theirs', definition: { entry: 'h', nodes: [{ id: 'h', type: 'hangup' }] } },
        other.auth,
      );
      const taken = await call(
        'PUT',
        '/api/v1/ivr/numbers/+864001234567',
        { flowId: otherFlow.body.id },
        other.auth,
      );
      expect(taken.status).toBe(409);
      // Nor can they point a number of theirs at our flow.
      const foreign = await call('PUT', '/api/v1/ivr/numbers/+864009999999', { flowId }, other.auth);
      expect(foreign.status).toBe(404);
      expect((await call('GET', '/api/v1/ivr/numbers')).body.items).toEqual([
        expect.objectContaining({ number: '+864001234567', flowId }),
      ]);
      expect((await call('DELETE', '/api/v1/ivr/numbers/+864001234567')).status).toBe(204);
      expect((await call('DELETE', '/api/v1/ivr/numbers/+864001234567')).status).toBe(404);
    });
  });
}
