import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_OWNER, seedDemo } from '../src/cli/seed.js';
import { startTestApp, type TestApp } from './support/app.js';
import { serviceAvailable } from './support/services.js';

const pgUp = await serviceAvailable('postgres');

for (const kind of ['pglite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !pgUp)(`seed --demo on ${kind}`, () => {
    let t: TestApp;
    let auth: string;
    beforeAll(async () => {
      t = await startTestApp(kind);
      await seedDemo(
        { db: t.sb.ctx.storage.db, outbox: t.sb.ctx.outbox, cipher: t.sb.ctx.cipher },
        'demo password',
      );
      auth = await t.login(DEMO_OWNER, 'demo password');
    });
    afterAll(() => t.close());

    const get = async (url: string) => {
      const res = await t.inject({ url, headers: { authorization: auth } });
      expect(res.statusCode, url).toBe(200);
      return res.json();
    };

    it('gives a new user a living system: staff, skills, queues, channels, customers, conversations', async () => {
      expect((await get('/api/v1/users?limit=200')).items).toHaveLength(11);
      expect((await get('/api/v1/skills')).items.length).toBeGreaterThanOrEqual(5);
      expect((await get('/api/v1/teams')).items).toHaveLength(3);
      const queues = (await get('/api/v1/queues')).items;
      expect(queues.map((q: { name: string }) => q.name)).toContain('VIP');
      expect((await get('/api/v1/channels')).items.length).toBeGreaterThanOrEqual(5);
      const customers = (await get('/api/v1/customers')).items;
      expect(customers.map((c: { displayName: string }) => c.displayName)).toContain('张伟');
      const conversations = (await get('/api/v1/conversations')).items;
      expect(conversations).toHaveLength(8);
      const statuses = new Set(conversations.map((c: { status: string }) => c.status));
      expect(statuses).toEqual(new Set(['open', 'pending', 'resolved']));
      const zhang = customers.find((c: { displayName: string }) => c.displayName === '张伟');
      const conv = conversations.find((c: { customerId: string }) => c.customerId === zhang.id);
      const messages = (await get(`/api/v1/conversations/${conv.id}/messages`)).items;
      expect(messages.map((m: { direction: string }) => m.direction)).toEqual(['in', 'out', 'in']);
      expect(conv.assigneeId).toBeTruthy();
    });

    it('gives the agent workspace disposition codes, canned responses in both languages, and office hours', async () => {
      const codes = (await get('/api/v1/disposition-codes')).items;
      expect(codes.map((c: { code: string }) => c.code)).toContain('refund_issued');
      expect(codes.every((c: { labels: Record<string, string> }) => c.labels.en && c.labels['zh-CN'])).toBe(
        true,
      );
      const zh = (await get('/api/v1/canned-responses?language=zh-CN')).items;
      const en = (await get('/api/v1/canned-responses?language=en')).items;
      expect(zh.map((c: { shortcut: string }) => c.shortcut)).toContain('refund');
      expect(en.map((c: { shortcut: string }) => c.shortcut)).toContain('refund-en');
      const hours = (await get('/api/v1/business-hours')).items;
      expect(hours).toHaveLength(1);
      const general = (await get('/api/v1/queues')).items.find((q: { name: string }) =>
        q.name.includes('General'),
      );
      expect(general.businessHoursId).toBe(hours[0].id);
    });

    it('demo agents can sign in and the channel secrets are masked', async () => {
      await t.login('wang.fang@demo.switchboard.test', 'demo password');
      const channels = (await get('/api/v1/channels')).items;
      expect(JSON.stringify(channels)).not.toContain('demo-not-a-real-secret');
    });

    it('refuses to seed twice and changes nothing', async () => {
      const before = (await get('/api/v1/users?limit=200')).items.length;
      await expect(
        seedDemo({ db: t.sb.ctx.storage.db, outbox: t.sb.ctx.outbox, cipher: t.sb.ctx.cipher }, 'x password'),
      ).rejects.toThrow(/already there/);
      expect((await get('/api/v1/users?limit=200')).items).toHaveLength(before);
    });
  });
}
