import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, type Json } from './support/api.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { launchBrowser, missingKeys, newWorkspacePage, signIn, unnamedControls } from './support/browser.js';
import { waitFor } from './support/wait.js';

/**
 * Issue #6, the admin console in headless Chromium, in zh-CN and in en: an admin creates a queue and
 * a routing rule in the UI (the CEL filter is refused with its position while wrong, then accepted;
 * the sample-task trial predicts the new queue), saves, and a new customer message then lands in
 * that queue. Every control of every admin page has an accessible name.
 */
const browser = await launchBrowser();

/** Picks an option of an Ant Design select by typing into its search and pressing Enter. */
async function choose(page: Page, testId: string, text: string): Promise<void> {
  const open = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
  await page.locator(`[data-testid="${testId}"]`).click();
  await page.keyboard.type(text);
  await open.locator('.ant-select-item-option-active').waitFor();
  await page.keyboard.press('Enter');
  // Closed again (its closing animation done), so the next select's list is the only one open.
  await waitFor(async () => (await open.count()) === 0);
}

const PAGES = [
  'channels',
  'queues',
  'routing',
  'skills',
  'teams',
  'users',
  'hours',
  'canned',
  'dispositions',
];

describe.skipIf(!browser)('the admin console in headless Chromium', () => {
  let t: TestApp;
  let base: string;
  let owner: string;
  let n = 0;

  const call = caller(() => t);

  beforeAll(async () => {
    t = await startTestApp('pglite');
    base = await t.sb.listen();
    owner = await t.login(OWNER.email, OWNER.password);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  for (const locale of ['zh-CN', 'en'] as const) {
    it(`${locale}: business hours, canned responses, disposition codes, users' skills and team members are kept`, async () => {
      const tag = locale.toLowerCase();
      const skill = (await call(owner, 'POST', '/api/v1/skills', { name: `billing-${tag}` })).body;
      const { context, page } = await newWorkspacePage(browser as Browser, locale);
      await signIn(page, base, OWNER.email, OWNER.password, '/admin/hours');
      const okButton = page.locator('.ant-modal-footer .ant-btn-primary:visible');
      const newButton = page.locator('.sb-admin-head .ant-btn-primary');

      // Business hours: weekdays by default, Saturday added, a holiday.
      await newButton.click();
      await page.locator('[data-testid="hours-name"]').fill(`Office ${tag}`);
      await page.locator('[data-testid="hours-day-6"]').click();
      await page.locator('[data-testid="hours-add-holiday"]').click();
      await page.locator('[data-testid="holiday-0-date"]').fill('2026-10-01');
      await page.locator('[data-testid="holiday-0-name"]').fill(locale === 'en' ? 'National Day' : '国庆节');
      expect(await unnamedControls(page)).toEqual([]);
      await page.locator('[data-testid="hours-save"]').click();
      const hours = await waitFor(async () =>
        ((await call(owner, 'GET', '/api/v1/business-hours')).body.items as Json[]).find(
          (h) => h.name === `Office ${tag}`,
        ),
      );
      expect(hours.timezone).toBe('Asia/Shanghai');
      expect((hours.weekly as Json[]).map((d) => d.day).sort()).toEqual([1, 2, 3, 4, 5, 6]);
      expect(hours.holidays).toEqual([
        { date: '2026-10-01', name: locale === 'en' ? 'National Day' : '国庆节' },
      ]);
      await page.locator('[data-testid="hours-status"]').waitFor();

      // A canned response with a variable inserted from its chip.
      await page.goto(`${base}/admin/canned`);
      await newButton.click();
      await page.locator('.ant-modal #title').fill(locale === 'en' ? 'Greeting' : '问候');
      await page.locator('.ant-modal #shortcut').fill(`hello-${tag}`);
      await page.locator('.ant-modal #body').fill(locale === 'en' ? 'Hello ' : '您好，');
      await page.locator('[data-testid="canned-var-customer.name"]').click();
      expect(await unnamedControls(page)).toEqual([]);
      await okButton.click();
      const canned = await waitFor(async () =>
        ((await call(owner, 'GET', '/api/v1/canned-responses')).body.items as Json[]).find(
          (c) => c.shortcut === `hello-${tag}`,
        ),
      );
      expect(canned).toMatchObject({
        body: `${locale === 'en' ? 'Hello ' : '您好，'}{{customer.name}}`,
        language: 'zh-CN',
      });

      // A disposition code with both labels.
      await page.goto(`${base}/admin/dispositions`);
      await newButton.click();
      await page.locator('.ant-modal #code').fill(`refund_done_${tag.replace('-', '_')}`);
      await page.locator('.ant-modal #zh').fill('已退款');
      await page.locator('.ant-modal #en').fill('Refunded');
      await okButton.click();
      const code = await waitFor(async () =>
        ((await call(owner, 'GET', '/api/v1/disposition-codes')).body.items as Json[]).find(
          (c) => c.code === `refund_done_${tag.replace('-', '_')}`,
        ),
      );
      expect(code).toMatchObject({ labels: { en: 'Refunded', 'zh-CN': '已退款' }, active: true });

      // A user, then their skill level.
      await page.goto(`${base}/admin/users`);
      await newButton.click();
      await page.locator('.ant-modal #email').fill(`new-${tag}@acme.test`);
      await page.locator('.ant-modal #displayName').fill(locale === 'en' ? 'Olivia Chen' : '陈晓');
      await page.locator('.ant-modal #password').fill('a good password 1');
      expect(await unnamedControls(page)).toEqual([]);
      await okButton.click();
      const user = await waitFor(async () =>
        ((await call(owner, 'GET', '/api/v1/users')).body.items as Json[]).find(
          (u) => u.email === `new-${tag}@acme.test`,
        ),
      );
      expect(user).toMatchObject({ role: 'agent', status: 'active' });
      await page.locator(`[data-testid="user-skills-${user.id}"]`).click();
      await page.locator(`[data-testid="skill-level-${skill.id}"]`).click();
      await page
        .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option')
        .nth(4)
        .click();
      expect(await unnamedControls(page)).toEqual([]);
      await page.locator('[data-testid="user-skills-save"]').click();
      await waitFor(async () =>
        ((await call(owner, 'GET', `/api/v1/users/${user.id}/skills`)).body.skills as Json[]).find(
          (x) => x.skillId === skill.id && x.proficiency === 4,
        ),
      );

      // A team with that user in it.
      await page.goto(`${base}/admin/teams`);
      await newButton.click();
      await page.locator('.ant-modal #name').fill(`Team ${tag}`);
      await okButton.click();
      const team = await waitFor(async () =>
        ((await call(owner, 'GET', '/api/v1/teams')).body.items as Json[]).find(
          (x) => x.name === `Team ${tag}`,
        ),
      );
      await page.locator(`[data-testid="team-members-${team.id}"]`).click();
      // A multiple select stays open after a pick: Esc closes it.
      await page.locator('[data-testid="team-members-select"]').click();
      await page.keyboard.type(locale === 'en' ? 'Olivia' : '陈晓');
      await page
        .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option-active')
        .waitFor();
      await page.keyboard.press('Enter');
      await page.keyboard.press('Escape');
      expect(await unnamedControls(page)).toEqual([]);
      await okButton.click();
      await waitFor(async () =>
        ((await call(owner, 'GET', `/api/v1/teams/${team.id}`)).body.memberIds as string[]).includes(user.id),
      );

      expect(await missingKeys(page)).toEqual([]);
      await context.close();
    }, 120_000);

    it(`${locale}: a queue and a routing rule made in the UI route the next customer message`, async () => {
      const queueName = locale === 'en' ? 'Telegram desk' : 'Telegram 专席';
      const stepId = `telegram-${locale.toLowerCase()}`;
      const { context, page } = await newWorkspacePage(browser as Browser, locale);
      await signIn(page, base, OWNER.email, OWNER.password, '/admin/queues');
      expect(await page.locator('html').getAttribute('lang')).toBe(locale);

      // The queue, made in its form.
      await page.locator('[data-testid="queue-new"]').click();
      await page.locator('[data-testid="queue-name"]').fill(queueName);
      await page.locator('[data-testid="queue-reservation"]').fill('45');
      await page.locator('[data-testid="queue-wrapup"]').fill('30');
      expect(await unnamedControls(page)).toEqual([]);
      await page.locator('[data-testid="queue-save"]').click();
      await page.locator('.ant-table-row', { hasText: queueName }).waitFor();
      const queue = await waitFor(async () =>
        ((await call(owner, 'GET', '/api/v1/queues')).body.items as Json[]).find((q) => q.name === queueName),
      );
      expect(queue).toMatchObject({
        reservationTimeoutSeconds: 45,
        wrapUpSeconds: 30,
        strategy: 'best-match',
      });

      // The rule: a new step, its filter first wrong (the error says where), then right.
      await page.goto(`${base}/admin/routing`);
      await page.locator('[data-testid="rule-add-step"]').waitFor();
      const i = await page.locator('[data-testid^="step-"][data-testid$="-id"]').count();
      await page.locator('[data-testid="rule-add-step"]').click();
      await page.locator(`[data-testid="step-${i}-id"]`).fill(stepId);
      const filter = page.locator(`[data-testid="step-${i}-filter"]`);
      await filter.fill("task.channel == 'telegram' &&");
      const error = page.locator(`[data-testid="step-${i}-filter-error"]`);
      await error.waitFor();
      expect(await error.getAttribute('data-line')).toBe('1');
      expect(Number(await error.getAttribute('data-column'))).toBeGreaterThan(20);
      expect(await error.textContent()).toMatch(
        locale === 'en' ? /Line 1, column \d+/ : /第 1 行，第 \d+ 列/,
      );
      await filter.fill("task.channel == 'telegram'");
      await page.locator(`[data-testid="step-${i}-filter-ok"]`).waitFor();
      expect(await error.count()).toBe(0);
      await choose(page, `step-${i}-queue`, queueName);
      // First in order, before any earlier language's Telegram step.
      for (let at = i; at > 0; at--) await page.locator(`[data-testid="step-${at}-up"]`).click();
      expect(await page.locator('[data-testid="step-0-id"]').inputValue()).toBe(stepId);

      // The trial: a Telegram task would go to the new queue, by the new step.
      await choose(page, 'test-channel', 'telegram');
      await page.locator('[data-testid="test-run"]').click();
      await page.locator('[data-testid="test-result-queue"]', { hasText: queueName }).waitFor();
      expect(await page.locator(`[data-testid="trace-${stepId}"]`).getAttribute('data-matched')).toBe('true');
      expect(await unnamedControls(page)).toEqual([]);

      await page.locator('[data-testid="rules-save"]').click();
      await page.locator('[data-testid="rules-save"][disabled]').waitFor();
      const rules = (await call(owner, 'GET', '/api/v1/routing/rules')).body;
      expect(rules.steps[0]).toMatchObject({
        id: stepId,
        filter: "task.channel == 'telegram'",
        queueId: queue.id,
      });

      // A customer writes on Telegram: the task waits in the new queue.
      const inbound = await call(owner, 'POST', '/api/v1/messages/inbound', {
        channelType: 'telegram',
        identity: { kind: 'telegram', value: `tg-${locale}-${++n}` },
        text: locale === 'en' ? 'Hello, where is my order?' : '你好，我的订单到哪了？',
        idempotencyKey: `admin-${locale}-${n}`,
      });
      expect(inbound.status, JSON.stringify(inbound.body)).toBe(201);
      const conversationId = inbound.body.conversation.id as string;
      const task = await waitFor(async () =>
        ((await call(owner, 'GET', `/api/v1/routing/tasks?queueId=${queue.id}`)).body.items as Json[]).find(
          (x) => x.attributes.conversationId === conversationId,
        ),
      );
      expect(task).toMatchObject({ queueId: queue.id, stepId });

      // Every page of the console: each control has an accessible name; no string is missing.
      for (const p of PAGES) {
        await page.goto(`${base}/admin/${p}`);
        await page.locator('.sb-admin-head').waitFor();
        await page.locator('.ant-spin-spinning').waitFor({ state: 'detached' });
        expect({ page: p, unnamed: await unnamedControls(page) }).toEqual({ page: p, unnamed: [] });
      }
      // The channel form for web chat shows the widget snippet once saved.
      await page.goto(`${base}/admin/channels`);
      await page.locator('[data-testid="channel-new"]').click();
      await choose(page, 'channel-type', locale === 'en' ? 'Web chat' : '网页');
      await page.locator('[data-testid="channel-name"]').fill(locale === 'en' ? 'Website' : '官网');
      expect(await unnamedControls(page)).toEqual([]);
      await page.locator('[data-testid="channel-save"]').click();
      const snippet = page.locator('[data-testid="channel-snippet"]');
      await snippet.waitFor();
      expect(await snippet.textContent()).toMatch(
        /^<script src="http:\/\/127\.0\.0\.1:\d+\/widget\.js" data-channel="[0-9a-f-]{36}" async><\/script>$/,
      );
      expect(await unnamedControls(page)).toEqual([]);

      expect(await missingKeys(page)).toEqual([]);
      await context.close();
    }, 120_000);
  }
});
