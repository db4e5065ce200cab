import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSwitchboard, type Switchboard } from '../src/app.js';
import { createNatsBus, type EventBus } from '../src/bus/index.js';
import { loadConfig } from '../src/config.js';
import { newId } from '../src/core/index.js';
import { freshSchema, OWNER, TEST_MASTER_KEY } from './support/app.js';
import { SERVICES, serviceAvailable } from './support/services.js';
import { waitFor } from './support/wait.js';

const ready = (await serviceAvailable('postgres')) && (await serviceAvailable('nats'));

/** Two Switchboard processes (here: two instances) on one PostgreSQL and one NATS JetStream. */
describe.skipIf(!ready)('two nodes sharing PostgreSQL and NATS', () => {
  const prefix = `sbtest_${newId().replaceAll('-', '').slice(-10)}`;
  const nodes: Switchboard[] = [];
  const buses: EventBus[] = [];
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const fresh = await freshSchema();
    drop = fresh.drop;
    const config = loadConfig(
      {
        SWITCHBOARD_ADMIN_EMAIL: OWNER.email,
        SWITCHBOARD_ADMIN_PASSWORD: OWNER.password,
        SWITCHBOARD_JWT_SECRET: 'cluster-secret-cluster-secret-cluster-secret',
        SWITCHBOARD_MASTER_KEY: TEST_MASTER_KEY,
      },
      { databaseUrl: SERVICES.postgres.url, port: 0, host: '127.0.0.1', smtpPort: 0, smtpHost: '127.0.0.1' },
    );
    for (let i = 0; i < 2; i++) {
      const bus = await createNatsBus({
        url: SERVICES.nats.url,
        stream: prefix.toUpperCase(),
        subjectPrefix: prefix,
      });
      buses.push(bus);
      nodes.push(
        await createSwitchboard(config, { logger: pino({ level: 'silent' }), schema: fresh.schema, bus }),
      );
    }
  });

  afterAll(async () => {
    for (const n of nodes) await n.close();
    const { connect } = await import('@nats-io/transport-node');
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const nc = await connect({ servers: SERVICES.nats.url });
    await (await jetstreamManager(nc)).streams.delete(prefix.toUpperCase()).catch(() => undefined);
    await nc.close();
    for (const b of buses) await b.close();
    await drop?.();
  });

  it('a token from one node works on the other, and a write on one reaches a socket on the other once', async () => {
    const [a, b] = nodes as [Switchboard, Switchboard];
    const login = await a.server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: OWNER });
    const token = login.json().token as string;

    const ws = await b.server.app.injectWS(`/ws?access_token=${token}`);
    const frames: { type: string; event?: { type: string; payload: { email?: string } } }[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d))));
    await waitFor(() => frames.some((f) => f.type === 'ready'));

    const emails = Array.from({ length: 20 }, (_, i) => `node-${i}@acme.test`);
    await Promise.all(
      emails.map((email, i) =>
        (i % 2 ? a : b).server.app.inject({
          method: 'POST',
          url: '/api/v1/users',
          headers: { authorization: `Bearer ${token}` },
          payload: { email, password: 'cluster password', role: 'agent' },
        }),
      ),
    );
    const created = () =>
      frames.filter((f) => f.event?.type === 'user.created').map((f) => f.event?.payload.email);
    await waitFor(() => emails.every((e) => created().includes(e)));
    await a.ctx.outbox.flush();
    await b.ctx.outbox.flush();
    // Both relays ran over one outbox: still one delivery per event.
    expect(created().sort()).toEqual([...emails].sort());
    ws.terminate();
  });
});
