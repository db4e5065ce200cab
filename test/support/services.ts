import net from 'node:net';

/**
 * Tests that need a real server call `serviceAvailable` in their describe block.
 * A missing server fails the test with a message naming it and how to start it, unless
 * SWITCHBOARD_SKIP_SERVICES=1, in which case the tests are reported as skipped.
 */
export const SERVICES = {
  postgres: {
    url: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    host: '127.0.0.1',
    port: 5432,
    start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  },
  nats: {
    url: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
    host: '127.0.0.1',
    port: 4222,
    start:
      'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server',
  },
} as const;

export type ServiceName = keyof typeof SERVICES;

function reachable(host: string, port: number, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export const skipServices = process.env.SWITCHBOARD_SKIP_SERVICES === '1';

/**
 * Returns true when the service is up; false only when SWITCHBOARD_SKIP_SERVICES=1 and it is down
 * (callers then `describe.skipIf`). Otherwise a down service throws a clear error.
 */
export async function serviceAvailable(name: ServiceName): Promise<boolean> {
  const s = SERVICES[name];
  if (await reachable(s.host, s.port)) return true;
  if (skipServices) return false;
  throw new Error(
    `${name} is not reachable on ${s.host}:${s.port}. Start it with: ${s.start}  ` +
      '(or set SWITCHBOARD_SKIP_SERVICES=1 to skip these tests)',
  );
}
