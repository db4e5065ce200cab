// `npm run bench [-- --only NAME] [-- --quick]`: runs the benchmarks below and prints markdown for
// docs/benchmarks.md. Timings are only ever reported here; tests never assert them.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { type BenchOutput, runApiWrites } from './api-writes.js';
import { runExtraction } from './extraction.js';
import { runIdentity } from './identity/index.js';
import { runInlineResolution } from './identity/inline.js';
import { runRouting } from './routing/index.js';
import { runVoice } from './voice/index.js';
import { runVoicePrompts } from './voice-prompts.js';
import { runWebhookIngest } from './webhook-ingest.js';

interface BenchOptions {
  quick: boolean;
  log: (line: string) => void;
}

const BENCHMARKS: { name: string; run: (opts: BenchOptions) => Promise<BenchOutput> }[] = [
  { name: 'api-writes', run: runApiWrites },
  { name: 'webhook-ingest', run: runWebhookIngest },
  { name: 'extraction', run: runExtraction },
  { name: 'identity', run: runIdentity },
  { name: 'identity-inline', run: runInlineResolution },
  { name: 'routing', run: runRouting },
  { name: 'voice', run: runVoice },
  { name: 'voice-prompts', run: runVoicePrompts },
];

const USAGE = `usage: npm run bench -- [--only NAME] [--quick]
  --only NAME  run one benchmark: ${BENCHMARKS.map((b) => b.name).join(', ')}
  --quick      short runs, to check that the benchmarks work (figures are not comparable)`;

function parse(): { only: string | undefined; quick: boolean } {
  try {
    const { values } = parseArgs({
      options: {
        only: { type: 'string' },
        quick: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    return { only: values.only, quick: values.quick };
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    process.exit(2);
  }
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

function machine(): string {
  const cpus = os.cpus();
  return [
    '## Machine',
    '',
    `- CPU: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} cores`,
    `- memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- Node ${process.version}, ${os.type()} ${os.release()} ${os.arch()}`,
    `- load average (1, 5, 15 min) at start: ${load()}; anything else running skews the figures`,
  ].join('\n');
}

const { only, quick } = parse();
const selected = BENCHMARKS.filter((b) => !only || b.name === only);
if (selected.length === 0) {
  console.error(`no benchmark named "${only}"\n${USAGE}`);
  process.exit(2);
}

// Progress and warnings go to stderr, so stdout is the markdown alone.
const log = (line: string) => process.stderr.write(`${line}\n`);
const problems: string[] = [];
console.log(
  `# Benchmarks (${new Date().toISOString().slice(0, 10)}${quick ? ', --quick' : ''})\n\n${machine()}\n`,
);
for (const bench of selected) {
  try {
    const out = await bench.run({ quick, log });
    console.log(`${out.markdown}\n`);
    problems.push(...out.problems);
  } catch (err) {
    problems.push(`${bench.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}
console.log(`Load average at the end: ${load()}.`);
if (problems.length > 0) {
  log(`\n!!!!!!!! ${problems.length} PROBLEM(S) — these figures are not valid:`);
  for (const p of problems) log(`  - ${p}`);
  process.exitCode = 1;
}
// Every benchmark closes what it opened; this only guards against a leaked handle keeping us alive.
setTimeout(() => {
  log('bench: something kept the process alive after the benchmarks finished; exiting');
  process.exit(process.exitCode ?? 0);
}, 5000).unref();
