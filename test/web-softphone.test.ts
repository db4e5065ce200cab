// Issue #7 acceptance 2 in the agent workspace: two agents, each signed in to /agent in Chromium with a
// fake microphone, connect their browser phones; a sipp caller dials the IVR, presses 1 and waits. Agent
// A (zh-CN) accepts the offer: the call panel shows the caller's number and audio flows both ways
// (browser → server → caller → echoed back → browser). A mutes, holds and resumes, then transfers the
// call to agent B (en), who accepts it in their workspace and hears the caller; A's panel empties. The
// caller hangs up and both phones are back to ready.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeMediaPort, type SippProcess, sippArgs, sippAvailable, startSipp } from '../bench/voice/sipp.js';
import type { Call } from '../src/voice/index.js';
import type { WebRtcLeg } from '../src/voice/webrtc/index.js';
import { caller, type Json } from './support/api.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { launchBrowser, missingKeys, unnamedControls } from './support/browser.js';
import { SCENARIOS } from './support/sipp.js';
import { type AgentPage, FAKE_MEDIA, inboundRises, loud, openSoftphone } from './support/softphone.js';
import { waitFor } from './support/wait.js';

const NUMBER = '+864001234567';
/** The customer's number as agents see it (masked, like identities). */
const SHOWN_PHONE = '+86 138****8000';
const PASSWORD = 'agent password 1';

const browser = sippAvailable() ? await launchBrowser(FAKE_MEDIA) : undefined;

describe.skipIf(!sippAvailable() || !browser)(
  'the softphone in the agent workspace (Chromium + sipp)',
  () => {
    // The call's recording goes here, not into the working directory.
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sb-web-softphone-'));
    let t: TestApp;
    let base: string;
    let owner: string;
    let tenantId: string;
    let queueId: string;
    let a: AgentPage;
    let b: AgentPage;
    const call = caller(() => t);

    async function addAgent(email: string, displayName: string): Promise<{ id: string; auth: string }> {
      const user = await call(owner, 'POST', '/api/v1/users', {
        email,
        password: PASSWORD,
        role: 'agent',
        displayName,
      });
      expect(user.status, JSON.stringify(user.body)).toBe(201);
      return { id: user.body.id, auth: await t.login(email, PASSWORD) };
    }

    async function setState(
      who: { id: string; auth: string },
      state: 'available' | 'offline',
    ): Promise<void> {
      const res = await call(who.auth, 'PUT', `/api/v1/routing/agents/${who.id}/state`, { state });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }

    /** Signs in to /agent in `lang` and connects the phone with the button. */
    async function workspace(
      who: { id: string; auth: string },
      email: string,
      lang: 'zh-CN' | 'en',
    ): Promise<AgentPage> {
      const p = await openSoftphone(browser as Browser, base, who, email, PASSWORD, lang);
      await p.page
        .getByTestId('softphone')
        .getByText(p.L.phone.status.replace('{{state}}', p.L.phone.states.ready))
        .waitFor();
      return p;
    }

    const lineOf = (agentId: string) => t.sb.ctx.voice?.lineOf(tenantId, agentId) as WebRtcLeg | undefined;

    beforeAll(async () => {
      t = await startTestApp('pglite', { dataDir });
      expect(t.sb.voice, 'voice must be on in the test app').toBeDefined();
      base = await t.sb.listen();
      owner = await t.login(OWNER.email, OWNER.password);
      tenantId = (await call(owner, 'GET', '/api/v1/auth/me')).body.tenantId;
      queueId = (
        await call(owner, 'POST', '/api/v1/queues', { name: '售后', reservationTimeoutSeconds: 120 })
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
              branches: { '1': 'queue' },
              noInput: 'queue',
              noMatch: 'queue',
            },
            { id: 'queue', type: 'enqueue', queueId },
          ],
        },
      });
      expect(flow.status, JSON.stringify(flow.body)).toBe(201);
      const number = await call(owner, 'PUT', `/api/v1/ivr/numbers/${NUMBER}`, { flowId: flow.body.id });
      expect(number.status, JSON.stringify(number.body)).toBeLessThan(300);
      const agentA = await addAgent('wang.fang@acme.test', '王芳');
      const agentB = await addAgent('emma@acme.test', 'Emma Brown');
      // A takes the first offer; B becomes available only once A is on the call.
      await setState(agentA, 'available');
      await setState(agentB, 'offline');
      a = await workspace(agentA, 'wang.fang@acme.test', 'zh-CN');
      b = await workspace(agentB, 'emma@acme.test', 'en');
    }, 60_000);

    afterAll(async () => {
      await a?.context.close();
      await b?.context.close();
      await browser?.close();
      await t?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('lists colleagues for a transfer by name and state, without e-mail addresses', async () => {
      const res = await call(a.auth, 'GET', '/api/v1/directory/agents');
      expect(res.status).toBe(200);
      const items = res.body.items as Json[];
      expect(items.map((i) => i.displayName).sort()).toEqual(['Emma Brown', '王芳']);
      expect(items.find((i) => i.id === a.id)).toMatchObject({ state: 'available', available: true });
      expect(items.find((i) => i.id === b.id)).toMatchObject({ state: 'offline', available: false });
      expect(JSON.stringify(res.body)).not.toContain('@acme.test');
      // Both lines are up on the server, from the browsers' offers.
      expect(lineOf(a.id)?.state).not.toBe('ended');
      expect(lineOf(b.id)?.state).not.toBe('ended');
    });

    it('connects a caller to the agent who accepts, with audio both ways, mute, hold, a transfer to a colleague and the caller hanging up', async () => {
      const voice = t.sb.voice!;
      let connected = false;
      let callerLeg: Call | undefined;
      let heardAfterConnect = 0;
      voice.calls.once('call.ringing', (c) => {
        callerLeg = c;
        c.media.onAudio((pcm) => {
          if (connected && loud(pcm)) heardAfterConnect++;
        });
      });
      const customer: SippProcess = startSipp(
        sippArgs(`127.0.0.1:${voice.sipPort}`, await freeMediaPort(), [
          '-sf',
          path.join(SCENARIOS, 'caller-menu.xml'),
          '-s',
          NUMBER,
          '-rtp_echo',
          '-m',
          '1',
          '-d',
          '45000',
          '-timeout',
          '80s',
          '-timeout_error',
        ]),
        { timeoutMs: 90_000 },
      );

      // The offer in A's workspace says it is a phone call; A accepts it.
      const offer = a.page.getByTestId('offer');
      await offer.getByTestId('offer-call').getByText(a.L.offers.call).waitFor({ timeout: 30_000 });
      await offer.getByRole('button', { name: a.L.offers.accept, exact: true }).click();

      // A's call panel: the caller's number, a running timer, the call connected on A's line.
      const panelA = a.page.getByTestId('call-panel');
      await panelA.getByTestId('call-number').getByText(SHOWN_PHONE, { exact: true }).waitFor();
      await a.page.locator('[data-testid="call-panel"][data-state="connected"]').waitFor();
      const calls = (await call(a.auth, 'GET', '/api/v1/voice/calls')).body.items as Json[];
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({
        state: 'connected',
        agentId: a.id,
        device: 'webrtc',
        from: SHOWN_PHONE,
      });
      const conversationId = calls[0]!.conversationId as string;
      const lineA = lineOf(a.id)!;
      expect(callerLeg?.bridgedTo).toBe(lineA);
      connected = true;
      await expect(panelA.getByRole('timer').textContent()).resolves.toMatch(/^\d\d:\d\d$/);

      // Audio both ways: A's microphone reaches the server's line and the caller (whose echo comes back),
      // and A's browser receives the caller's audio.
      const fromA = lineA.fromBrowser.packets;
      await waitFor(() => lineA.fromBrowser.packets > fromA + 50);
      await waitFor(() => heardAfterConnect > 10);
      await inboundRises(a.page);
      await a.page.screenshot({ path: '.scratch/softphone-call-zh-CN.png' });
      expect(await missingKeys(a.page)).toEqual([]);
      expect(await unnamedControls(a.page)).toEqual([]);

      // Mute: the browser still sends (silence), the server drops it; unmute passes it again.
      await panelA.getByRole('button', { name: a.L.phone.mute, exact: true }).click();
      await panelA.getByRole('button', { name: a.L.phone.unmute, exact: true }).waitFor();
      expect((await call(a.auth, 'GET', '/api/v1/voice/softphone')).body).toMatchObject({ muted: true });
      const dropped = lineA.fromBrowser.dropped;
      await waitFor(() => lineA.fromBrowser.dropped > dropped + 10);
      await panelA.getByRole('button', { name: a.L.phone.unmute, exact: true }).click();
      await panelA.getByRole('button', { name: a.L.phone.mute, exact: true }).waitFor();
      expect((await call(a.auth, 'GET', '/api/v1/voice/softphone')).body).toMatchObject({ muted: false });
      expect(lineA.muted).toBe(false);

      // Hold and resume.
      await panelA.getByRole('button', { name: a.L.phone.hold, exact: true }).click();
      await a.page.locator('[data-testid="call-panel"][data-state="held"]').waitFor();
      expect((await call(a.auth, 'GET', `/api/v1/voice/calls/${conversationId}`)).body.state).toBe('held');
      expect(callerLeg?.bridgedTo).toBeUndefined();
      await panelA.getByRole('button', { name: a.L.phone.resume, exact: true }).click();
      await a.page.locator('[data-testid="call-panel"][data-state="connected"]').waitFor();
      expect((await call(a.auth, 'GET', `/api/v1/voice/calls/${conversationId}`)).body.state).toBe(
        'connected',
      );
      expect(callerLeg?.bridgedTo).toBe(lineA);

      // B becomes available; A transfers the call to B from the call panel.
      await setState(b, 'available');
      await panelA.getByRole('button', { name: a.L.phone.transfer, exact: true }).click();
      const dialog = a.page
        .getByRole('dialog')
        .filter({ has: a.page.getByText(a.L.transfer.callTitle, { exact: true }) });
      await dialog.waitFor();
      expect(await unnamedControls(a.page)).toEqual([]);
      await dialog.locator('label.ant-radio-wrapper', { hasText: a.L.transfer.agent }).click();
      await dialog.locator('#transfer-target').click();
      const bOption = a.page.locator('.ant-select-item-option', { hasText: 'Emma Brown' });
      await expect(bOption.textContent()).resolves.toContain(a.L.presence.available);
      await bOption.click();
      await dialog
        .getByRole('button', { name: new RegExp(`^${[...a.L.transfer.submit].join('\\s?')}$`) })
        .click();
      await dialog.waitFor({ state: 'hidden' });
      // A's panel has no call any more; A's phone is ready for the next.
      await a.page.getByTestId('call-panel').waitFor({ state: 'detached' });
      await a.page.locator('[data-testid="softphone"][data-status="ready"]').waitFor();

      // B is offered the call and accepts it in the English workspace.
      const offerB = b.page.getByTestId('offer');
      await offerB.getByTestId('offer-call').getByText(b.L.offers.call).waitFor({ timeout: 30_000 });
      await offerB.getByRole('button', { name: b.L.offers.accept, exact: true }).click();
      const panelB = b.page.getByTestId('call-panel');
      await panelB.getByTestId('call-number').getByText(SHOWN_PHONE, { exact: true }).waitFor();
      await b.page.locator('[data-testid="call-panel"][data-state="connected"]').waitFor();
      const lineB = lineOf(b.id)!;
      expect(callerLeg?.bridgedTo).toBe(lineB);
      expect((await call(b.auth, 'GET', `/api/v1/voice/calls/${conversationId}`)).body).toMatchObject({
        state: 'connected',
        agentId: b.id,
        device: 'webrtc',
      });
      expect((await call(a.auth, 'GET', '/api/v1/voice/calls')).body.items).toEqual([]);
      const fromB = lineB.fromBrowser.packets;
      await waitFor(() => lineB.fromBrowser.packets > fromB + 50);
      const echoes = heardAfterConnect;
      await waitFor(() => heardAfterConnect > echoes + 10);
      await inboundRises(b.page);
      await b.page.screenshot({ path: '.scratch/softphone-call-en.png' });
      expect(await missingKeys(b.page)).toEqual([]);
      expect(await unnamedControls(b.page)).toEqual([]);
      // Everything fits a 1366×768 laptop without page scroll.
      for (const page of [a.page, b.page])
        expect(
          await page.evaluate(
            '[document.documentElement.scrollWidth, document.documentElement.scrollHeight]',
          ),
        ).toEqual([1366, 768]);

      // The caller hangs up: the panel goes away and the phone is ready again, the line still up.
      const result = await customer.done;
      expect(result.code, result.output).toBe(0);
      await b.page.getByTestId('call-panel').waitFor({ state: 'detached' });
      await b.page.locator('[data-testid="softphone"][data-status="ready"]').waitFor();
      expect(lineOf(b.id)?.state).not.toBe('ended');
      expect((await call(b.auth, 'GET', '/api/v1/voice/softphone')).body).toMatchObject({ state: 'up' });
      expect(await missingKeys(a.page)).toEqual([]);
      expect(await missingKeys(b.page)).toEqual([]);
    }, 150_000);

    it('closes the line when the agent disconnects the phone', async () => {
      await b.page
        .getByTestId('softphone')
        .getByRole('button', { name: b.L.phone.disconnect, exact: true })
        .click();
      await b.page.locator('[data-testid="softphone"][data-status="off"]').waitFor();
      await waitFor(() => lineOf(b.id) === undefined);
      expect((await call(b.auth, 'GET', '/api/v1/voice/softphone')).status).toBe(404);
    });

    it('shows a line the server closed as disconnected, and the reconnect button brings it back', async () => {
      // Closed from elsewhere (another tab, an API client): WebRTC does not tell the browser, so the
      // workspace learns it from the API when the tab comes back to the front.
      const old = lineOf(a.id)!;
      expect((await call(a.auth, 'DELETE', '/api/v1/voice/softphone')).status).toBe(204);
      await waitFor(() => old.state === 'ended');
      await a.page.evaluate("document.dispatchEvent(new Event('visibilitychange'))");
      const softphone = a.page.getByTestId('softphone');
      await a.page.locator('[data-testid="softphone"][data-status="failed"]').waitFor();
      await softphone.getByRole('button', { name: a.L.phone.reconnect, exact: true }).click();
      await a.page.locator('[data-testid="softphone"][data-status="ready"]').waitFor();
      const line = await waitFor(() => {
        const l = lineOf(a.id);
        return l && l !== old && l.state !== 'ended' ? l : undefined;
      });
      const packets = line.fromBrowser.packets;
      await waitFor(() => line.fromBrowser.packets > packets + 20);
      expect(await missingKeys(a.page)).toEqual([]);
    });
  },
);
