// Shared steps of the agent workspace tests (test/workspace-*.test.ts): calling the API as someone
// (from ./api.js), adding staff, and opening sockets that record the frames they receive.
import type { WebSocket } from 'ws';
import type { Json } from './api.js';
import type { TestApp } from './app.js';

export { caller, type Json, type Method } from './api.js';

/** A user of the owner's tenant, signed in. */
export async function addStaff(
  t: TestApp,
  ownerAuth: string,
  user: { email: string; role: 'agent' | 'supervisor' | 'admin'; displayName: string },
): Promise<{ id: string; auth: string }> {
  const password = 'staff password 1';
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: { authorization: ownerAuth },
    payload: { ...user, password },
  });
  if (res.statusCode !== 201) throw new Error(`user ${user.email}: ${res.statusCode} ${res.body}`);
  return { id: res.json().id, auth: await t.login(user.email, password) };
}

export interface Recorded {
  ws: WebSocket;
  frames: Json[];
}

/** A WebSocket on the app (no port), recording every frame it gets from the start. */
export async function openSocket(
  t: TestApp,
  url: string,
  headers: Record<string, string> = {},
): Promise<Recorded> {
  const frames: Json[] = [];
  const ws = await t.sb.server.app.injectWS(
    url,
    { headers },
    { onInit: (s) => s.on('message', (d) => frames.push(JSON.parse(String(d)))) },
  );
  return { ws, frames };
}

/** A signed-in /ws subscriber. */
export async function openEvents(t: TestApp, auth: string): Promise<Recorded> {
  return openSocket(t, `/ws?access_token=${auth.slice('Bearer '.length)}`);
}

/** A 1×1 PNG a browser can decode. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
