// sipp as a phone we call (an agent's desk phone, a callee): started on ports of its own, ready once its
// socket is bound. The caller side and the process plumbing are in bench/voice/sipp.ts.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { freeMediaPort, type SippProcess, startSipp } from '../../bench/voice/sipp.js';

export const SCENARIOS = path.resolve(import.meta.dirname, '../fixtures/sipp');

export interface Callee {
  sipp: SippProcess;
  /** The URI to dial. */
  uri: string;
}

/** Is something bound to this port on 127.0.0.1 (UDP, or TCP listening)? From /proc, so sipp is not disturbed. */
function bound(port: number, transport: 'udp' | 'tcp'): boolean {
  const hex = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const lines = readFileSync(`/proc/net/${transport}`, 'utf8').split('\n');
  return lines.some((l) => {
    const cells = l.trim().split(/\s+/);
    return cells[1] === hex && (transport === 'udp' || cells[3] === '0A');
  });
}

/** sipp as the phone we call: a scenario file (or -sn uas), listening on a port of its own. */
export async function startCallee(
  scenario: string,
  transport: 'u1' | 't1' = 'u1',
  extra: string[] = [],
  calls = 1,
): Promise<Callee> {
  const port = await freeMediaPort();
  const mediaPort = await freeMediaPort();
  const scenarioArgs = scenario === 'uas' ? ['-sn', 'uas'] : ['-sf', path.join(SCENARIOS, scenario)];
  const sipp = startSipp(
    [
      '-i',
      '127.0.0.1',
      '-mi',
      '127.0.0.1',
      '-mp',
      String(mediaPort),
      '-p',
      String(port),
      '-t',
      transport,
      ...scenarioArgs,
      '-m',
      String(calls),
      '-timeout',
      '30s',
      '-timeout_error',
      ...extra,
    ],
    { timeoutMs: 40_000 },
  );
  const kind = transport === 't1' ? 'tcp' : 'udp';
  const deadline = Date.now() + 10_000;
  while (!bound(port, kind)) {
    if (Date.now() > deadline) throw new Error(`sipp never bound ${kind} port ${port}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { sipp, uri: `sip:agent@127.0.0.1:${port}${transport === 't1' ? ';transport=tcp' : ''}` };
}

/** What sipp received and sent (`-trace_msg`). */
export function sippMessages(dir: string): string {
  const file = readdirSync(dir).find((f) => f.endsWith('_messages.log'));
  return file ? readFileSync(path.join(dir, file), 'utf8') : '';
}
