import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { launchBrowser } from './support/browser.js';
import { waitFor } from './support/wait.js';
import { type Json, PNG } from './support/workspace.js';

/**
 * Issue #6 in the widget, as a visitor sees it in headless Chromium: "agent is typing" while the
 * agent types (gone when they stop, when their message arrives, or after 6 s), and a file the agent
 * sends shown as an image.
 */
const browser = await launchBrowser();

function hostPage(switchboard: string, channelId: string, locale: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head><body><h1>Shop</h1>
<script src="${switchboard}/widget.js" data-channel="${channelId}" data-locale="${locale}" async></script>
</body></html>`;
}

describe.skipIf(!browser)('agent typing and files in the web chat widget', () => {
  let t: TestApp;
  let auth: string;
  let switchboard: string;
  let channelId = '';
  let site: http.Server;
  let origin: string;
  let page: Page;

  const api = async (method: string, url: string, body?: unknown) => {
    const res = await t.inject({
      method: method as 'POST',
      url,
      headers: { authorization: auth },
      ...(body !== undefined && { payload: body as Record<string, unknown> }),
    });
    return { status: res.statusCode, body: (res.body ? res.json() : {}) as Json };
  };
  const typing = (conversationId: string, on: boolean) =>
    api('POST', `/api/v1/conversations/${conversationId}/typing`, { typing: on });

  beforeAll(async () => {
    t = await startTestApp('pglite');
    switchboard = await t.sb.listen();
    auth = await t.login(OWNER.email, OWNER.password);
    site = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(hostPage(switchboard, channelId, req.url?.includes('en') ? 'en' : 'zh-CN'));
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    const channel = await api('POST', '/api/v1/channels', {
      type: 'webchat',
      name: '官网在线客服',
      config: { allowedOrigins: origin },
    });
    channelId = channel.body.id;
    page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.close(resolve));
    await t?.close();
  });

  it('shows "客服正在输入…" while the agent types, and hides it when they stop or reply', async () => {
    await page.goto(`${origin}/`);
    await page.locator('.launcher').click();
    await page.locator('.panel textarea').fill('请问发票开好了吗？');
    await page.locator('.panel .send').click();
    const conversation = await waitFor(async () => {
      const items = (await api('GET', '/api/v1/conversations')).body.items as Json[];
      return items.find((c) => c.channelId === channelId);
    });
    await page.locator('.msg.in .meta', { hasNotText: '…' }).waitFor();
    const line = page.locator('.panel .typing');
    expect(await line.isVisible()).toBe(false);

    expect((await typing(conversation.id, true)).status).toBe(204);
    await line.waitFor({ state: 'visible' });
    expect(await line.textContent()).toBe('客服正在输入…');
    await typing(conversation.id, false);
    await line.waitFor({ state: 'hidden' });

    // The agent types, then sends a picture: the picture shows and the typing line goes.
    await typing(conversation.id, true);
    await line.waitFor({ state: 'visible' });
    const uploaded = await fetch(`${switchboard}/api/v1/conversations/${conversation.id}/attachments`, {
      method: 'POST',
      headers: {
        authorization: auth,
        'content-type': 'image/png',
        'x-filename': encodeURIComponent('发票.png'),
      },
      body: PNG,
    });
    expect(uploaded.status).toBe(201);
    const file = (await uploaded.json()) as Json;
    const sent = await api('POST', `/api/v1/conversations/${conversation.id}/messages`, {
      contentType: 'image',
      payload: file,
    });
    expect(sent.status).toBe(201);
    await t.sb.dispatcher.runOnce();
    const img = page.locator('.msg.out img');
    await img.waitFor();
    expect(await img.getAttribute('src')).toBe(file.url);
    expect(await img.getAttribute('alt')).toBe('发票.png');
    // Loaded from /files/… across origins (the image is really there, not a broken icon).
    const loaded = (i: { complete: boolean; naturalWidth: number }) => i.complete && i.naturalWidth === 1;
    await waitFor(async () => ((await img.evaluate(loaded)) ? true : undefined));
    await line.waitFor({ state: 'hidden' });

    // After a reload the picture is still there, from history.
    await page.reload();
    await page.locator('.launcher').click();
    await page.locator('.msg.out img').waitFor();
  });

  it('hides the typing line by itself 6 s after the last signal, in English too', async () => {
    await page.goto(`${origin}/?en`);
    await page.locator('.launcher').click();
    await page.locator('.panel textarea').fill('hello there');
    await page.locator('.panel .send').click();
    await page.locator('.msg.in', { hasText: 'hello there' }).locator('.meta', { hasNotText: '…' }).waitFor();
    const conversation = (await api('GET', '/api/v1/conversations')).body.items.find(
      (c: Json) => c.channelId === channelId,
    );
    const line = page.locator('.panel .typing');
    await typing(conversation.id, true);
    await line.waitFor({ state: 'visible' });
    expect(await line.textContent()).toBe('Agent is typing…');
    const shownAt = Date.now();
    await line.waitFor({ state: 'hidden', timeout: 10_000 });
    const shownFor = Date.now() - shownAt;
    expect(shownFor).toBeGreaterThan(5000);
    expect(shownFor).toBeLessThan(8000);
  });
});
