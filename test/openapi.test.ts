import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';

describe('the OpenAPI document', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite');
  });
  afterAll(() => t.close());

  it('is valid OpenAPI 3 by the official JSON schema', async () => {
    const res = await t.inject({ url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lists every /api/v1 route with its request and response schemas and security', async () => {
    const doc = (await t.inject({ url: '/api/openapi.json' })).json();
    const routes = t.sb.server.routes.filter((r) => r.url.startsWith('/api/v1'));
    expect(routes.length).toBeGreaterThan(20);
    for (const route of routes) {
      const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
      const op = doc.paths?.[path]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.url} is missing from the document`).toBeDefined();
      expect(
        Object.keys(op.responses ?? {}),
        `${route.method} ${route.url} has no responses`,
      ).not.toHaveLength(0);
      const success = Object.keys(op.responses).find((s) => s.startsWith('2'));
      expect(success, `${route.method} ${route.url} has no success response`).toBeDefined();
      if (['POST', 'PUT', 'PATCH'].includes(route.method)) {
        expect(op.requestBody, `${route.method} ${route.url} has no request body schema`).toBeDefined();
      }
      if (route.access !== 'public') expect(op.security).toEqual([{ bearerAuth: [] }]);
      if (path.includes('{')) expect(op.parameters?.length ?? 0).toBeGreaterThan(0);
    }
  });

  it('serves browsable docs at /api/docs', async () => {
    const res = await t.inject({ url: '/api/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('swagger');
  });
});
