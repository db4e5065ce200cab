// The softphone's second round in the agent workspace (Chromium with fake microphones, sipp as the
// caller and as the trunk): an agent calls a number from the dial pad and hears the customer; agent A
// (zh-CN) consults agent B (en) while the caller waits, makes it a conference of three (everyone hears
// everyone: both browsers receive audio, the caller's echo comes back), leaves it and B keeps the caller;
// and a consultation canceled (back to the caller), then completed as an attended transfer.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeMediaPort, type SippProcess, sippArgs, sippAvailable, startSipp } from '../bench/voice/sipp.js';
import type { Call } from '../src/voice/index.js';
import type { WebRtcLeg } from '../src/voice/webrtc/index.js';
import { caller, type Json } from './support/api.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { launchBrowser, missingKeys, unnamedControls } from './support/browser.js';
import { startCallee } from './support/sipp.js';
import { type AgentPage, FAKE_MEDIA, fill, inboundRises, loud, openSoftphone } from './support/softphone.js';
import { waitFor } from './support/wait.js';

const NUMBER = '+864001234567';
/** The customer's number as agents see it (masked, like identities). */
const SHOWN_PHONE = '+86 138****8000';
const PASSWORD = 'agent password 1';
const CALLER_STAYS = path.resolve(import.meta.dirname, 'support/caller-stays.xml');

const browser = sippAvailable() ? await launchBrowser(FAKE_MEDIA) : undefined;

/** antd puts a space between the two characters of a two-character Chinese button label. */
const buttonName = (label: string) => new RegExp(`^${[...label].join('\\s?')}$`);

describe.skipIf(!sippAvailable() || !browser)(
  'consult, conference and click-to-call in the agent workspace (Chromium + sipp)',
  () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sb-web-consult-'));
    let t: TestApp;
    let base: string;
    let owner: string;
    let tenantId: string;
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

    async function setState(who: { id: string; auth: string }, state: 'available' | 'offline') {
      const res = await call(who.auth, 'PUT', `/api/v1/routing/agents/${who.id}/state`, { state });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }

    const lineOf = (agentId: string) => t.sb.ctx.voice?.lineOf(tenantId, agentId) as WebRtcLeg | undefined;
    const panel = (p: AgentPage, state: string) =>
      p.page.locator(`[data-testid="call-panel"][data-state="${state}"]`);

    /**
     * The customer calls, presses 1 and waits (echoing what they hear) until we hang up; A accepts. B
     * becomes available only then: the offer is A's, and the server hands a conversation over (attended
     * transfer, leaving a conference) only to an available agent.
     */
    async function callerReachesA(): Promise<{
      customer: SippProcess;
      leg: () => Call | undefined;
      echoes: () => number;
      conversationId: string;
    }> {
      const voice = t.sb.voice!;
      await setState(b, 'offline');
      await setState(a, 'available');
      let leg: Call | undefined;
      let echoes = 0;
      voice.calls.once('call.ringing', (c) => {
        leg = c;
        c.media.onAudio((pcm) => {
          if (loud(pcm)) echoes++;
        });
      });
      const customer = startSipp(
        sippArgs(`127.0.0.1:${voice.sipPort}`, await freeMediaPort(), [
          '-sf',
          CALLER_STAYS,
          '-s',
          NUMBER,
          '-rtp_echo',
          '-m',
          '1',
          '-timeout',
          '85s',
          '-timeout_error',
        ]),
        { timeoutMs: 90_000 },
      );
      const offer = a.page.getByTestId('offer');
      await offer.getByTestId('offer-call').waitFor({ timeout: 30_000 });
      await offer.getByRole('button', { name: buttonName(a.L.offers.accept) }).click();
      await panel(a, 'connected').waitFor();
      const items = (await call(a.auth, 'GET', '/api/v1/voice/calls')).body.items as Json[];
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ agentId: a.id, device: 'webrtc', from: SHOWN_PHONE });
      await waitFor(() => leg?.bridgedTo === lineOf(a.id));
      await setState(b, 'available');
      return { customer, leg: () => leg, echoes: () => echoes, conversationId: items[0]!.conversationId };
    }

    /** A asks B from the call panel: the caller holds, A's and B's lines are bridged. */
    async function consultB(conversationId: string): Promise<void> {
      await a.page
        .getByTestId('call-panel')
        .getByRole('button', { name: buttonName(a.L.consult.button) })
        .click();
      const dialog = a.page
        .getByRole('dialog')
        .filter({ has: a.page.getByText(a.L.consult.title, { exact: true }) });
      await dialog.waitFor();
      expect(await unnamedControls(a.page)).toEqual([]);
      await dialog.locator('#consult-target').click();
      await a.page.locator('.ant-select-item-option', { hasText: 'Emma Brown' }).click();
      await dialog.getByRole('button', { name: buttonName(a.L.consult.submit) }).click();
      await dialog.waitFor({ state: 'hidden' });
      await a.page.locator('[data-testid="call-consult"][data-consult="connected"]').waitFor();
      await b.page
        .getByTestId('call-consulted')
        .getByText(fill(b.L.consult.askedBy, { name: '王芳' }))
        .waitFor();
      expect((await call(a.auth, 'GET', `/api/v1/voice/calls/${conversationId}`)).body).toMatchObject({
        state: 'held',
        agentId: a.id,
        consult: { agentId: b.id, state: 'connected' },
      });
      // The two agents hear each other (each browser's fake microphone reaches the other).
      expect(lineOf(a.id)?.bridgedTo).toBe(lineOf(b.id));
      await inboundRises(a.page);
      await inboundRises(b.page);
    }

    /** B, now with the caller, hangs up from the panel; the caller's sipp answers our BYE. */
    async function bHangsUp(customer: SippProcess, conversationId: string): Promise<void> {
      const taskId = (await call(b.auth, 'GET', `/api/v1/voice/calls/${conversationId}`)).body.taskId;
      await b.page
        .getByTestId('call-panel')
        .getByRole('button', { name: b.L.phone.hangup, exact: true })
        .click();
      const result = await customer.done;
      expect(result.code, result.output).toBe(0);
      await b.page.getByTestId('call-panel').waitFor({ state: 'detached' });
      await call(b.auth, 'POST', `/api/v1/routing/tasks/${taskId}/complete`, {});
    }

    async function fitsLaptop(page: Page): Promise<void> {
      expect(
        await page.evaluate('[document.documentElement.scrollWidth, document.documentElement.scrollHeight]'),
      ).toEqual([1366, 768]);
    }

    beforeAll(async () => {
      t = await startTestApp('pglite', { dataDir });
      expect(t.sb.voice, 'voice must be on in the test app').toBeDefined();
      base = await t.sb.listen();
      owner = await t.login(OWNER.email, OWNER.password);
      tenantId = (await call(owner, 'GET', '/api/v1/auth/me')).body.tenantId;
      const queueId = (
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
      a = await openSoftphone(browser as Browser, base, agentA, 'wang.fang@acme.test', PASSWORD, 'zh-CN');
      b = await openSoftphone(browser as Browser, base, agentB, 'emma@acme.test', PASSWORD, 'en');
    }, 60_000);

    afterAll(async () => {
      await a?.context.close();
      await b?.context.close();
      await browser?.close();
      await t?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('calls a number typed on the dial pad through the trunk: the agent hears the customer, the conversation opens with the masked number not callable, and hangs up', async () => {
      // The trunk is a sipp that answers as the customer and talks (8 s of A-law speech).
      const trunk = await startCallee('agent-phone.xml');
      const port = /:(\d+)$/.exec(trunk.uri)![1];
      const settings = await call(owner, 'PUT', '/api/v1/voice/settings', {
        callerId: '4001234567',
        trunk: { uri: `sip:{number}@127.0.0.1:${port}` },
      });
      expect(settings.status, JSON.stringify(settings.body)).toBe(200);

      const softphone = a.page.getByTestId('softphone');
      await softphone.getByRole('button', { name: a.L.dial.toggle, exact: true }).click();
      const pad = a.page.getByTestId('dial-pad');
      await pad.getByRole('textbox', { name: a.L.dial.number }).fill('138 0013 ');
      for (const key of '8000') await pad.getByRole('button', { name: key, exact: true }).click();
      await expect(pad.getByRole('textbox', { name: a.L.dial.number }).inputValue()).resolves.toBe(
        '138 0013 8000',
      );
      expect(await unnamedControls(a.page)).toEqual([]);
      await fitsLaptop(a.page);
      await a.page.screenshot({ path: '.scratch/softphone-dial-pad-zh-CN.png' });
      await pad.getByRole('button', { name: buttonName(a.L.dial.call) }).click();

      await panel(a, 'connected').waitFor();
      await a.page.getByTestId('call-number').getByText(SHOWN_PHONE, { exact: true }).waitFor();
      const items = (await call(a.auth, 'GET', '/api/v1/voice/calls')).body.items as Json[];
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({
        direction: 'out',
        state: 'connected',
        to: SHOWN_PHONE,
        agentId: a.id,
        device: 'webrtc',
      });
      const conversationId = items[0]!.conversationId as string;
      // The customer's speech reaches the agent's browser.
      await inboundRises(a.page);
      // The call's conversation is open; the customer panel shows the number masked, and its call
      // button (which calls by identity) is disabled while the agent is on a call.
      await a.page.waitForURL((u) => u.pathname === `/agent/c/${conversationId}`);
      const callButton = a.page.getByTestId('identity-call').first();
      await callButton.waitFor();
      await expect(callButton.isDisabled()).resolves.toBe(true);
      await expect(callButton.getAttribute('aria-label')).resolves.toMatch(/\*/);
      await a.page.screenshot({ path: '.scratch/softphone-dial-zh-CN.png' });
      expect(await missingKeys(a.page)).toEqual([]);
      await fitsLaptop(a.page);

      await a.page
        .getByTestId('call-panel')
        .getByRole('button', { name: buttonName(a.L.phone.hangup) })
        .click();
      await a.page.getByTestId('call-panel').waitFor({ state: 'detached' });
      const result = await trunk.sipp.done;
      expect(result.code, result.output).toBe(0);
      // The agent finishes the call's task, free for the next.
      const done = await call(a.auth, 'POST', `/api/v1/routing/tasks/${items[0]!.taskId}/complete`, {});
      expect(done.status, JSON.stringify(done.body)).toBe(200);
    }, 90_000);

    it("says 'Calling …' while the customer's phone rings, and hanging up then cancels the call", async () => {
      const trunk = await startCallee('callee-no-answer.xml');
      const port = /:(\d+)$/.exec(trunk.uri)![1];
      await call(owner, 'PUT', '/api/v1/voice/settings', {
        trunk: { uri: `sip:{number}@127.0.0.1:${port}` },
      });
      await a.page
        .getByTestId('softphone')
        .getByRole('button', { name: a.L.dial.toggle, exact: true })
        .click();
      const pad = a.page.getByTestId('dial-pad');
      await pad.getByRole('textbox', { name: a.L.dial.number }).fill('13800138000');
      await pad.getByRole('textbox', { name: a.L.dial.number }).press('Enter');
      await panel(a, 'connecting').waitFor();
      await a.page
        .getByTestId('call-number')
        .getByText(fill(a.L.phone.calling, { number: SHOWN_PHONE }), { exact: true })
        .waitFor();
      const items = (await call(a.auth, 'GET', '/api/v1/voice/calls')).body.items as Json[];
      expect(items[0]).toMatchObject({ direction: 'out', state: 'connecting', agentId: a.id });
      await a.page
        .getByTestId('call-panel')
        .getByRole('button', { name: buttonName(a.L.phone.hangup) })
        .click();
      await a.page.getByTestId('call-panel').waitFor({ state: 'detached' });
      // The scenario ends 0 only after our CANCEL (200, 487, ACK).
      const result = await trunk.sipp.done;
      expect(result.code, result.output).toBe(0);
      await call(a.auth, 'POST', `/api/v1/routing/tasks/${items[0]!.taskId}/complete`, {});
    }, 60_000);

    it('A consults B while the caller holds, makes it a conference of three (all hear each other), leaves, and B keeps the caller', async () => {
      const { customer, leg, echoes, conversationId } = await callerReachesA();
      await waitFor(() => echoes() > 10);
      await consultB(conversationId);
      await a.page.screenshot({ path: '.scratch/softphone-consult-zh-CN.png' });

      // The conference: the caller, A and B.
      await a.page.getByTestId('call-consult').getByRole('button', { name: a.L.consult.conference }).click();
      await panel(a, 'conference').waitFor();
      await panel(b, 'conference').waitFor();
      const conf = (await call(a.auth, 'GET', `/api/v1/voice/calls/${conversationId}`)).body;
      expect(conf).toMatchObject({ state: 'conference' });
      expect([...(conf.participants as string[])].sort()).toEqual([a.id, b.id].sort());
      await b.page
        .getByTestId('call-conference')
        .getByText(fill(b.L.consult.conferenceWith, { names: '王芳' }), { exact: true })
        .waitFor();
      // The caller hears the agents (their echo comes back), and both browsers hear the others.
      const heard = echoes();
      await waitFor(() => echoes() > heard + 20);
      await inboundRises(a.page);
      await inboundRises(b.page);
      await a.page.screenshot({ path: '.scratch/softphone-conference-zh-CN.png' });
      await b.page.screenshot({ path: '.scratch/softphone-conference-en.png' });
      for (const p of [a, b]) {
        expect(await missingKeys(p.page)).toEqual([]);
        expect(await unnamedControls(p.page)).toEqual([]);
        await fitsLaptop(p.page);
      }

      // A leaves: B stays with the caller, and the call (and its conversation) is B's.
      await a.page.getByTestId('call-conference').getByRole('button', { name: a.L.consult.leave }).click();
      await a.page.getByTestId('call-panel').waitFor({ state: 'detached' });
      await panel(b, 'connected').waitFor();
      expect((await call(b.auth, 'GET', `/api/v1/voice/calls/${conversationId}`)).body).toMatchObject({
        state: 'connected',
        agentId: b.id,
      });
      expect((await call(a.auth, 'GET', '/api/v1/voice/calls')).body.items).toEqual([]);
      expect(leg()?.bridgedTo).toBe(lineOf(b.id));
      const after = echoes();
      await waitFor(() => echoes() > after + 10);
      await inboundRises(b.page);
      await bHangsUp(customer, conversationId);
    }, 90_000);

    it('A consults B, goes back to the caller, consults again and completes the transfer: B has the caller, A is free', async () => {
      const { customer, leg, echoes, conversationId } = await callerReachesA();
      await consultB(conversationId);
      // Back to the caller: B's phone is let go, the caller is with A again.
      await a.page.getByTestId('call-consult').getByRole('button', { name: a.L.consult.back }).click();
      await a.page.getByTestId('call-consult').waitFor({ state: 'detached' });
      await panel(a, 'connected').waitFor();
      await b.page.getByTestId('call-panel').waitFor({ state: 'detached' });
      expect(leg()?.bridgedTo).toBe(lineOf(a.id));
      const back = echoes();
      await waitFor(() => echoes() > back + 10);
      await consultB(conversationId);
      await a.page.getByTestId('call-consult').getByRole('button', { name: a.L.consult.complete }).click();
      await a.page.getByTestId('call-panel').waitFor({ state: 'detached' });
      await panel(b, 'connected').waitFor();
      await b.page.getByTestId('call-number').getByText(SHOWN_PHONE, { exact: true }).waitFor();
      expect((await call(b.auth, 'GET', `/api/v1/voice/calls/${conversationId}`)).body).toMatchObject({
        state: 'connected',
        agentId: b.id,
        device: 'webrtc',
      });
      expect((await call(a.auth, 'GET', '/api/v1/voice/calls')).body.items).toEqual([]);
      expect(leg()?.bridgedTo).toBe(lineOf(b.id));
      const after = echoes();
      await waitFor(() => echoes() > after + 10);
      await inboundRises(b.page);
      // The conversation came to B's inbox.
      const conv = await call(b.auth, 'GET', `/api/v1/conversations/${conversationId}`);
      expect(conv.body.assigneeId).toBe(b.id);
      expect(await missingKeys(b.page)).toEqual([]);
      await bHangsUp(customer, conversationId);
    }, 90_000);
  },
);
