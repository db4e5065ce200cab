// Calling the API as someone: `const call = caller(() => t)`, then
// `await call(auth, 'POST', url, payload)` gives `{ status, body }` (the body parsed when it is JSON).
import type { TestApp } from './app.js';

export interface Json {
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field in assertions
  [k: string]: any;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export function caller(t: () => TestApp) {
  return async (auth: string, method: Method, url: string, payload?: unknown) => {
    const res = await t().inject({
      method,
      url,
      headers: { authorization: auth },
      ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
    });
    const body = (res.body && String(res.headers['content-type']).includes('json') ? res.json() : {}) as Json;
    return { status: res.statusCode, body };
  };
}
