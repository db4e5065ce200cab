// Shared steps of the browser softphone tests (test/web-softphone*.test.ts): Chromium with a fake
// microphone, an agent signed in to /agent with their phone connected, and how much audio the page's
// softphone has received (its peer connection's inbound-rtp).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import enAgent from '../../web/app/src/locales/en/agent.json' with { type: 'json' };
import zhAgent from '../../web/app/src/locales/zh-CN/agent.json' with { type: 'json' };
import { newWorkspacePage, signIn } from './browser.js';
import { waitFor } from './wait.js';

/** Chromium switches: a fake microphone (a beep), allowed without asking. */
export const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

/** The agent workspace's strings, one language's. */
export type AgentStrings = typeof enAgent;

export interface AgentPage {
  id: string;
  auth: string;
  context: BrowserContext;
  page: Page;
  L: AgentStrings;
}

/** Frames with sound in them (not silence or comfort noise). */
export const loud = (pcm: Int16Array): boolean => pcm.some((s) => Math.abs(s) > 500);

/** Audio RTP packets the page's softphone has received (a string: it runs in the page). */
const INBOUND = `(async () => {
  const pc = window.__sbSoftphone && window.__sbSoftphone.pc;
  if (!pc) return -1;
  let packets = 0;
  (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') packets += s.packetsReceived; });
  return packets;
})()`;

export async function inbound(page: Page): Promise<number> {
  return (await page.evaluate(INBOUND)) as number;
}

/** Waits until the page's softphone has received `more` packets beyond what it has now. */
export async function inboundRises(page: Page, more = 50): Promise<void> {
  const before = await inbound(page);
  expect(before).toBeGreaterThanOrEqual(0);
  await waitFor(async () => (await inbound(page)) >= before + more);
}

/** Signs `who` in to /agent in `lang` and connects the phone with its button. */
export async function openSoftphone(
  browser: Browser,
  base: string,
  who: { id: string; auth: string },
  email: string,
  password: string,
  lang: 'zh-CN' | 'en',
): Promise<AgentPage> {
  const L = (lang === 'en' ? enAgent : zhAgent) as AgentStrings;
  const { context, page } = await newWorkspacePage(browser, lang);
  page.on('pageerror', (e) => console.log(`[softphone] ${lang} page error: ${e.message}`));
  await signIn(page, base, email, password, '/agent');
  const softphone = page.getByTestId('softphone');
  await softphone.waitFor();
  await softphone.getByRole('button', { name: L.phone.connect, exact: true }).click();
  await page.locator('[data-testid="softphone"][data-status="ready"]').waitFor();
  return { ...who, context, page, L };
}

/** An i18next template filled in (`{{name}}` → values.name). */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => values[k] ?? '');
}
