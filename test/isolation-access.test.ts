// Access control on every /api/v1 route: one of tenant A's agents gets 403 on each route that needs a
// higher role (before its body is validated), and a request without a token gets 401 (login aside).
import { expect, it } from 'vitest';
import { call, describeIsolation } from './support/isolation-fixtures.js';

describeIsolation((env) => {
  it('an agent gets 403 on every route that needs a higher role, before the body is looked at', async () => {
    const { t, a, agentAuth } = env;
    const higher = t.sb.server.routes.filter(
      (r) => r.url.startsWith('/api/v1') && r.access && !['agent', 'public'].includes(r.access),
    );
    expect(higher.length).toBeGreaterThan(15);
    for (const route of higher) {
      const url = route.url.replace(/:([A-Za-z]+)/g, a.user);
      const res = await call(
        t,
        agentAuth,
        route.method,
        url,
        ['GET', 'DELETE'].includes(route.method) ? undefined : {},
      );
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(403);
    }
  });

  it('every /api/v1 route but login answers 401 without a token', async () => {
    const { t, a } = env;
    for (const route of t.sb.server.routes.filter(
      (r) => r.url.startsWith('/api/v1') && r.access !== 'public',
    )) {
      const url = route.url.replace(/:([A-Za-z]+)/g, a.user);
      const res = await t.inject({ method: route.method as 'GET', url });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
    }
  });
});
