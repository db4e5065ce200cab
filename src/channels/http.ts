import type { AdapterCache, HttpClient, RealtimePush, SendContext } from './contract.js';

/** The adapters' HTTP: fetch with a timeout, so one slow provider cannot hold a sender forever. */
export function createHttpClient(timeoutMs = 15_000): HttpClient {
  return {
    async request(url, init) {
      const res = await fetch(url, {
        method: init.method,
        headers: init.headers,
        body: init.body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        headers[k] = v;
      });
      return { status: res.status, headers, body: await res.text() };
    },
  };
}

export function memoryCache(): AdapterCache {
  const m = new Map<string, { value: string; expiresAt: number }>();
  return {
    get: (k) => m.get(k),
    set: (k, value, expiresAt) => void m.set(k, { value, expiresAt }),
    delete: (k) => void m.delete(k),
  };
}

/** One cache per channel, kept for the life of the process (access tokens survive between sends). */
export function sendContexts(
  http: HttpClient = createHttpClient(),
  realtime?: RealtimePush,
): (channelId: string) => SendContext {
  const caches = new Map<string, AdapterCache>();
  return (channelId) => {
    let cache = caches.get(channelId);
    if (!cache) {
      cache = memoryCache();
      caches.set(channelId, cache);
    }
    return { http, cache, now: () => Date.now(), channelId, ...(realtime && { realtime }) };
  };
}
