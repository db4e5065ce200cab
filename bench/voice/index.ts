// `npm run bench -- --only voice`: sipp (sip-tester) against the whole product — a call through the IVR
// into the queue — and, in the same run, against Switchboard's voice stack alone with a trivial handler
// and against a bare answerer built on the same `sip` package (no validation, media or call control).
// Two measurements:
//   setups  — INVITE with SDP, 200, ACK, -d ms of call, BYE at rising call rates; sipp echoes the RTP
//             it hears (the IVR's prompt and the queue's announcement and music, or a looped tone);
//   concurrency — calls ramped to N and held (in the queue, or answered), each carrying RTP both ways,
//             while the shared 20 ms media timer's lateness is recorded.
// Run alone: `node bin/run-ts.js bench/voice/index.ts [--quick]`.
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import type { BenchOutput } from '../api-writes.js';
import { IVR_NUMBER, IVR_PROMPT, postgresReachable, startIvrSwitchboard } from './ivr-target.js';
import { type HoldRow, type LoopDelay, measureHold, measureSetups, type SetupRow, sleep } from './measure.js';
import { sippAvailable, sippVersion } from './sipp.js';
import { SWITCHBOARD, startBare, startSwitchboard, type Target } from './target.js';

interface Options {
  quick: boolean;
  log: (line: string) => void;
}

/** The targets of issue #7, acceptance 4. */
const TARGET = { setupsPerSecond: 300, concurrent: 500, p99LatenessMs: 5 };
/** How long the main thread is kept busy out of every 200 ms in the last hold of each Switchboard. */
const STALL_MS = 30;

interface Plan {
  start: () => Promise<Target>;
  rates: number[];
  /** How long each call stays up in a setups step. */
  callMs: number;
  holds: number[];
  stall: number;
}

const f1 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(1));
const f2 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(2));
const pct = (x: number | undefined) => (x === undefined ? '–' : `${Math.round(x * 100)} %`);
const loop = (d: LoopDelay) => `${Math.round(d.p99)} / ${Math.round(d.max)}`;
const int = (x: number | undefined) =>
  x === undefined || Number.isNaN(x) ? '–' : Math.round(x).toLocaleString('en');

/** Every call set up, and (through the IVR) every one reached the queue. */
const clean = (r: SetupRow) =>
  r.failed === 0 &&
  r.ok === r.calls &&
  (r.queued === undefined || (r.queued.tasks === r.calls && r.queued.queuedEvents === r.calls));

function plans(quick: boolean, postgres: boolean): Plan[] {
  const rates = quick ? [50, 100] : [100, 200, 300, 400, 500, 600, 800, 1000];
  const ivrRates = quick ? [10, 20] : [10, 20, 50, 100, 150, 200, 300, 400];
  const holds = quick ? [100] : [500, 800];
  const ivrHolds = quick ? [50] : [500, 800];
  const ivr = (db: 'pglite' | 'postgres'): Plan => ({
    start: () => startIvrSwitchboard(db),
    rates: ivrRates,
    // The prompt is 2.4 s; then the queue's announcement and music.
    callMs: 5000,
    holds: ivrHolds,
    stall: 0,
  });
  return [
    ivr('pglite'),
    ...(postgres ? [ivr('postgres')] : []),
    { start: () => startSwitchboard('worker'), rates, callMs: 1000, holds, stall: STALL_MS },
    { start: () => startSwitchboard('inline'), rates: [], callMs: 1000, holds, stall: STALL_MS },
    { start: startBare, rates, callMs: 1000, holds, stall: 0 },
  ];
}

export async function runVoice(opts: Options): Promise<BenchOutput> {
  const problems: string[] = [];
  if (!sippAvailable())
    return { markdown: '## Voice\n\nsipp is not installed: skipped.', problems: ['voice: no sipp'] };
  const load = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ');
  const loadStart = load();
  const stepSeconds = opts.quick ? 3 : 10;
  const holdSeconds = opts.quick ? 5 : 15;
  const postgres = await postgresReachable();
  if (!postgres) opts.log('  voice: PostgreSQL is not reachable: the IVR plan runs on PGlite only');

  const setups: SetupRow[] = [];
  const held: HoldRow[] = [];
  const warnings: string[] = [];
  for (const plan of plans(opts.quick, postgres)) {
    let target: Target | undefined;
    try {
      target = await plan.start();
      for (const rate of plan.rates) {
        opts.log(`  voice: ${target.label}: ${rate} calls/s for ${stepSeconds} s`);
        const row = await measureSetups(target, rate, stepSeconds, plan.callMs);
        setups.push(row);
        await sleep(plan.callMs + 1000);
        // A rate that fails calls (or, through the IVR, leaves some out of the queue) is past the
        // limit; higher ones only fail more.
        if (!clean(row) || row.unsettled) break;
      }
      for (const n of plan.holds) {
        const row = await measureHold(target, n, holdSeconds, opts.log);
        held.push(row);
        await sleep(2000);
        if (row.failed > 0 || row.reached < n) break;
      }
      if (plan.stall > 0) {
        held.push(await measureHold(target, plan.holds[0]!, holdSeconds, opts.log, plan.stall));
        await sleep(2000);
      }
    } catch (err) {
      problems.push(
        `voice: ${target?.label ?? 'a target'} failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    } finally {
      for (const [message, count] of target?.warnings ?? [])
        warnings.push(`| ${target?.label} | ${message.replaceAll('|', '\\|')} | ${count} |`);
      await target?.close();
    }
  }
  const loadEnd = load();

  const ivrLabels = [...new Set(setups.map((r) => r.target).filter((l) => l.includes('IVR')))];
  const best = (label: (l: string) => boolean) =>
    Math.max(0, ...setups.filter((r) => label(r.target) && clean(r)).map((r) => r.offered));
  // The largest number of calls held with the timer inside the target (the target is about 500).
  const withinTarget = (label: (l: string) => boolean) =>
    held
      .filter(
        (h) =>
          label(h.target) &&
          h.stallMs === 0 &&
          h.failed === 0 &&
          (h.lateness?.p99 ?? 99) < TARGET.p99LatenessMs,
      )
      .sort((a, b) => b.reached - a.reached)[0];
  const verdict = (label: (l: string) => boolean, name: string) => {
    const sustained = best(label);
    const within = withinTarget(label);
    return (
      `${name}: highest rate with every call ok${name.includes('IVR') ? ' and in the queue' : ''}: ${sustained}/s ` +
      `(${sustained >= TARGET.setupsPerSecond ? 'met' : 'missed'}); ` +
      `${within ? `${within.reached} calls held at timer p99 ${f2(within.lateness?.p99)} ms` : 'no hold within the timer target'} ` +
      `(${within && within.reached >= TARGET.concurrent ? 'met' : 'missed'}).`
    );
  };
  const lines = [
    '## Voice (issue #7, acceptance 4)',
    '',
    `\`bench/voice/\` (\`npm run bench -- --only voice\`), ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC,`,
    `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), load average (1/5/15 min) ${loadStart} at start,`,
    `${loadEnd} at the end. ${sippVersion()} and the server under test share the machine; the server runs in the`,
    'benchmark process. CPU is the server process (all its threads), as a share of one core.',
    '',
    `- **Switchboard, IVR → queue** rows run the whole product (\`createSwitchboard\`: database, routing, voice`,
    `  centre; ${postgres ? 'on PGlite on disk, and on PostgreSQL in a fresh schema' : 'on PGlite on disk'}). sipp dials ${IVR_NUMBER} from a new`,
    `  number per call (+86138…, \`bench/voice/caller-ivr.xml\`), so every call resolves a new customer; the`,
    `  number's flow plays "${IVR_PROMPT}" (synthesized once, before the run) and enqueues to a queue with no`,
    '  agents; the call waits there with the position announcement (synthesized per distinct text) and music,',
    '  and hangs up after -d (abandoned). Per step: "new customers" the customers the calls made, "queued"',
    '  the routing tasks created and the `call.queued` events (the voice centre took the call), "synth." the',
    '  prompts synthesized.',
    '- **Switchboard** rows are the voice stack alone: every call answered and a 440 Hz tone looped as',
    '  G.711 µ-law RTP, no database. It runs its media in a worker thread (the default); the same holds are',
    '  repeated with the media on the main thread, and each ends with the main thread kept busy 30 ms in',
    '  every 200 ms (as a slow synchronous query or a large JSON body would) to show what the worker is for.',
    '- **bare `sip` answerer** is the `sip` package alone (200 with a fixed SDP, no RTP).',
    '',
    'sipp echoes what it hears (`-rtp_echo`), so each Switchboard call carries RTP both ways.',
    '',
    `### Call setups (${stepSeconds} s per rate; calls of 5 s through the IVR, 1 s otherwise)`,
    '',
    '| server | offered calls/s | calls | ok | failed | retrans. | INVITE→200 p50 ms | p99 ms | new customers | queued (tasks / call.queued) | synth. | server CPU | main loop p99 / max ms | timer p99 ms | timer max ms |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...setups.map(
      (r) =>
        `| ${r.target} | ${r.offered} | ${int(r.calls)} | ${int(r.ok)} | ${int(r.failed)} | ${int(r.retransmissions)} | ${f1(r.p50)} | ${f1(r.p99)} | ${int(r.queued?.customers)} | ${r.queued ? `${int(r.queued.tasks)} / ${int(r.queued.queuedEvents)}${r.unsettled ? ' (unsettled)' : ''}` : '–'} | ${r.queued ? int(r.queued.synthesized) : '–'} | ${pct(r.cpu)} | ${loop(r.loop)} | ${f2(r.lateness?.p99)} | ${f1(r.lateness?.max)} |`,
    ),
    '',
    `### Concurrent calls carrying RTP (ramped, then ${holdSeconds} s measured)`,
    '',
    'Through the IVR, "calls up" are calls waiting in the queue, ramped no faster than that plan set calls',
    'up above; otherwise answered calls.',
    '',
    '| server | main thread busy | ramp calls/s | calls wanted | calls up | failed | timer p50 ms | timer p99 ms | timer max ms | ticks > 20 ms | RTP out/s | RTP in/s | server CPU | main loop p99 / max ms |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...held.map(
      (h) =>
        `| ${h.target} | ${h.stallMs ? `${h.stallMs} ms in 200` : '–'} | ${h.rampRate} | ${h.wanted} | ${int(h.reached)} | ${int(h.failed)} | ${f2(h.lateness?.p50)} | ${f2(h.lateness?.p99)} | ${f1(h.lateness?.max)} | ${h.lateness ? `${h.lateness.overPeriod} of ${h.lateness.count}` : '–'} | ${int(h.sentPerSecond)} | ${int(h.receivedPerSecond)} | ${pct(h.cpu)} | ${loop(h.loop)} |`,
    ),
    '',
    `Targets (≥ ${TARGET.setupsPerSecond} call setups/s; ≥ ${TARGET.concurrent} concurrent calls with timer p99 < ${TARGET.p99LatenessMs} ms):`,
    ...ivrLabels.map((label) => `- ${verdict((l) => l === label, label)}`),
    `- ${verdict((l) => l === SWITCHBOARD, SWITCHBOARD)}`,
    ...(warnings.length > 0
      ? ['', 'Warnings the server logged:', '', '| server | message | count |', '|---|---|--:|', ...warnings]
      : []),
  ];
  return { markdown: lines.join('\n'), problems };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await runVoice({
    quick: process.argv.includes('--quick'),
    log: (l) => process.stderr.write(`${l}\n`),
  });
  console.log(out.markdown);
  for (const p of out.problems) console.error(p);
  process.exit(out.problems.length > 0 ? 1 : 0);
}
