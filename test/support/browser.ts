// Headless Debian Chromium driven by playwright-core, for the browser tests. No browser download:
// `/usr/bin/chromium` (CHROMIUM_PATH to override), installed by .ci/run when missing. A missing
// Chromium fails the test file with how to install it, unless SWITCHBOARD_SKIP_SERVICES=1.
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { skipServices } from './services.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** `extraArgs`: more Chromium switches for one test file (fake media devices, feature flags). */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser | undefined> {
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
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
        ...extraArgs,
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

/** A laptop-sized window in the given UI language (the browser's Accept-Language and navigator.language). */
export async function newWorkspacePage(
  browser: Browser,
  locale: 'zh-CN' | 'en',
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale });
  const page = await context.newPage();
  return { context, page };
}

/** Signs in through the login form of the web apps at `base`, and waits for the app to show. */
export async function signIn(
  page: Page,
  base: string,
  email: string,
  password: string,
  path = '/',
): Promise<void> {
  await page.goto(`${base}/login?next=${encodeURIComponent(path)}`);
  await page.locator('input[autocomplete="username"]').fill(email);
  await page.locator('input[autocomplete="current-password"]').fill(password);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/** i18n keys the page asked for that its language lacks (the apps record them in window.__sbMissingKeys). */
export async function missingKeys(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as { __sbMissingKeys?: string[] }).__sbMissingKeys ?? []);
}

/** The few DOM calls the page-side helpers make (the tests compile without the DOM library). */
export interface DomElement {
  textContent: string | null;
  getBoundingClientRect(): { width: number; height: number };
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
}
export interface Dom {
  document: {
    querySelector(selector: string): DomElement | null;
    querySelectorAll(selector: string): Iterable<DomElement>;
  };
  getComputedStyle(el: DomElement): { visibility: string; display: string };
}

/** Visible controls whose computed accessible name (Chromium's own) is empty. */
export async function unnamedControls(page: Page): Promise<string[]> {
  // A control re-rendered between finding it and asking Chromium about it: look again.
  for (let attempt = 0; ; attempt++) {
    try {
      return await unnamedControlsOnce(page);
    } catch (err) {
      if (attempt >= 4 || !/Could not find node/.test(String(err))) throw err;
      await page.waitForTimeout(200);
    }
  }
}

async function unnamedControlsOnce(page: Page): Promise<string[]> {
  const count = await page.evaluate(() => {
    const doc = (globalThis as unknown as Dom).document;
    for (const el of doc.querySelectorAll('[data-a11y-check]')) el.removeAttribute('data-a11y-check');
    const sel =
      'button, input:not([type=hidden]), textarea, select, [role=button], [role=combobox], [role=switch]';
    let i = 0;
    for (const el of doc.querySelectorAll(sel)) {
      const r = el.getBoundingClientRect();
      const cs = (globalThis as unknown as Dom).getComputedStyle(el);
      if (r.width === 0 || r.height === 0 || cs.visibility === 'hidden' || cs.display === 'none') continue;
      el.setAttribute('data-a11y-check', String(i++));
    }
    return i;
  });
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodeIds } = await cdp.send('DOM.querySelectorAll', {
      nodeId: root.nodeId,
      selector: '[data-a11y-check]',
    });
    expect(count).toBeGreaterThan(0);
    expect(nodeIds.length).toBeGreaterThan(0);
    const bad: string[] = [];
    for (const nodeId of nodeIds) {
      const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false });
      const ax = nodes[0];
      if (!ax || ax.ignored) continue;
      const name = String(ax.name?.value ?? '').trim();
      if (!name) {
        const { outerHTML } = await cdp.send('DOM.getOuterHTML', { nodeId });
        bad.push(outerHTML.slice(0, 200));
      }
    }
    return bad;
  } finally {
    await cdp.detach();
  }
}
