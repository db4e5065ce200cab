// Headless Debian Chromium driven by playwright-core, for the browser tests. No browser download:
// `/usr/bin/chromium` (CHROMIUM_PATH to override), installed by .ci/run when missing. A missing
// Chromium fails the test file with how to install it, unless SWITCHBOARD_SKIP_SERVICES=1.
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { skipServices } from './services.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser | undefined> {
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
