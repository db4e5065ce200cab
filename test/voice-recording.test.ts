import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/core/index.js';
import { recordingsDir, recordingsRoot, saveRecording } from '../src/voice/recording/index.js';
import { RecordingFileWriter } from '../src/voice/recording/writer.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { serviceAvailable } from './support/services.js';

const pgUp = await serviceAvailable('postgres');
const logger = pino({ level: 'silent' });

/** Three seconds of stereo 16-bit LE: a 440 Hz customer on the left, a 1 kHz agent on the right. */
function callPcm(seconds: number): Buffer {
  const n = seconds * 8000;
  const pcm = Buffer.alloc(n * 4);
  for (let i = 0; i < n; i++) {
    pcm.writeInt16LE(Math.round(9000 * Math.sin((2 * Math.PI * 440 * i) / 8000)), i * 4);
    pcm.writeInt16LE(Math.round(7000 * Math.sin((2 * Math.PI * 1000 * i) / 8000) + (i % 7)), i * 4 + 2);
  }
  return pcm;
}

for (const kind of ['pglite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !pgUp)(`call recordings on ${kind}`, () => {
    let t: TestApp;
    let dataDir: string;
    let owner: string;
    let supervisor: string;
    let agent: string;
    let tenantId: string;
    let conversationId: string;
    let customerId: string;
    let recordingId: string;
    let filePath: string;
    const pcm = callPcm(3);

    const get = (auth: string, url: string) =>
      t.inject({ method: 'GET', url, headers: { authorization: auth } });

    beforeAll(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'sb-recording-'));
      t = await startTestApp(kind, { dataDir });
      owner = await t.login(OWNER.email, OWNER.password);
      const post = async (url: string, payload: Record<string, unknown>) => {
        const res = await t.inject({ method: 'POST', url, payload, headers: { authorization: owner } });
        if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
        return res.json();
      };
      for (const role of ['supervisor', 'agent'] as const)
        await post('/api/v1/users', { email: `${role}@acme.test`, password: `${role} password 1`, role });
      supervisor = await t.login('supervisor@acme.test', 'supervisor password 1');
      agent = await t.login('agent@acme.test', 'agent password 1');
      const customer = await post('/api/v1/customers', {
        displayName: '王芳',
        identities: [{ kind: 'phone', value: '+8613900139000' }],
      });
      customerId = customer.id;
      tenantId = customer.tenantId;
      conversationId = (await post('/api/v1/conversations', { customerId, channelType: 'voice' })).id;

      // What the voice module does when a recorded call ends: the file, then its row.
      recordingId = newId();
      const writer = new RecordingFileWriter(
        recordingsDir(dataDir, tenantId),
        recordingId,
        t.sb.ctx.cipher,
        logger,
      );
      writer.append(pcm.subarray(0, 64_000));
      writer.append(pcm.subarray(64_000, 128_000));
      const written = await writer.finish(pcm.subarray(128_000));
      filePath = written.path;
      await saveRecording(
        { db: t.sb.ctx.storage.db, dir: recordingsRoot(dataDir) },
        {
          tenantId,
          conversationId,
          callId: 'call-abc@switchboard',
          customerId,
          agentIds: ['agent-1', 'agent-1', 'agent-2'],
          file: {
            id: recordingId,
            path: written.path,
            wrappedKey: writer.wrappedKey,
            durationMs: 3000,
            bytes: written.bytes,
            sha256: written.sha256,
            startedAt: new Date(Date.now() - 3000),
            endedAt: new Date(),
          },
        },
      );
    });
    afterAll(async () => {
      await t?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('keeps the file under DATA_DIR/recordings/<tenant>/, not readable as audio and without the samples', () => {
      expect(path.dirname(filePath)).toBe(path.join(dataDir, 'recordings', tenantId));
      expect(readdirSync(path.dirname(filePath))).toEqual([`${recordingId}.sbrec`]);
      const raw = readFileSync(filePath);
      expect(raw.subarray(0, 4).toString('latin1')).not.toBe('RIFF');
      expect(raw.includes(Buffer.from('WAVE'))).toBe(false);
      for (const at of [0, 1000, 64_000, 90_000]) expect(raw.includes(pcm.subarray(at, at + 64))).toBe(false);
    });

    it('lists the recording for a supervisor by conversation and by customer, without key or path', async () => {
      for (const query of [`conversationId=${conversationId}`, `customerId=${customerId}`]) {
        const res = await get(supervisor, `/api/v1/recordings?${query}`);
        expect(res.statusCode, res.body).toBe(200);
        const { items } = res.json();
        expect(items).toHaveLength(1);
        expect(items[0]).toMatchObject({
          id: recordingId,
          conversationId,
          customerId,
          callId: 'call-abc@switchboard',
          agentIds: ['agent-1', 'agent-2'],
          durationMs: 3000,
        });
        expect(Object.keys(items[0])).not.toContain('wrappedKey');
        expect(res.body).not.toMatch(/v1\.|sbrec|wrapped/);
      }
      expect((await get(agent, '/api/v1/recordings')).statusCode).toBe(403);
    });

    it('plays the recording to a supervisor as a WAV with the same samples, not cached', async () => {
      const res = await get(supervisor, `/api/v1/recordings/${recordingId}/audio`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toMatch(/^audio\/wav/);
      expect(res.headers['cache-control']).toBe('no-store');
      const wav = res.rawPayload;
      expect(wav.subarray(0, 4).toString('latin1')).toBe('RIFF');
      expect(wav.readUInt16LE(22)).toBe(2);
      expect(wav.readUInt32LE(24)).toBe(8000);
      expect(wav.readUInt16LE(34)).toBe(16);
      expect(wav.subarray(44).equals(pcm)).toBe(true);
    });

    it('refuses an agent (403) until the tenant lets agents listen', async () => {
      const refused = await get(agent, `/api/v1/recordings/${recordingId}/audio`);
      expect(refused.statusCode).toBe(403);
      expect(refused.json().code).toBe('FORBIDDEN');

      const tenant = await get(owner, '/api/v1/tenant');
      expect(tenant.json().settings.recordingPlaybackRoles).toEqual(['supervisor', 'admin', 'owner']);
      const patched = await t.inject({
        method: 'PATCH',
        url: '/api/v1/tenant',
        headers: { authorization: owner },
        payload: { settings: { recordingPlaybackRoles: ['agent', 'supervisor', 'admin', 'owner'] } },
      });
      expect(patched.statusCode, patched.body).toBe(200);
      const allowed = await get(agent, `/api/v1/recordings/${recordingId}/audio`);
      expect(allowed.statusCode).toBe(200);
      expect(allowed.rawPayload.subarray(44).equals(pcm)).toBe(true);
    });

    it('writes every playback to the audit log, and no refused one', async () => {
      const res = await get(owner, '/api/v1/audit?action=recording.played');
      expect(res.statusCode, res.body).toBe(200);
      const entries = res.json().items as { actorId: string; targetType: string; targetId: string }[];
      // The supervisor's and (once allowed) the agent's: two playbacks, two entries.
      expect(entries).toHaveLength(2);
      expect(entries.every((e) => e.targetType === 'call_recording' && e.targetId === recordingId)).toBe(
        true,
      );
      const me = async (auth: string) => (await get(auth, '/api/v1/auth/me')).json().id;
      expect(new Set(entries.map((e) => e.actorId))).toEqual(
        new Set([await me(supervisor), await me(agent)]),
      );
    });

    it("another tenant's owner neither lists nor plays it (404)", async () => {
      const other = await t.addTenant('rival');
      const list = await get(other.auth, `/api/v1/recordings?conversationId=${conversationId}`);
      expect(list.statusCode).toBe(200);
      expect(list.json().items).toEqual([]);
      const play = await get(other.auth, `/api/v1/recordings/${recordingId}/audio`);
      expect(play.statusCode).toBe(404);
      expect(play.body).not.toContain('RIFF');
    });

    it('a queue records its calls by default; an admin can turn it off', async () => {
      const created = await t.inject({
        method: 'POST',
        url: '/api/v1/queues',
        headers: { authorization: owner },
        payload: { name: 'Hotline' },
      });
      expect(created.statusCode, created.body).toBe(201);
      expect(created.json().recordCalls).toBe(true);
      const changed = await t.inject({
        method: 'PATCH',
        url: `/api/v1/queues/${created.json().id}`,
        headers: { authorization: owner },
        payload: { recordCalls: false },
      });
      expect(changed.json().recordCalls).toBe(false);
    });

    it('a recording whose file was altered is refused, and that failed playback is not audited', async () => {
      const raw = readFileSync(filePath);
      const altered = Buffer.from(raw);
      altered[altered.length - 100]! ^= 0xff;
      writeFileSync(filePath, altered);
      try {
        const res = await get(supervisor, `/api/v1/recordings/${recordingId}/audio`);
        expect(res.statusCode).toBe(500);
        expect(res.json().code).toBe('RECORDING_UNREADABLE');
        const audit = await get(owner, '/api/v1/audit?action=recording.played');
        expect(audit.json().items).toHaveLength(2);
      } finally {
        writeFileSync(filePath, raw);
      }
    });
  });
}
