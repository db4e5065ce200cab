// The voice benchmark's two measurements against any Target: call setups at one offered rate, and
// N calls held up while the media timer's lateness is recorded.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { freeMediaPort, type SippResult, sippArgs, startSipp } from './sipp.js';
import type { QueueCounts, Target } from './target.js';

export interface Lateness {
  p50: number;
  p99: number;
  max: number;
}

export interface SetupRow {
  target: string;
  offered: number;
  calls: number;
  ok: number;
  failed: number;
  retransmissions: number;
  /** INVITE sent → 200 received, ms. */
  p50: number;
  p99: number;
  /** Through the IVR: what this step's calls put in the queue (and prompts synthesized for them). */
  queued: QueueCounts | undefined;
  /** The server had not finished the step's work 90 s after its last call. */
  unsettled: boolean;
  cpu: number | undefined;
  lateness: Lateness | undefined;
  /** How late the main thread's event loop ran (SIP, HTTP, the database on PGlite), ms. */
  loop: LoopDelay;
}

export interface HoldRow {
  target: string;
  /** The main thread was kept busy this long every 200 ms (a slow query, a big JSON body …). */
  stallMs: number;
  wanted: number;
  /** Calls a second while ramping up. */
  rampRate: number;
  reached: number;
  failed: number;
  lateness: (Lateness & { count: number; overPeriod: number }) | undefined;
  sentPerSecond: number | undefined;
  receivedPerSecond: number | undefined;
  cpu: number | undefined;
  loop: LoopDelay;
}

export interface LoopDelay {
  p99: number;
  max: number;
}

/** Event-loop delay of the main thread from now until the returned function is called. */
function loopMeter(): () => LoopDelay {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  return () => {
    h.disable();
    return { p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

const num = (r: SippResult, key: string) => Number(r.stats?.[key] ?? Number.NaN);

/** CPU of this process (the server under test) as a share of one core since the call. */
function cpuMeter(): () => number {
  const start = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000 / (performance.now() - t0);
  };
}

function difference(after: QueueCounts, before: QueueCounts): QueueCounts {
  return {
    tasks: after.tasks - before.tasks,
    queuedEvents: after.queuedEvents - before.queuedEvents,
    customers: after.customers - before.customers,
    synthesized: after.synthesized - before.synthesized,
  };
}

/** `rate` calls a second for `seconds`, each held `callMs`; then waits for the server to settle. */
export async function measureSetups(
  target: Target,
  rate: number,
  seconds: number,
  callMs: number,
): Promise<SetupRow> {
  const calls = Math.round(rate * seconds);
  const mediaPort = await freeMediaPort();
  const before = await target.counts?.();
  await target.voice?.media.resetTimerStats();
  const cpu = cpuMeter();
  const loop = loopMeter();
  const sipp = startSipp(
    sippArgs(`127.0.0.1:${target.port}`, mediaPort, [
      ...target.scenario(calls),
      '-rtp_echo',
      '-r',
      String(rate),
      '-m',
      String(calls),
      '-d',
      String(callMs),
      '-trace_stat',
      '-fd',
      '1',
      '-trace_rtt',
      '-rtt_freq',
      '1',
      '-timeout',
      `${seconds + callMs / 1000 + 30}s`,
    ]),
    { timeoutMs: (seconds + callMs / 1000 + 60) * 1000 },
  );
  const result = await sipp.done;
  const timer = (await target.voice?.media.stats())?.timer;
  const cpuShare = target.voice ? cpu() : undefined;
  const loopDelay = loop();
  // Calls that hung up may still be finishing in the server (the abandoned task, the last events).
  const settled = (await target.settle?.()) ?? true;
  const after = await target.counts?.();
  return {
    target: target.label,
    offered: rate,
    calls,
    ok: num(result, 'SuccessfulCall(C)'),
    failed: num(result, 'FailedCall(C)'),
    retransmissions: num(result, 'Retransmissions(C)'),
    p50: quantile(result.rtt, 0.5),
    p99: quantile(result.rtt, 0.99),
    queued: before && after ? difference(after, before) : undefined,
    unsettled: !settled,
    cpu: cpuShare,
    lateness: timer && { p50: timer.p50, p99: timer.p99, max: timer.max },
    loop: loopDelay,
  };
}

/** Keeps the main thread busy `ms` out of every `everyMs`, like a slow synchronous query would. */
function stallMainThread(ms: number, everyMs: number): () => void {
  if (ms <= 0) return () => {};
  const timer = setInterval(() => {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // busy
    }
  }, everyMs);
  return () => clearInterval(timer);
}

/** Ramps to `wanted` calls at the target's ramp rate, then measures `holdSeconds` with all of them up. */
export async function measureHold(
  target: Target,
  wanted: number,
  holdSeconds: number,
  log: (line: string) => void,
  stallMs = 0,
): Promise<HoldRow> {
  const ramp = wanted / target.rampRate;
  // Slack for the IVR's prompt before a call reaches the queue.
  const callMs = Math.round((ramp + holdSeconds + 10) * 1000);
  const mediaPort = await freeMediaPort();
  const sipp = startSipp(
    sippArgs(`127.0.0.1:${target.port}`, mediaPort, [
      ...target.scenario(wanted),
      '-rtp_echo',
      '-r',
      String(target.rampRate),
      '-l',
      String(wanted),
      '-m',
      String(wanted),
      '-d',
      String(callMs),
      '-trace_stat',
      '-fd',
      '1',
      '-timeout',
      `${Math.ceil(callMs / 1000) + 60}s`,
    ]),
    { timeoutMs: (callMs / 1000 + 90) * 1000 },
  );
  // Ramp: wait until every call is up (or the ramp plainly stalled).
  const rampEnd = performance.now() + (ramp + 10) * 1000;
  while (target.voice && target.active() < wanted && performance.now() < rampEnd) await sleep(200);
  await sleep(1000);
  const reached = target.voice ? target.active() : wanted;
  log(
    `  voice: ${target.label}: ${reached} calls up, measuring ${holdSeconds} s${stallMs ? `, main thread busy ${stallMs} ms in 200` : ''}`,
  );
  const before = await target.voice?.media.stats();
  await target.voice?.media.resetTimerStats();
  const cpu = cpuMeter();
  const loop = loopMeter();
  const t0 = performance.now();
  const unstall = stallMainThread(stallMs, 200);
  await sleep(holdSeconds * 1000);
  unstall();
  const seconds = (performance.now() - t0) / 1000;
  const after = await target.voice?.media.stats();
  const cpuShare = target.voice ? cpu() : undefined;
  const loopDelay = loop();
  const result = await sipp.done;
  await target.settle?.();
  const timer = after?.timer;
  return {
    target: target.label,
    stallMs,
    wanted,
    rampRate: target.rampRate,
    reached: target.voice ? reached : num(result, 'SuccessfulCall(C)'),
    failed: num(result, 'FailedCall(C)'),
    lateness: timer && {
      p50: timer.p50,
      p99: timer.p99,
      max: timer.max,
      count: timer.count,
      overPeriod: timer.overPeriod,
    },
    sentPerSecond: before && after ? (after.packetsSent - before.packetsSent) / seconds : undefined,
    receivedPerSecond:
      before && after ? (after.packetsReceived - before.packetsReceived) / seconds : undefined,
    cpu: cpuShare,
    loop: loopDelay,
  };
}
