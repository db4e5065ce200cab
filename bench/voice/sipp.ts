// Running sipp (Debian `sip-tester`) as a child process: used by the voice benchmark and by the SIP
// tests (test/voice-*.test.ts), always bound to 127.0.0.1 on free ports.
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const SIPP = process.env.SIPP_BIN ?? '/usr/bin/sipp';
export const DTMF_PCAP = '/usr/share/sip-tester/dtmf_2833_1.pcap';

export function sippAvailable(): boolean {
  return existsSync(SIPP) && spawnSync(SIPP, ['-v'], { encoding: 'utf8' }).stdout.includes('SIPp');
}

/** "sipp 3.6.1" as the binary reports it. */
export function sippVersion(): string {
  const v = /SIPp v?([\d.]+)/.exec(spawnSync(SIPP, ['-v'], { encoding: 'utf8' }).stdout)?.[1];
  return v ? `sipp ${v}` : 'sipp';
}

export interface SippResult {
  /** 0: every call succeeded; 1: some failed; 97/99: sipp's own errors (see its man page). */
  code: number | null;
  output: string;
  /** Where sipp wrote its logs (`-trace_*` files). */
  dir: string;
  /** The last row of `-trace_stat`, when asked for. */
  stats: Record<string, string> | undefined;
  /** Every row of `-trace_stat`. */
  rows: Record<string, string>[];
  /** Response times (ms, whole) from `-trace_rtt -rtt_freq 1`: INVITE sent → 200 received. */
  rtt: number[];
}

export interface SippProcess {
  readonly pid: number | undefined;
  readonly done: Promise<SippResult>;
  /** SIGUSR1 asks sipp to stop placing calls and finish the open ones; SIGTERM ends it. */
  signal(signal: NodeJS.Signals): void;
}

/** Starts sipp with `args` (plus -nostdin and a log directory of its own). */
export function startSipp(args: string[], options: { timeoutMs?: number } = {}): SippProcess {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sipp-'));
  const child = spawn(SIPP, [...args, '-nostdin'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const done = new Promise<SippResult>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      const rows = readStats(dir);
      resolve({ code, output, dir, stats: rows.at(-1), rows, rtt: readRtt(dir) });
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, output: String(err), dir, stats: undefined, rows: [], rtt: [] });
    });
  });
  return { pid: child.pid, done, signal: (s) => child.kill(s) };
}

export function runSipp(args: string[], options: { timeoutMs?: number } = {}): Promise<SippResult> {
  return startSipp(args, options).done;
}

/** Rows of the `-trace_stat` CSV (semicolon-separated, header first). */
function readStats(dir: string): Record<string, string>[] {
  const file = readdirSync(dir).find((f) => f.endsWith('.csv') && !f.includes('_rtt'));
  if (!file) return [];
  const lines = readFileSync(path.join(dir, file), 'utf8').trim().split('\n');
  const header = (lines[0] ?? '').split(';');
  return lines.slice(1).map((line) => {
    const cells = line.split(';');
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

function readRtt(dir: string): number[] {
  const file = readdirSync(dir).find((f) => f.endsWith('_rtt.csv'));
  if (!file) return [];
  return readFileSync(path.join(dir, file), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => Number(line.split(';')[1]))
    .filter((n) => Number.isFinite(n));
}

/** An even UDP port with the next three free (sipp's -mp uses the port and port + 2). */
export async function freeMediaPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 42000 + 4 * Math.floor(Math.random() * 5000);
    const sockets: dgram.Socket[] = [];
    let ok = true;
    for (let p = base; p < base + 4 && ok; p++) {
      const s = dgram.createSocket('udp4');
      ok = await new Promise<boolean>((resolve) => {
        s.once('error', () => resolve(false));
        s.bind(p, '127.0.0.1', () => resolve(true));
      });
      sockets.push(s);
    }
    await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    if (ok) return base;
  }
  throw new Error('no free media port range for sipp');
}

/** Common arguments: everything on 127.0.0.1, sipp's RTP on `mediaPort`, a statistics file. */
export function sippArgs(target: string, mediaPort: number, extra: string[] = []): string[] {
  return [target, '-i', '127.0.0.1', '-mi', '127.0.0.1', '-mp', String(mediaPort), ...extra];
}
