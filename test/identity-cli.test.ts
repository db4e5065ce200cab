import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliRun, runCli } from './support/server-process.js';

const dir = mkdtempSync('/tmp/sb-identity-cli-');

type Run = CliRun;

const cli = (...args: string[]): Promise<Run> => runCli(args);

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('switchboard identity resolve', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves every good line, reports a malformed one by line number, and exits 1', async () => {
    const input = file(
      'contacts.jsonl',
      [
        JSON.stringify({ id: 'c2', channel: 'voice', name: '张伟', phone: '+86 138 0013 8000' }),
        JSON.stringify({ id: 'c1', channel: 'app', name: 'Zhang Wei', phone: '0086-13800138000' }),
        '{"id": "c3", "name": ',
        '',
        JSON.stringify({ id: 'c4', name: '李娜', phone: '(138) 0013-8000' }),
        JSON.stringify({ id: 'c5', wechatUnionId: 'oU1', email: 'Zhang.Wei@GMAIL.com' }),
        JSON.stringify({ id: 'c6', wechatUnionId: 'oU1', name: '張偉', phone: '13800138000' }),
      ].join('\n'),
    );
    const run = await cli('identity', 'resolve', input);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/contacts\.jsonl:3: skipped/);
    const out = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; customerId: string; confidence: number });
    expect(out.map((o) => o.id)).toEqual(['c2', 'c1', 'c4', 'c5', 'c6']);
    const customer = Object.fromEntries(out.map((o) => [o.id, o.customerId]));
    // One person across phone formats, scripts and WeChat; the household member with another name stays apart.
    expect([customer.c1, customer.c2, customer.c5, customer.c6]).toEqual(['c1', 'c1', 'c1', 'c1']);
    expect(customer.c4).toBe('c4');
    for (const o of out) expect(o.confidence).toBeGreaterThanOrEqual(0);
  });

  it('exits 0 when every line is good, and honours the tenant config', async () => {
    const input = file('ok.jsonl', `${JSON.stringify({ id: 'a', phone: '5551234567' })}\n`);
    const config = file('tenant.json', JSON.stringify({ defaultRegion: 'US' }));
    const run = await cli('identity', 'resolve', input, '--tenant-config', config);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ id: 'a', customerId: 'a', confidence: 1 });
  });

  it('exits 2 on a tenant config it cannot use, and on a missing file', async () => {
    const input = file('one.jsonl', '{"id":"a"}\n');
    const bad = file('bad.json', JSON.stringify({ upper: 7 }));
    expect((await cli('identity', 'resolve', input, '--tenant-config', bad)).code).toBe(2);
    expect((await cli('identity', 'resolve', path.join(dir, 'absent.jsonl'))).code).toBe(2);
  });

  it('documents its exit codes in --help', async () => {
    const run = await cli('identity', 'resolve', '--help');
    expect(run.stdout).toMatch(/Exit status: 0 .*; 1 when some lines were malformed/s);
  });
});

describe('switchboard identity import and train', () => {
  const dataDir = mkdtempSync('/tmp/sb-identity-import-');
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  delete env.DATABASE_URL;
  const run = (...args: string[]): Promise<Run> => runCli(args, env);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('imports a file into a tenant in chunks, reports bad lines by number, and a second run creates nobody', async () => {
    const added = await run(
      'tenant',
      'add',
      '-s',
      'acme',
      '-n',
      'Acme',
      '--owner-email',
      'o@acme.test',
      '--owner-password',
      'owner pass 1',
    );
    expect(added.code, added.stderr).toBe(0);
    const lines = Array.from({ length: 25 }, (_, k) =>
      JSON.stringify({
        id: `r${k}`,
        name: ['王', '李', '张', '刘', '陈'][k % 5]! + ['伟', '芳', '娜', '敏', '静'][Math.floor(k / 5)]!,
        phone: `+86 139 ${String(10_000_000 + k * 379_721).slice(0, 8)}`,
      }),
    );
    lines.splice(5, 0, '{"id": "broken", ');
    lines.push(
      JSON.stringify({
        id: 'dup-of-r3',
        name: 'Liu Wei',
        phone: `0086-139${String(10_000_000 + 3 * 379_721).slice(0, 8)}`,
      }),
    );
    const input = path.join(dataDir, 'crm.jsonl');
    writeFileSync(input, lines.join('\n'));
    const first = await run('identity', 'import', input, '--tenant', 'acme', '--chunk', '10', '--results');
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/crm\.jsonl:6: skipped/);
    const summary = JSON.parse(first.stderr.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({ received: 26, created: 25, skipped: 1 });
    const results = first.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const of = (id: string) => results.find((r) => r.id === id).customerId;
    expect(of('dup-of-r3')).toBe(of('r3'));

    const second = await run('identity', 'import', input, '--tenant', 'acme');
    expect(JSON.parse(second.stderr.trim().split('\n').at(-1)!)).toMatchObject({ created: 0, updated: 25 });
    const train = await run('identity', 'train', '--tenant', 'acme');
    expect(train.code).toBe(2);
    expect(train.stderr).toMatch(/at least 100 customers/);
  }, 120_000);
});
