// `switchboard identity import FILE.jsonl --tenant SLUG`: a CRM import into the database, through
// the same service as POST /api/v1/customers/import, in chunks, with a progress bar on a terminal.
// `switchboard identity train --tenant SLUG`: estimate the tenant's matching model.
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { InvalidInput, systemActor } from '../core/index.js';
import { type ImportReport, importCustomers, trainIdentityModel } from '../identity/index.js';
import { tenantBySlug, withStore } from './store.js';

async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity }))
    if (line.trim()) n++;
  return n;
}

export function registerIdentityImport(identity: Command): void {
  identity
    .command('import')
    .description('Import contact records (JSON Lines) into a tenant: joined to existing customers or created')
    .argument('<file>', 'JSON Lines file, one contact record per line (the fields of `identity resolve`)')
    .option('-t, --tenant <slug>', 'tenant slug', 'default')
    .option('--chunk <n>', 'records per transaction batch', (v) => Number.parseInt(v, 10), 1000)
    .option('--results', 'print {"id","customerId","confidence"} per record on stdout')
    .action(async (file: string, opts: { tenant: string; chunk: number; results?: boolean }) => {
      if (!existsSync(file)) throw new InvalidInput(`no such file: ${file}`);
      if (!(opts.chunk >= 1 && opts.chunk <= 10_000)) throw new InvalidInput('--chunk must be 1 to 10000');
      const total = await countLines(file);
      // A bar for a person watching; a pipe or a log gets the summary and the errors alone.
      const bar = process.stderr.isTTY
        ? new SingleBar({
            format: 'importing [{bar}] {percentage}% | {value}/{total} records | {eta_formatted} left',
            stream: process.stderr,
            hideCursor: true,
          })
        : undefined;
      const sum: Omit<ImportReport, 'results' | 'skipped'> & { skipped: number } = {
        received: 0,
        created: 0,
        updated: 0,
        merged: 0,
        suggested: 0,
        skipped: 0,
      };
      await withStore(async (deps) => {
        const actor = systemActor(await tenantBySlug(deps, opts.tenant));
        bar?.start(total, 0);
        let chunk: { line: number; value: unknown }[] = [];
        const flush = async () => {
          if (chunk.length === 0) return;
          const report = await importCustomers(
            deps,
            actor,
            chunk.map((c) => c.value),
          );
          for (const s of report.skipped)
            process.stderr.write(
              `${bar ? '\n' : ''}${file}:${chunk[s.index]!.line}: skipped: ${s.message}\n`,
            );
          if (opts.results) for (const r of report.results) process.stdout.write(`${JSON.stringify(r)}\n`);
          sum.received += report.received;
          sum.created += report.created;
          sum.updated += report.updated;
          sum.merged += report.merged;
          sum.suggested += report.suggested;
          sum.skipped += report.skipped.length;
          bar?.increment(chunk.length);
          chunk = [];
        };
        let line = 0;
        for await (const text of createInterface({
          input: createReadStream(file, 'utf8'),
          crlfDelay: Infinity,
        })) {
          line++;
          if (!text.trim()) continue;
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch (err) {
            process.stderr.write(`${file}:${line}: skipped: ${(err as Error).message}\n`);
            sum.skipped++;
            bar?.increment(1);
            continue;
          }
          chunk.push({ line, value });
          if (chunk.length >= opts.chunk) await flush();
        }
        await flush();
        bar?.stop();
      });
      process.stderr.write(`${JSON.stringify(sum)}\n`);
      if (sum.skipped > 0) process.exitCode = 1;
    });

  identity
    .command('train')
    .description("Estimate the tenant's matching model (EM) on its customers and rebuild the blocking index")
    .option('-t, --tenant <slug>', 'tenant slug', 'default')
    .action(async (opts: { tenant: string }) => {
      const report = await withStore(async (deps) =>
        trainIdentityModel(deps, systemActor(await tenantBySlug(deps, opts.tenant))),
      );
      process.stdout.write(`${JSON.stringify(report)}\n`);
    });
}
