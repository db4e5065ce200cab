// `switchboard identity resolve FILE.jsonl`: batch identity resolution for imports, with the
// engine and settings of the live path and no database.
import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { InvalidInput } from '../core/index.js';
import {
  type ContactRecord,
  DEFAULT_SETTINGS,
  type MatchSettings,
  parseContactRecord,
  parseMatchSettings,
  resolveRecords,
} from '../identity/match/index.js';
import { registerIdentityImport } from './identity-import.js';

const HELP = `
Input: one JSON object per line with any of the fields id (required), name, phone, email, deviceId,
wechatOpenId, wechatUnionId, whatsapp, telegramId, birthDate, city, identifiers ({kind: value});
other fields (such as channel) are ignored. Blank lines are skipped.

Output (stdout): one line per valid record, in input order:
  {"id": …, "customerId": …, "confidence": …}
customerId is the smallest record id of the customer's records, so it does not depend on the order
of the file. A malformed line (bad JSON, no id, a repeated id) is reported on stderr with its line
number and skipped.

--tenant-config FILE: a JSON object with any of defaultRegion ("CN"), gmailDots, plusTags,
upper and lower (posterior thresholds for merging and for review), identifierTrust
({"phone": "weak", "email": "strong", …}).

Exit status: 0 when every line was resolved; 1 when some lines were malformed (every other line
was still resolved and printed); 2 when the file or the tenant config cannot be used.`;

async function loadSettings(file: string | undefined): Promise<MatchSettings> {
  if (!file) return DEFAULT_SETTINGS;
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new InvalidInput(`cannot read the tenant config ${file}: ${(err as Error).message}`);
  }
  return parseMatchSettings(raw);
}

interface ReadResult {
  records: ContactRecord[];
  malformed: number;
}

async function readRecords(file: string, progress: (n: number) => void): Promise<ReadResult> {
  const records: ContactRecord[] = [];
  const firstLine = new Map<string, number>();
  let malformed = 0;
  let lineNo = 0;
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    try {
      const r = parseContactRecord(JSON.parse(line));
      const seen = firstLine.get(r.id);
      if (seen !== undefined)
        throw new InvalidInput(`id ${JSON.stringify(r.id)} already appeared on line ${seen}`);
      firstLine.set(r.id, lineNo);
      records.push(r);
    } catch (err) {
      malformed++;
      process.stderr.write(`${file}:${lineNo}: skipped: ${(err as Error).message}\n`);
    }
    if (lineNo % 10_000 === 0) progress(lineNo);
  }
  return { records, malformed };
}

/** Writes lines in chunks and waits for the pipe to drain: output memory stays bounded. */
async function writeLines(lines: Iterable<string>): Promise<void> {
  let chunk = '';
  const flush = async () => {
    if (chunk === '') return;
    const ok = process.stdout.write(chunk);
    chunk = '';
    if (!ok) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  };
  for (const l of lines) {
    chunk += `${l}\n`;
    if (chunk.length > 64 * 1024) await flush();
  }
  await flush();
}

export function registerIdentity(program: Command): void {
  const identity = program.command('identity').description('Customer identity resolution');
  identity
    .command('resolve')
    .description('Resolve contact records (JSON Lines) into customers; no database needed')
    .argument('<file>', 'JSON Lines file, one contact record per line')
    .option('--tenant-config <file>', 'JSON file with the tenant matching settings')
    .addHelpText('after', HELP)
    .action(async (file: string, opts: { tenantConfig?: string }) => {
      if (!existsSync(file)) throw new InvalidInput(`no such file: ${file}`);
      const settings = await loadSettings(opts.tenantConfig);
      // Progress only for a person watching: a pipe or a log gets the result and the errors alone.
      const tty = process.stderr.isTTY === true;
      const progress = (text: string) => tty && process.stderr.write(`\r\x1b[K${text}`);
      const { records, malformed } = await readRecords(file, (n) => progress(`read ${n} lines`));
      progress(`matching ${records.length} records…`);
      const res = resolveRecords(records, settings);
      progress('');
      await writeLines(
        (function* () {
          for (const a of res.assignments)
            yield JSON.stringify({
              id: a.id,
              customerId: a.customerId,
              confidence: Number(a.confidence.toFixed(4)),
            });
        })(),
      );
      const customers = new Set(res.assignments.map((a) => a.customerId)).size;
      process.stderr.write(
        `${records.length} records, ${customers} customers, ${res.review.length} pairs for review` +
          `${malformed ? `, ${malformed} malformed lines skipped` : ''}\n`,
      );
      if (malformed > 0) process.exitCode = 1;
    });
  registerIdentityImport(identity);
}
