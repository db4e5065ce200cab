import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import enAgent from '../web/app/src/locales/en/agent.json' with { type: 'json' };
import zhAgent from '../web/app/src/locales/zh-CN/agent.json' with { type: 'json' };
import { caller, type Json } from './support/api.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { launchBrowser, missingKeys, newWorkspacePage, signIn } from './support/browser.js';
import { waitFor } from './support/wait.js';

/**
 * Issue #6, the agent workspace in headless Chromium, in zh-CN and in en: an agent signs in, goes
 * available, gets a web-chat visitor's message as an offer, accepts and replies (the widget shows
 * the reply); the same with the keyboard alone, through to the wrap-up; and every control of the
 * workspace has an accessible name. Controls are found by role and their name in the page's
 * language (read from the locale files), so one test serves both languages.
 */
const browser = await launchBrowser();

const LANGS = [
  {
    lang: 'zh-CN',
    L: zhAgent,
    agent: { email: 'li.na@acme.test', name: '李娜' },
    visitor: '你好，我的订单还没发货',
  },
  {
    lang: 'en',
    L: enAgent,
    agent: { email: 'emma@acme.test', name: 'Emma Brown' },
    visitor: 'Hi, where is my order?',
  },
] as const;
const PASSWORD = 'agent password 1';
/** The data-testid of the focused element (a string: it runs in the page, and the test has no DOM types). */
/** A button's name as antd writes it: two Chinese characters get a space between them ("转 接"). */
const spaced = (text: string) => new RegExp(`^${[...text].join('\\s?')}$`);
/**
 * A dialog by its title. (Not by accessible name: a build made under vitest has NODE_ENV=test, where
 * rc-dialog labels every dialog with the same id, "test-id".)
 */
const dialogTitled = (page: Page, title: string) =>
  page.getByRole('dialog').filter({ has: page.getByText(title, { exact: true }) });
type StyleOf = { getComputedStyle(el: unknown): { backgroundColor: string } };
const ACTIVE_TESTID = "document.activeElement && document.activeElement.getAttribute('data-testid')";

/** The shop embedding the widget, in the visitor's language. */
function hostPage(switchboard: string, channelId: string, lang: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>Shop</h1><script src="${switchboard}/widget.js" data-channel="${channelId}" data-locale="${lang}" async></script></body></html>`;
}

/**
 * Every visible button, text field, combobox… and its accessible name as Chromium computes it
 * (the accessibility tree over CDP): the ones whose name is empty.
 */
async function unnamedControls(page: Page): Promise<string[]> {
  // A string: it runs in the page, and the test's TypeScript has no DOM types.
  const count = (await page.evaluate(`(() => {
    const selector = 'button, input, textarea, select, [role=button], [role=combobox], [role=checkbox], ' +
      '[role=radio], [role=switch], [role=tab], [role=menuitem], [role=option], [role=textbox], [role=slider]';
    let i = 0;
    for (const el of document.querySelectorAll(selector)) {
      el.removeAttribute('data-a11y-check');
      const r = el.getBoundingClientRect();
      const s = getComputedStyle(el);
      if (r.width === 0 || r.height === 0 || s.visibility === 'hidden' || s.display === 'none') continue;
      if (el.type === 'hidden') continue;
      el.setAttribute('data-a11y-check', String(i++));
    }
    return i;
  })()`)) as number;
  expect(count).toBeGreaterThan(10);
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
    const { nodeIds } = await cdp.send('DOM.querySelectorAll', {
      nodeId: root.nodeId,
      selector: '[data-a11y-check]',
    });
    const unnamed: string[] = [];
    for (const nodeId of nodeIds) {
      const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false });
      const node = nodes.find((n) => n.backendDOMNodeId !== undefined) ?? nodes[0];
      if (!node || node.ignored) continue;
      const name = String(node.name?.value ?? '').trim();
      if (!name) {
        const { outerHTML } = await cdp.send('DOM.getOuterHTML', { nodeId });
        unnamed.push(`${node.role?.value}: ${outerHTML.slice(0, 240)}`);
      }
    }
    return unnamed;
  } finally {
    await cdp.detach();
  }
}

describe.skipIf(!browser)('the agent workspace in headless Chromium', () => {
  let t: TestApp;
  let base: string;
  let owner: string;
  let site: { origin: string; close(): Promise<void> };
  let channelId = '';
  let siteLang = 'zh-CN';
  let skillId = '';
  let afterSalesId = '';
  const agentIds: Record<string, string> = {};

  const call = caller(() => t);

  beforeAll(async () => {
    t = await startTestApp('pglite');
    base = await t.sb.listen();
    owner = await t.login(OWNER.email, OWNER.password);
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(hostPage(base, channelId, siteLang));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    site = {
      origin: `http://127.0.0.1:${port}`,
      close: () => new Promise((r) => server.close(() => r())),
    };
    const channel = await call(owner, 'POST', '/api/v1/channels', {
      type: 'webchat',
      name: '官网在线客服',
      config: { allowedOrigins: site.origin },
    });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    channelId = channel.body.id;
    skillId = (await call(owner, 'POST', '/api/v1/skills', { name: 'webchat' })).body.id;
    const queue = await call(owner, 'POST', '/api/v1/queues', {
      name: '在线客服',
      skills: [{ skillId, minProficiency: 1 }],
      reservationTimeoutSeconds: 120,
    });
    expect(queue.status, JSON.stringify(queue.body)).toBe(201);
    const rules = await call(owner, 'PUT', '/api/v1/routing/rules', {
      steps: [{ id: 'all', queueId: queue.body.id }],
    });
    expect(rules.status, JSON.stringify(rules.body)).toBe(200);
    afterSalesId = (await call(owner, 'POST', '/api/v1/queues', { name: '售后 After-sales' })).body.id;
    // Shortcuts are unique in the tenant; each language's list shows its own.
    for (const [language, shortcut, body] of [
      ['zh-CN', 'greet', '您好，我是{{agent.name}}，很高兴为您服务。'],
      ['en', 'greeting', 'Hi, this is {{agent.name}}, happy to help.'],
    ]) {
      const c = await call(owner, 'POST', '/api/v1/canned-responses', {
        title: language === 'en' ? 'Greeting' : '问候语',
        shortcut,
        body,
        language,
      });
      expect(c.status, JSON.stringify(c.body)).toBe(201);
    }
    for (const [code, en, zh] of [
      ['resolved', 'Resolved', '已解决'],
      ['follow_up', 'Needs follow-up', '需跟进'],
    ]) {
      const d = await call(owner, 'POST', '/api/v1/disposition-codes', { code, labels: { en, 'zh-CN': zh } });
      expect(d.status, JSON.stringify(d.body)).toBe(201);
    }
    for (const { agent } of LANGS) {
      const user = await call(owner, 'POST', '/api/v1/users', {
        email: agent.email,
        password: PASSWORD,
        role: 'agent',
        displayName: agent.name,
      });
      expect(user.status, JSON.stringify(user.body)).toBe(201);
      agentIds[agent.email] = user.body.id;
      await call(owner, 'PUT', `/api/v1/users/${user.body.id}/skills`, {
        skills: [{ skillId, proficiency: 3 }],
      });
      await call(owner, 'PUT', `/api/v1/routing/agents/${user.body.id}/profile`, { capacity: { chat: 3 } });
    }
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await t?.close();
  });

  /** A new visitor on the shop: opens the widget and writes. */
  async function visitor(lang: string, text: string): Promise<{ context: BrowserContext; page: Page }> {
    siteLang = lang;
    const context = await (browser as Browser).newContext({
      viewport: { width: 1000, height: 760 },
      locale: lang,
    });
    const page = await context.newPage();
    await page.goto(`${site.origin}/`);
    await page.locator('.launcher').click();
    const input = page.locator('.panel textarea');
    await input.click();
    await page.keyboard.type(text, { delay: 15 });
    await page.locator('.panel .send').click();
    await page.locator('.msg.in', { hasText: text }).waitFor();
    return { context, page };
  }

  /** Delivers queued replies (the test app sends in the foreground) until the widget shows `text`. */
  async function widgetShows(widget: Page, text: string): Promise<void> {
    await waitFor(async () => {
      await t.sb.dispatcher.runOnce();
      return (await widget.locator('.msg.out', { hasText: text }).count()) > 0;
    }, 15_000);
  }

  for (const { lang, L, agent, visitor: firstWords } of LANGS) {
    describe(`in ${lang}`, () => {
      let context: BrowserContext;
      let page: Page;
      let openWidget: Page | undefined;

      beforeAll(async () => {
        // Only this language's agent takes offers.
        for (const other of LANGS)
          if (other.agent.email !== agent.email) {
            const auth = await t.login(other.agent.email, PASSWORD);
            await call(auth, 'PUT', `/api/v1/routing/agents/${agentIds[other.agent.email]}/state`, {
              state: 'offline',
            });
          }
        ({ context, page } = await newWorkspacePage(browser as Browser, lang));
        page.on('pageerror', (e) => console.log(`[web-agent] ${lang} page error: ${e.message}\n${e.stack}`));
        page.on('console', (m) => {
          if (m.type() === 'error') console.log(`[web-agent] ${lang} console: ${m.text()}`);
        });
      });
      afterAll(async () => {
        await context?.close();
      });
      // What the agent saw when a step failed, to look at.
      afterEach(async ({ task }) => {
        if (task.result?.state === 'fail')
          await page
            .screenshot({
              path: `.scratch/agent-failed-${lang}-${task.name.slice(0, 20).replace(/\W+/g, '-')}.png`,
            })
            .catch(() => undefined);
      });

      it('signs in, goes available, accepts a web chat offer and replies; the widget shows the reply', async () => {
        await signIn(page, base, agent.email, PASSWORD, '/agent');
        // The first contentful paint of /agent itself, loaded signed in (printed, never asserted).
        await page.goto(`${base}/agent`);
        await page.getByRole('combobox', { name: L.presence.label, exact: true }).waitFor();
        const fcp = (await page.evaluate(
          "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1",
        )) as number;
        console.log(`[web-agent] ${lang}: first contentful paint of /agent ${fcp.toFixed(0)} ms`);

        // Available, from the status select.
        await page.getByRole('combobox', { name: L.presence.label, exact: true }).click();
        await page.locator('.ant-select-item-option', { hasText: L.presence.available }).click();
        await waitFor(async () => {
          const stats = (await call(owner, 'GET', '/api/v1/routing/stats')).body;
          const state = stats.agents?.find((a: Json) => a.agentId === agentIds[agent.email])?.state;
          return state !== undefined && state !== 'offline';
        });

        const customer = await visitor(lang, firstWords);
        openWidget = customer.page;
        const offer = page.getByTestId('offer').filter({ hasText: firstWords });
        await offer.waitFor();
        await expect(offer.getByRole('timer').textContent()).resolves.toMatch(/\d/);
        await offer.getByText(firstWords).waitFor();
        await page.screenshot({ path: `.scratch/agent-offer-${lang}.png` });
        await offer.getByRole('button', { name: L.offers.accept, exact: true }).click();

        // The conversation opens with the visitor's message; the inbox lists it.
        const log = page.getByRole('log', { name: L.conversation.messages });
        await log.getByText(firstWords).waitFor();
        await expect(page.getByTestId('inbox-item').count()).resolves.toBe(1);

        // The visitor types: the agent sees it.
        // (The widget sends "typing" at most every 3 s: keep typing until the agent sees it.)
        await customer.page.locator('.panel textarea').click();
        const typingShown = page.getByTestId('customer-typing');
        await waitFor(async () => {
          await customer.page.keyboard.type('.');
          return typingShown.waitFor({ timeout: 500 }).then(
            () => true,
            () => false,
          );
        }, 20_000);

        const reply = lang === 'zh-CN' ? '您好！我来帮您查一下订单。' : 'Hello! Let me check your order.';
        const box = page.getByRole('textbox', { name: L.composer.replyLabel, exact: true });
        await box.click();
        await box.pressSequentially(reply.slice(0, 4), { delay: 20 });
        // The agent's typing reaches the widget.
        await customer.page.locator('.typing:not([hidden])').waitFor();
        await box.fill(reply);
        await page.getByRole('button', { name: L.composer.send, exact: true }).click();
        await log.getByText(reply).waitFor();
        await widgetShows(customer.page, reply);
        // The reply's delivery state follows it.
        await page.locator('[data-testid="delivery"]:not([data-status="queued"])').first().waitFor();

        // The customer 360 panel shows the timeline with both messages.
        const timeline = page.getByTestId('timeline');
        await timeline.getByText(firstWords).waitFor();
        await timeline.getByText(reply).waitFor();

        await page.screenshot({ path: `.scratch/agent-workspace-${lang}.png` });
        // Three columns on a 1366×768 laptop, and no page scroll.
        const size = (await page.evaluate(
          '[document.documentElement.scrollWidth, document.documentElement.scrollHeight]',
        )) as number[];
        expect(size).toEqual([1366, 768]);
        expect(await missingKeys(page)).toEqual([]);
      }, 90_000);

      it('gives every button, field and select of the workspace an accessible name', async () => {
        expect(await unnamedControls(page)).toEqual([]);
        // And in the popovers: emoji and canned responses.
        await page.getByRole('button', { name: L.composer.emoji, exact: true }).click();
        await page.getByRole('list', { name: L.composer.emoji }).waitFor();
        expect(await unnamedControls(page)).toEqual([]);
        await page.getByRole('button', { name: L.composer.emoji, exact: true }).click();
        await page.getByRole('list', { name: L.composer.emoji }).waitFor({ state: 'hidden' });
        await page.getByRole('button', { name: L.canned.open, exact: true }).click();
        await page.getByRole('textbox', { name: L.canned.search, exact: true }).waitFor();
        expect(await unnamedControls(page)).toEqual([]);
        await page.keyboard.press('Escape');
        await page.getByRole('textbox', { name: L.canned.search, exact: true }).waitFor({ state: 'hidden' });
        // And in the dialogs: wrap-up and the shortcut list.
        await page.getByRole('button', { name: L.wrapUp.button, exact: true }).click();
        await dialogTitled(page, L.wrapUp.title).waitFor();
        expect(await unnamedControls(page)).toEqual([]);
        await page.keyboard.press('Escape');
        await dialogTitled(page, L.wrapUp.title).waitFor({ state: 'hidden' });
        expect(await missingKeys(page)).toEqual([]);
      }, 60_000);

      it('takes an offer, replies and wraps up with the keyboard alone', async () => {
        const words = lang === 'zh-CN' ? '请问可以开发票吗？' : 'Can I get an invoice?';
        const customer = await visitor(lang, words);
        await page.getByTestId('offer').filter({ hasText: words }).waitFor();
        // Alt+A takes the first offer: this one.
        await expect(page.getByTestId('offer').count()).resolves.toBe(1);
        await page.keyboard.press('Alt+KeyA');
        const log = page.getByRole('log', { name: L.conversation.messages });
        await log.getByText(words).waitFor();

        // The composer has the focus after accepting.
        const box = page.getByRole('textbox', { name: L.composer.replyLabel, exact: true });
        await waitFor(async () => (await page.evaluate(ACTIVE_TESTID)) === 'composer-input');
        const reply =
          lang === 'zh-CN' ? '可以的，请提供抬头和税号。' : 'Sure, please send me the billing details.';
        await page.keyboard.type(reply);
        await page.keyboard.press('Control+Enter');
        await log.getByText(reply).waitFor();
        // The box empties once the send is acknowledged; the reply's live event may show it in the log first.
        await waitFor(async () => (await box.inputValue()) === '');
        await widgetShows(customer.page, reply);

        // Wrap up: Alt+W, pick a disposition with the arrow keys, a note, Ctrl+Enter.
        await page.keyboard.press('Alt+KeyW');
        const dialog = dialogTitled(page, L.wrapUp.title);
        await dialog.waitFor();
        await page.keyboard.press('ArrowDown');
        await page.locator('.ant-select-item-option:visible').first().waitFor();
        await page.keyboard.press('Enter');
        // Choosing the code moves on to the note.
        await waitFor(async () => (await page.evaluate(ACTIVE_TESTID)) === 'wrap-up-note');
        await page.keyboard.type(lang === 'zh-CN' ? '已告知开票流程' : 'Explained invoicing');
        await page.keyboard.press('Control+Enter');
        await dialog.waitFor({ state: 'hidden' });

        const conversations = (await call(owner, 'GET', '/api/v1/conversations?limit=100')).body
          .items as Json[];
        const customerOf = async (c: Json) =>
          (await call(owner, 'GET', `/api/v1/conversations/${c.id}/messages`)).body.items.some(
            (m: Json) => m.text === words,
          );
        let target: Json | undefined;
        for (const c of conversations) if (await customerOf(c)) target = c;
        expect(target).toBeDefined();
        const done = await waitFor(async () => {
          const c = (await call(owner, 'GET', `/api/v1/conversations/${target!.id}`)).body;
          return c.status === 'resolved' ? c : undefined;
        });
        expect(['resolved', 'follow_up']).toContain(done.dispositionCode);
        expect(done.wrapUpNote).toBe(lang === 'zh-CN' ? '已告知开票流程' : 'Explained invoicing');
        expect(await missingKeys(page)).toEqual([]);
        await customer.context.close();
      }, 90_000);

      it('writes a yellow note, inserts a canned response with "/", tags and transfers to a queue', async () => {
        // The first conversation is open again (the second was wrapped up).
        const log = page.getByRole('log', { name: L.conversation.messages });
        await log.getByText(firstWords).waitFor();
        const conversationId = new URL(page.url()).pathname.split('/').pop()!;

        // Alt+N: an internal note, shown apart from the messages and never sent to the customer.
        await page.keyboard.press('Alt+KeyN');
        const noteBox = page.getByRole('textbox', { name: L.composer.noteLabel, exact: true });
        await waitFor(() => noteBox.isVisible());
        await noteBox.focus();
        const noteText = lang === 'zh-CN' ? '客户着急，优先处理' : 'Customer is in a hurry';
        await page.keyboard.type(noteText);
        await page.keyboard.press('Control+Enter');
        const note = page.getByTestId('note').filter({ hasText: noteText });
        await note.waitFor();
        const notes = (await call(owner, 'GET', `/api/v1/conversations/${conversationId}/notes`)).body.items;
        expect(notes.map((n: Json) => n.text)).toEqual([noteText]);
        const background = await note
          .locator('div')
          .first()
          .evaluate((el) => (globalThis as unknown as StyleOf).getComputedStyle(el).backgroundColor);
        expect(background).toBe('rgb(255, 251, 230)');

        // Back to the reply: "/greet" picks the canned response, rendered with the agent's name.
        await page.keyboard.press('Alt+KeyN');
        const box = page.getByRole('textbox', { name: L.composer.replyLabel, exact: true });
        await waitFor(async () => (await page.evaluate(ACTIVE_TESTID)) === 'composer-input');
        await page.keyboard.type('/gre');
        await page.getByRole('listbox', { name: L.canned.title }).waitFor();
        await page.keyboard.press('Enter');
        const greeting =
          lang === 'zh-CN'
            ? `您好，我是${agent.name}，很高兴为您服务。`
            : `Hi, this is ${agent.name}, happy to help.`;
        await waitFor(async () => (await box.inputValue()) === greeting);
        await page.keyboard.press('Control+Enter');
        await log.getByText(greeting).waitFor();
        await widgetShows(openWidget!, greeting);
        await page.screenshot({ path: `.scratch/agent-note-${lang}.png` });

        // A tag, typed into the tag field.
        const tags = page.getByRole('combobox', { name: L.conversation.tags, exact: true });
        await tags.focus();
        await page.keyboard.type('vip');
        await page.keyboard.press('Enter');
        await waitFor(async () =>
          (await call(owner, 'GET', `/api/v1/conversations/${conversationId}`)).body.tags.includes('vip'),
        );

        // Alt+T: transfer to the after-sales queue; the conversation leaves this agent's inbox.
        await page.keyboard.press('Alt+KeyT');
        const dialog = dialogTitled(page, L.transfer.title);
        await dialog.waitFor();
        await page.keyboard.press('ArrowDown');
        await page.locator('.ant-select-item-option:visible', { hasText: '售后 After-sales' }).click();
        await dialog.getByRole('button', { name: spaced(L.transfer.submit) }).click();
        await dialog.waitFor({ state: 'hidden' });
        await waitFor(
          async () => (await page.locator(`[data-conversation="${conversationId}"]`).count()) === 0,
        );
        // The task now belongs to after-sales: waiting there, or (no one else being free) offered again.
        const agentAuth = await t.login(agent.email, PASSWORD);
        const task = await waitFor(async () => {
          const waiting = (await call(owner, 'GET', `/api/v1/routing/tasks?queueId=${afterSalesId}`)).body
            .items;
          const offered = (await call(agentAuth, 'GET', '/api/v1/routing/reservations')).body.items;
          for (const r of offered)
            waiting.push((await call(agentAuth, 'GET', `/api/v1/routing/tasks/${r.taskId}`)).body);
          return waiting.find((x: Json) => x.attributes.conversationId === conversationId);
        });
        expect(task.queueId).toBe(afterSalesId);
        // Withdrawn, so the next language starts with no work waiting.
        expect((await call(owner, 'POST', `/api/v1/routing/tasks/${task.id}/cancel`, {})).status).toBe(204);
        expect(await missingKeys(page)).toEqual([]);
      }, 90_000);

      it('lists the shortcuts on ?', async () => {
        // Out of any text field (where ? is just a character).
        await page.evaluate('document.activeElement && document.activeElement.blur()');
        await page.keyboard.press('Shift+Slash');
        const dialog = dialogTitled(page, L.shortcuts.title);
        await dialog.waitFor();
        await dialog.getByText(L.shortcuts.accept).waitFor();
        await page.locator('.ant-zoom-appear, .ant-zoom-enter').waitFor({ state: 'detached' });
        await page.screenshot({ path: `.scratch/agent-shortcuts-${lang}.png` });
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden' });
        expect(await missingKeys(page)).toEqual([]);
        await openWidget?.context().close();
      });
    });
  }
});
