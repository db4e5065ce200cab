import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { skipServices } from './support/services.js';
import { waitFor } from './support/wait.js';

/**
 * The widget as a visitor meets it: embedded by a page on another origin, in headless Chromium.
 * A missing Chromium fails this file (with how to install it) unless SWITCHBOARD_SKIP_SERVICES=1.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function launch(): Promise<Browser | undefined> {
  try {
    return await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  } catch (err) {
    if (skipServices) return undefined;
    throw new Error(
      `Chromium did not start from ${CHROMIUM}: ${(err as Error).message.split('\n')[0]}. ` +
        'Install it with: apt-get install chromium  (or set SWITCHBOARD_SKIP_SERVICES=1 to skip this test)',
    );
  }
}

const browser = await launch();

/** The embedding site: its own origin, and styles that would leak into a widget without a shadow root. */
function hostPage(switchboard: string, channelId: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>示例商城</title>
<style>body{font-family:serif;margin:40px} button{background:rgb(255, 255, 0)!important} textarea{display:none}</style>
</head><body><h1>示例商城</h1><button id="host-button">购物车</button>
<script src="${switchboard}/widget.js" data-channel="${channelId}" data-locale="zh-CN" async></script>
</body></html>`;
}

async function startHostSite(html: () => string): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

describe.skipIf(!browser)('the web chat widget in headless Chromium', () => {
  let t: TestApp;
  let auth: string;
  let site: Awaited<ReturnType<typeof startHostSite>>;
  let channelId = '';
  let page: Page;

  beforeAll(async () => {
    t = await startTestApp('pglite');
    const switchboard = await t.sb.listen();
    auth = await t.login(OWNER.email, OWNER.password);
    site = await startHostSite(() => hostPage(switchboard, channelId));
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: { authorization: auth },
      payload: {
        type: 'webchat',
        name: '官网在线客服',
        config: { allowedOrigins: site.origin },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    channelId = res.json().id;
    page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await t?.close();
  });

  const api = (url: string) => t.inject({ url, headers: { authorization: auth } });
  const webchatConversation = async () => {
    const items = (await api('/api/v1/conversations')).json().items as { id: string; channelId: string }[];
    return items.find((c) => c.channelId === channelId);
  };
  const messages = async (conversationId: string) =>
    (await api(`/api/v1/conversations/${conversationId}/messages`)).json().items as {
      direction: string;
      text: string;
      deliveryStatus: string;
    }[];

  it('sends a message, shows the agent reply from the socket, and keeps both after a reload', async () => {
    await page.goto(`${site.origin}/`);
    await page.locator('.launcher').click();
    const input = page.locator('.panel textarea');
    expect(await input.getAttribute('placeholder')).toBe('输入消息…');
    await input.fill('你好，我想查询订单');
    await page.locator('.panel .send').click();

    const conversation = await waitFor(webchatConversation);
    const stored = await waitFor(async () => {
      const m = await messages(conversation.id);
      return m.length ? m : undefined;
    });
    expect(stored[0]).toMatchObject({ direction: 'in', text: '你好，我想查询订单' });
    await page.locator('.msg.in .meta', { hasNotText: '…' }).waitFor();

    const reply = await t.inject({
      method: 'POST',
      url: `/api/v1/conversations/${conversation.id}/messages`,
      headers: { authorization: auth },
      payload: { text: '您好！请提供您的订单号，我来帮您查询。' },
    });
    expect(reply.statusCode).toBe(201);
    await t.sb.dispatcher.runOnce();
    await page.locator('.msg.out', { hasText: '您好！请提供您的订单号，我来帮您查询。' }).waitFor();
    // The panel was open when the reply came: the widget reported it read.
    await waitFor(async () =>
      (await messages(conversation.id)).at(-1)?.deliveryStatus === 'read' ? true : undefined,
    );

    await page.reload();
    await page.locator('.launcher').click();
    await page.locator('.msg.out', { hasText: '您好！请提供您的订单号，我来帮您查询。' }).waitFor();
    const shown = await page.locator('.msg .bubble').allTextContents();
    expect(shown).toEqual(['你好，我想查询订单', '您好！请提供您的订单号，我来帮您查询。']);
    expect(await (await waitFor(webchatConversation)).id).toBe(conversation.id);
  });

  it("sends the visitor's typing rhythm with a message (timings only, never keys) and keeps it as a profile", async () => {
    const sent: string[] = [];
    page.on('websocket', (ws) => ws.on('framesent', (f) => sent.push(String(f.payload))));
    await page.reload();
    await page.locator('.launcher').click();
    const input = page.locator('.panel textarea');
    await input.click();
    await page.keyboard.type('where is my parcel please', { delay: 40 });
    await page.keyboard.press('Enter');
    const frame = await waitFor(async () => sent.find((f) => f.includes('where is my parcel')));
    const parsed = JSON.parse(frame) as { rhythm: { flights: unknown[]; dwells: unknown[] } };
    expect(Object.keys(parsed.rhythm).sort()).toEqual(['dwells', 'flights']);
    expect(parsed.rhythm.flights.length).toBeGreaterThanOrEqual(10);
    expect([...parsed.rhythm.flights, ...parsed.rhythm.dwells].every((x) => typeof x === 'number')).toBe(
      true,
    );
    const conversation = await waitFor(webchatConversation);
    const customerId = (await api(`/api/v1/conversations/${conversation.id}`)).json().customerId as string;
    const profile = await waitFor(() =>
      t.sb.ctx.storage.db
        .selectFrom('typing_profiles')
        .select('profile')
        .where('customer_id', '=', customerId)
        .executeTakeFirst(),
    );
    expect((profile.profile as { n: number }).n).toBeGreaterThanOrEqual(10);
    expect(JSON.stringify(profile.profile)).not.toContain('parcel');
  });

  it('leaves the host page alone, and is not restyled by it', async () => {
    // Strings: these run in the page, and the test's TypeScript has no DOM types.
    const host = await page.evaluate(
      `[getComputedStyle(document.getElementById('host-button')).backgroundColor, getComputedStyle(document.body).fontFamily]`,
    );
    expect(host).toEqual(['rgb(255, 255, 0)', 'serif']);
    const send = await page.locator('.panel .send').evaluate('(b) => getComputedStyle(b).backgroundColor');
    expect(send).not.toBe('rgb(255, 255, 0)');
    expect(await page.locator('.panel textarea').isVisible()).toBe(true);
  });

  it('fills a phone screen with the open panel', async () => {
    await page.setViewportSize({ width: 375, height: 667 });
    const box = await page.locator('.panel').boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0, width: 375, height: 667 });
    await page.screenshot({ path: '/tmp/widget.png' });
  });
});
