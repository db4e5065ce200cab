import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, type ServerProcess, startServer } from './support/server-process.js';

const run = promisify(execFile);
const dataDir = mkdtempSync('/tmp/sb-cli-');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATA_DIR: dataDir,
  LOG_LEVEL: 'info',
  PORT: '0',
  HOST: '127.0.0.1',
  SMTP_PORT: '0',
};
delete env.SWITCHBOARD_ADMIN_EMAIL;
delete env.SWITCHBOARD_ADMIN_PASSWORD;
delete env.DATABASE_URL;
delete env.NATS_URL;

function cli(...args: string[]) {
  return run(process.execPath, [BIN, ...args], { env, timeout: 60_000 });
}

type Started = ServerProcess;

const start = (): Promise<Started> => startServer(env);

describe('the switchboard command', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('--help lists the commands, and each has its own help', async () => {
    const { stdout } = await cli('--help');
    for (const c of ['start', 'migrate', 'user', 'tenant']) expect(stdout).toContain(c);
    const user = await cli('user', '--help');
    for (const c of ['add', 'list', 'passwd']) expect(user.stdout).toContain(c);
    const add = await cli('user', 'add', '--help');
    expect(add.stdout).toContain('--role');
  }, 120_000);

  it('starts on an empty data directory, prints a one-time owner password, and stops cleanly on SIGTERM', async () => {
    const s = await start();
    const password = s.output().match(/password: (\S+)/)?.[1];
    expect(password).toBeTruthy();
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    const login = await fetch(`${s.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@localhost', password }),
    });
    expect(login.status).toBe(200);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toContain('switchboard_http_request_duration_seconds');

    // A second process on the same PGlite directory refuses instead of corrupting it.
    const second = await cli('start').then(
      () => 'started',
      (err: { stderr: string }) => err.stderr,
    );
    expect(second).toContain('is in use by process');

    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.output()).toContain('stopped cleanly');
    expect(existsSync(path.join(dataDir, 'switchboard.pid'))).toBe(false);
  }, 120_000);

  it('manages tenants and users on the stopped database, and a restart sees them', async () => {
    await cli(
      'tenant',
      'add',
      '--slug',
      'globex',
      '--name',
      '环球公司',
      '--owner-email',
      'boss@globex.test',
      '--owner-password',
      'boss password 1',
    );
    const tenants = await cli('tenant', 'list');
    expect(tenants.stdout).toContain('globex');
    expect(tenants.stdout).toContain('环球公司');

    await cli(
      'user',
      'add',
      '-t',
      'globex',
      '-e',
      'Zhang.Wei@Globex.test',
      '-r',
      'supervisor',
      '-n',
      '张伟',
      '-p',
      'first password',
    );
    const dup = await cli(
      'user',
      'add',
      '-t',
      'globex',
      '-e',
      'zhang.wei@globex.test',
      '-p',
      'first password',
    ).then(
      () => 'ok',
      (err: { stderr: string; code: number }) => `${err.code} ${err.stderr}`,
    );
    expect(dup).toMatch(/^2 .*already exists/);
    const list = JSON.parse(
      (await cli('user', 'list', '-t', 'globex', '--json')).stdout.trim().split('\n').at(-1) as string,
    );
    expect(list).toMatchObject({ email: 'zhang.wei@globex.test', role: 'supervisor', displayName: '张伟' });
    await cli('user', 'passwd', 'zhang.wei@globex.test', '-p', 'second password');
    expect((await cli('migrate')).stdout).toContain('up to date');

    const s = await start();
    expect(s.output()).not.toContain('password:');
    const ok = await fetch(`${s.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'zhang.wei@globex.test', password: 'second password' }),
    });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { user: { role: string } }).user.role).toBe('supervisor');
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  }, 120_000);

  it('SIGTERM during a burst of writes: in-flight requests finish, nothing half-written, data intact', async () => {
    const s = await start();
    const login = await fetch(`${s.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'boss@globex.test', password: 'boss password 1' }),
    });
    const { token } = (await login.json()) as { token: string };
    const results = Array.from({ length: 30 }, (_, i) =>
      fetch(`${s.url}/api/v1/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ email: `burst-${i}@globex.test`, password: 'burst password', role: 'agent' }),
      }).then(
        (r) => r.status,
        () => 0,
      ),
    );
    const first = await Promise.race(results);
    s.child.kill('SIGTERM');
    const statuses = await Promise.all(results);
    expect(await s.exited, s.output().slice(-3000)).toBe(0);
    expect(first).toBe(201);
    // Each request either completed (201), or was refused while closing (503 / connection refused).
    for (const status of statuses) expect([0, 201, 503]).toContain(status);

    const list = await cli('user', 'list', '-t', 'globex', '--json');
    const emails = list.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { email: string }).email);
    const accepted = statuses.flatMap((st, i) => (st === 201 ? [`burst-${i}@globex.test`] : []));
    expect(emails.filter((e) => e.startsWith('burst-')).sort()).toEqual(accepted.sort());
  }, 120_000);
});
