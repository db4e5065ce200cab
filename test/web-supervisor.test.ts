import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, type Json } from './support/api.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import {
  type Dom,
  launchBrowser,
  missingKeys,
  newWorkspacePage,
  signIn,
  unnamedControls,
} from './support/browser.js';
import { waitFor } from './support/wait.js';

/**
 * Issue #6, the supervisor wallboard in headless Chromium, in zh-CN and in en: a queue's figures
 * move live (no reload, no polling) while a customer writes in and an agent takes the work; the
 * supervisor drills into the agent, listens to the conversation and changes the agent's state.
 * Assertions read data-testid attributes, so they hold in either language.
 */
const browser = await launchBrowser();

/** Waits until the element with this test id shows exactly `text`. */
async function shows(page: Page, testId: string, text: string): Promise<void> {
  await page.waitForFunction(
    // Runs in the page (a function, not a string: the CSP forbids eval); the tests have no DOM types.
    ([id, want]) =>
      (globalThis as unknown as Dom).document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ===
      want,
    [testId, text] as const,
    { timeout: 15_000 },
  );
}

describe.skipIf(!browser)('the supervisor wallboard in headless Chromium', () => {
  let t: TestApp;
  let base: string;
  let owner: string;
  let n = 0;
  let supervisorId = '';
  const supervisor = { email: 'lead@acme.test', password: 'supervisor password 1' };

  const call = caller(() => t);

  beforeAll(async () => {
    t = await startTestApp('pglite');
    base = await t.sb.listen();
    owner = await t.login(OWNER.email, OWNER.password);
    const s = await call(owner, 'POST', '/api/v1/users', {
      ...supervisor,
      role: 'supervisor',
      displayName: '刘洋',
    });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    supervisorId = s.body.id;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  for (const locale of ['zh-CN', 'en'] as const) {
    it(`${locale}: the queue's waiting count goes 0 → 1 → 0 live while an agent takes the customer`, async () => {
      // A queue needing a skill, an agent who has it, and rules sending every task to the queue.
      const skill = await call(owner, 'POST', '/api/v1/skills', { name: `refund-${locale}` });
      const queue = await call(owner, 'POST', '/api/v1/queues', {
        name: locale === 'en' ? 'Refunds desk' : '退款专席',
        skills: [{ skillId: skill.body.id, minProficiency: 2 }],
        serviceLevelSeconds: 20,
        reservationTimeoutSeconds: 120,
      });
      expect(queue.status, JSON.stringify(queue.body)).toBe(201);
      const queueId = queue.body.id as string;
      const email = `agent-${locale.toLowerCase()}@acme.test`;
      const user = await call(owner, 'POST', '/api/v1/users', {
        email,
        password: 'agent password 1',
        role: 'agent',
        displayName: locale === 'en' ? 'Emma Clarke' : '王芳',
      });
      const agentId = user.body.id as string;
      expect(
        (
          await call(owner, 'PUT', `/api/v1/users/${agentId}/skills`, {
            skills: [{ skillId: skill.body.id, proficiency: 4 }],
          })
        ).status,
      ).toBe(200);
      expect(
        (await call(owner, 'PUT', '/api/v1/routing/rules', { steps: [{ id: `all-${locale}`, queueId }] }))
          .status,
      ).toBe(200);
      const agent = await t.login(email, 'agent password 1');
      // A colleague with the same skill, available, to hand the conversation to.
      const colleague = {
        name: locale === 'en' ? 'James Brown' : '李强',
        email: `colleague-${locale.toLowerCase()}@acme.test`,
        id: '',
      };
      colleague.id = (
        await call(owner, 'POST', '/api/v1/users', {
          email: colleague.email,
          password: 'agent password 1',
          role: 'agent',
          displayName: colleague.name,
        })
      ).body.id;
      await call(owner, 'PUT', `/api/v1/users/${colleague.id}/skills`, {
        skills: [{ skillId: skill.body.id, proficiency: 3 }],
      });
      const colleagueAuth = await t.login(colleague.email, 'agent password 1');

      const { context, page } = await newWorkspacePage(browser as Browser, locale);
      await signIn(page, base, supervisor.email, supervisor.password, '/supervisor');
      await page.locator(`[data-testid="queue-card-${queueId}"]`).waitFor();
      expect(await page.locator('html').getAttribute('lang')).toBe(locale);
      await shows(page, `queue-${queueId}-waiting`, '0');
      await shows(page, `queue-${queueId}-agents-offline`, '2');

      // A customer writes in: the card counts them without a reload.
      const device = `visitor-${locale}-${++n}`;
      const inbound = await call(owner, 'POST', '/api/v1/messages/inbound', {
        channelType: 'webchat',
        identity: { kind: 'device', value: device },
        displayName: locale === 'en' ? 'Alice' : '张伟',
        text: locale === 'en' ? 'I want a refund' : '我要退款',
        idempotencyKey: `wall-${locale}-${n}`,
      });
      expect(inbound.status, JSON.stringify(inbound.body)).toBe(201);
      const conversationId = inbound.body.conversation.id as string;
      await shows(page, `queue-${queueId}-waiting`, '1');
      await shows(page, 'total-waiting', `1${locale === 'en' ? 'waiting' : '排队中'}`);
      expect(await page.locator(`[data-testid="queue-${queueId}-longest-wait"]`).textContent()).toMatch(
        /^\d+:\d\d$/,
      );

      // The agent goes available and accepts the offer: the queue empties and the agent is busy.
      expect(
        (await call(agent, 'PUT', `/api/v1/routing/agents/${agentId}/state`, { state: 'available' })).status,
      ).toBe(200);
      const offer = await waitFor(async () => {
        const r = await call(agent, 'GET', '/api/v1/routing/reservations');
        return (r.body.items as Json[])[0];
      });
      const accepted = await call(agent, 'POST', `/api/v1/routing/reservations/${offer.id}/accept`, {});
      expect(accepted.body.status).toBe('assigned');
      await shows(page, `queue-${queueId}-waiting`, '0');
      await shows(page, `queue-${queueId}-agents-busy`, '1');
      const colleagueUp = await call(colleagueAuth, 'PUT', `/api/v1/routing/agents/${colleague.id}/state`, {
        state: 'available',
      });
      expect(colleagueUp.status).toBe(200);
      await shows(page, `queue-${queueId}-agents-available`, '1');
      await shows(page, `queue-${queueId}-answered`, '1');
      await page.locator(`[data-testid="agent-row-${agentId}"][data-state="busy"]`).waitFor();
      expect(await page.locator(`[data-testid="agent-${agentId}-time"]`).textContent()).toMatch(/^\d+:\d\d$/);
      expect(await unnamedControls(page)).toEqual([]);

      // Drill into the queue: the agent is listed there.
      await page.locator(`[data-testid="queue-card-${queueId}"]`).click();
      const drawer = page.locator('.ant-drawer-open');
      await drawer.waitFor();
      expect(await unnamedControls(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'hidden' });

      // Drill into the agent: their conversation, listened to live.
      await page.locator(`[data-testid="agent-row-${agentId}"]`).click();
      await page.locator(`[data-testid="listen-${conversationId}"]`).click();
      await page.locator('[data-testid="transcript-message"]').first().waitFor();
      const more = locale === 'en' ? 'Are you still there?' : '还在吗？';
      await call(owner, 'POST', '/api/v1/messages/inbound', {
        channelType: 'webchat',
        identity: { kind: 'device', value: device },
        text: more,
        idempotencyKey: `wall-${locale}-${++n}`,
      });
      await page.locator('[data-testid="transcript-message"]', { hasText: more }).waitFor();
      expect(await unnamedControls(page)).toEqual([]);

      // From the transcript: reassign to a colleague who is available, then take it over.
      const actions = page.locator('[data-testid="transcript-actions"]');
      await actions.locator(`[data-testid="reassign-${conversationId}"]`).click();
      await page.locator('[data-testid="assign-agent"]').click();
      await page.keyboard.type(colleague.name);
      await page
        .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option-active')
        .waitFor();
      await page.keyboard.press('Enter');
      expect(await unnamedControls(page)).toEqual([]);
      await page.locator('[data-testid="assign-ok"]').click();
      const assignee = async () =>
        (await call(owner, 'GET', `/api/v1/conversations/${conversationId}`)).body.assigneeId as string;
      await waitFor(async () => (await assignee()) === colleague.id);
      await page.locator(`[data-testid="agent-row-${colleague.id}"][data-state="busy"]`).waitFor();
      await actions.locator(`[data-testid="takeover-${conversationId}"]`).click();
      await page.locator('.ant-popconfirm .ant-btn-primary').click();
      await waitFor(async () => (await assignee()) === supervisorId);
      await page.keyboard.press('Escape');

      // The supervisor sends the agent on a break from the agent's panel.
      await page.locator('[data-testid="set-break"]').click();
      await page.locator(`[data-testid="agent-row-${agentId}"][data-state="break"]`).waitFor();
      expect(
        (await call(owner, 'GET', '/api/v1/routing/stats')).body.agents.find(
          (a: Json) => a.agentId === agentId,
        ).state,
      ).toBe('break');
      expect(await unnamedControls(page)).toEqual([]);

      // Clean up for the next language: the task ends and the agent signs off.
      await call(agent, 'POST', `/api/v1/routing/tasks/${accepted.body.taskId}/complete`, {});
      await call(agent, 'PUT', `/api/v1/routing/agents/${agentId}/state`, { state: 'offline' });
      await call(colleagueAuth, 'PUT', `/api/v1/routing/agents/${colleague.id}/state`, { state: 'offline' });
      expect(await missingKeys(page)).toEqual([]);
      await context.close();
    }, 120_000);
  }
});
