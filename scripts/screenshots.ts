// `npm run screenshots`: the agent workspace, the supervisor wallboard and the admin rule editor at
// 1366×768, in zh-CN and en, into docs/screenshots/. Runs the real product in this process (PGlite in a
// temporary directory, the demo tenant), drives Debian Chromium, and leaves nothing behind.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createSwitchboard } from '../src/app.js';
import { DEMO_OWNER, seedDemo } from '../src/cli/seed.js';
import { loadConfig } from '../src/config.js';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const PASSWORD = 'demo password 1';
const AGENT = 'wang.fang@demo.switchboard.test';
const SUPERVISOR = 'lead.sh@demo.switchboard.test';
const ADMIN = 'admin@demo.switchboard.test';
const LOCALES = ['zh-CN', 'en'] as const;

type Json = Record<string, unknown>;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sb-screenshots-'));
  const config = loadConfig(
    {
      ...process.env,
      LOG_LEVEL: 'silent',
      SWITCHBOARD_ADMIN_EMAIL: 'root@screenshots.test',
      SWITCHBOARD_ADMIN_PASSWORD: PASSWORD,
      SMTP_PORT: '0',
    },
    { port: 0, host: '127.0.0.1', dataDir },
  );
  const sb = await createSwitchboard(config, { logger: pino({ level: 'silent' }), backgroundSends: false });
  let browser: Browser | undefined;
  try {
    const base = await sb.listen();
    const { db } = sb.ctx.storage;
    await seedDemo({ db, outbox: sb.ctx.outbox, cipher: sb.ctx.cipher }, PASSWORD);

    const call = async (token: string, method: string, url: string, body?: unknown): Promise<Json> => {
      const res = await fetch(`${base}${url}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
      return text ? (JSON.parse(text) as Json) : {};
    };
    const login = async (email: string) =>
      (await call('', 'POST', '/api/v1/auth/login', { email, password: PASSWORD })).token as string;

    // One customer on three channels: an SMS, then Telegram (the account is on the customer's record),
    // and now the web chat, signed in with the same phone number.
    const owner = await login(DEMO_OWNER);
    const inbound = (channelType: string, identity: Json, text: string, key: string) =>
      call(owner, 'POST', '/api/v1/messages/inbound', {
        channelType,
        identity,
        text,
        idempotencyKey: key,
        displayName: '张伟',
      });
    const phone = { kind: 'phone', value: '+8613800138000' };
    const sms = await inbound(
      'sms',
      phone,
      '张伟：订单 SO-20261188 能改地址吗？改到浦东新区世纪大道 100 号',
      'shot-1',
    );
    const customerId = (sms.conversation as Json).customerId as string;
    await call(owner, 'POST', `/api/v1/customers/${customerId}/identities`, {
      kind: 'telegram',
      value: '5012345678',
    });
    await inbound(
      'telegram',
      { kind: 'telegram', value: '5012345678' },
      '你好，订单 SO-20261188 还没发货吗？',
      'shot-2',
    );
    const chat = await inbound(
      'webchat',
      phone,
      '您好，我是张伟，想问一下订单 SO-20261188 什么时候到？短信和 Telegram 都问过了。',
      'shot-3',
    );
    const conversationId = (chat.conversation as Json).id as string;

    // Agents at work: two available, the screenshot's agent takes her offers.
    const agentToken = await login(AGENT);
    const me = await call(agentToken, 'GET', '/api/v1/auth/me');
    for (const email of [AGENT, 'li.qiang@demo.switchboard.test', 'zhao.min@demo.switchboard.test']) {
      const tk = email === AGENT ? agentToken : await login(email);
      const u = await call(tk, 'GET', '/api/v1/auth/me');
      await call(tk, 'PUT', `/api/v1/routing/agents/${u.id}/state`, { state: 'available' });
    }
    await new Promise((r) => setTimeout(r, 1500));
    const offers = (await call(agentToken, 'GET', '/api/v1/routing/reservations')).items as Json[];
    for (const o of offers.slice(0, 2))
      await call(agentToken, 'POST', `/api/v1/routing/reservations/${o.id}/accept`, {});
    await call(owner, 'PATCH', `/api/v1/conversations/${conversationId}`, { assigneeId: me.id }).catch(
      () => undefined,
    );
    await call(agentToken, 'POST', `/api/v1/conversations/${conversationId}/messages`, {
      text: '张先生您好，我来帮您查询订单 SO-20261188 的物流。',
    });

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
    });
    mkdirSync(OUT, { recursive: true });
    for (const locale of LOCALES) {
      const shots: [string, string, string][] = [
        [AGENT, `/agent/c/${conversationId}`, `agent-workspace.${locale}.png`],
        [SUPERVISOR, '/supervisor', `wallboard.${locale}.png`],
        [ADMIN, '/admin/routing', `admin-rules.${locale}.png`],
      ];
      for (const [email, url, file] of shots) {
        const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale });
        const page = await context.newPage();
        page.on('pageerror', (e) => console.warn(`${file}: page error: ${e.message}`));
        page.on(
          'console',
          (m) => m.type() === 'error' && console.warn(`${file}: console: ${m.text().slice(0, 300)}`),
        );
        await signIn(page, base, email, url);
        await page.waitForLoadState('networkidle');
        await page.waitForTimeout(1500);
        await page.screenshot({ path: path.join(OUT, file) });
        const missing = await page.evaluate('window.__sbMissingKeys ?? []');
        if ((missing as string[]).length)
          console.warn(`${file}: missing i18n keys ${JSON.stringify(missing)}`);
        console.log(`docs/screenshots/${file}`);
        await context.close();
      }
    }
  } finally {
    await browser?.close();
    await sb.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function signIn(page: Page, base: string, email: string, next: string): Promise<void> {
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  await page.locator('input[autocomplete="username"]').fill(email);
  await page.locator('input[autocomplete="current-password"]').fill(PASSWORD);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

await main();
