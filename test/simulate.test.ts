import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  averageSpeedOfAnswer,
  type SimulationOptions,
  serviceLevel,
  simulate,
} from '../src/routing/sim/index.js';

const BIN = path.resolve('bin/switchboard.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? Number((err as { code?: unknown }).code ?? 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the simulated queue on the real engine follows queueing theory', () => {
  // One queue, one skill, 10 agents, exponential arrivals and handle times, nobody hangs up: an
  // M/M/10 queue, for which Erlang C gives the exact long-run service level and ASA.
  //
  // How long to run: near full load the queue forgets its past slowly (its relaxation time is
  // about AHT / (N·(1 − √ρ)²), ~150 AHT at 95 %), so estimates converge slowly. Each case runs a
  // seed and its antithetic twin (1 − u for every arrival and handle-time draw, whose errors
  // largely cancel) and averages the two. Standard errors of that average, measured over 8–10
  // seeds at the sizes below: service level ~0.25 pp at 70 %, ~0.3 pp at 85 %, ~0.35 pp at 95 %,
  // so 2 pp is over 5 standard errors everywhere.
  //
  // ASA has no percentage points of its own, so it is compared as a share of AHT: within 2 pp of
  // AHT (3.6 s) at 70 % and 85 %, where its standard errors are ~0.3 and ~0.6 pp of AHT. At 95 %
  // Erlang C's ASA is 1.65 × AHT and its estimate is far noisier (standard error ~5 % of the ASA
  // for this pair, ~15 pp of AHT; a 2 % check would need tens of millions of contacts), so there
  // it must be within 15 % (3 standard errors): still far tighter than what an engine that idles
  // agents while contacts wait produces at this load.
  const AGENTS = 10;
  const AHT = 180;
  const SL_SECONDS = 20;
  it.each([
    // occupancy, contacts per run, warm-up hours, ASA tolerance as a share of AHT
    [0.7, 100_000, 2, 0.02],
    [0.85, 400_000, 5, 0.02],
    [0.95, 500_000, 20, undefined],
  ])(
    'at %f occupancy the service level and ASA match Erlang C',
    { timeout: 180_000 },
    (rho, contacts, warmupHours, asaTolerance) => {
      const perSecond = (AGENTS * rho) / AHT;
      const options: SimulationOptions = {
        agents: AGENTS,
        arrivalsPerHour: perSecond * 3600,
        ahtSeconds: AHT,
        hours: contacts / (perSecond * 3600),
        warmupHours,
        seed: 20_251_125,
        slSeconds: SL_SECONDS,
      };
      const runs = [simulate(options), simulate({ ...options, antithetic: true })];
      const mean = (f: (r: (typeof runs)[number]) => number) =>
        runs.reduce((s, r) => s + f(r), 0) / runs.length;
      for (const r of runs) {
        expect(r.answered).toBe(r.offered);
        expect(r.abandoned).toBe(0);
      }
      const sl = mean((r) => r.serviceLevel);
      const asa = mean((r) => r.asa);
      const expectedSl = serviceLevel(AGENTS, perSecond, AHT, SL_SECONDS);
      const expectedAsa = averageSpeedOfAnswer(AGENTS, perSecond, AHT);
      expect(Math.abs(sl - expectedSl)).toBeLessThanOrEqual(0.02);
      if (asaTolerance !== undefined)
        expect(Math.abs(asa - expectedAsa) / AHT).toBeLessThanOrEqual(asaTolerance);
      else expect(Math.abs(asa / expectedAsa - 1)).toBeLessThanOrEqual(0.15);
      expect(Math.abs(mean((r) => r.occupancy) - rho)).toBeLessThanOrEqual(0.01);
    },
  );
});

describe('simulate with abandonment and several queues', () => {
  it('abandons under overload when callers have limited patience, and every arrival ends somewhere', () => {
    const r = simulate({
      agents: 3,
      arrivalsPerHour: 60,
      ahtSeconds: 300,
      hours: 4,
      seed: 7,
      slSeconds: 20,
      patienceSeconds: 60,
    });
    expect(r.abandoned).toBeGreaterThan(0);
    expect(r.answered + r.abandoned).toBe(r.offered);
    expect(r.unserved).toBe(0);
  });

  it('keeps queues apart: contacts go only to agents with their skill', () => {
    const r = simulate({
      agents: [
        { count: 4, skills: ['billing'] },
        { count: 2, skills: ['tech'] },
      ],
      queues: [
        { id: 'billing', arrivalsPerHour: 40, skill: 'billing' },
        { id: 'tech', arrivalsPerHour: 20, skill: 'tech', ahtSeconds: 240 },
        { id: 'legal', arrivalsPerHour: 2, skill: 'legal' },
      ],
      ahtSeconds: 180,
      hours: 8,
      seed: 3,
      slSeconds: 20,
    });
    expect(r.perQueue.billing?.answered).toBe(r.perQueue.billing?.offered);
    expect(r.perQueue.tech?.answered).toBe(r.perQueue.tech?.offered);
    // Nobody has the legal skill: those contacts are offered and never answered.
    expect(r.perQueue.legal?.offered).toBeGreaterThan(0);
    expect(r.perQueue.legal?.answered).toBe(0);
    expect(r.unserved).toBe(r.perQueue.legal?.offered);
    expect(r.offered).toBe(r.answered + r.unserved);
  });

  it('gives the same result for the same seed and a different one for another', () => {
    const options = { agents: 5, arrivalsPerHour: 50, ahtSeconds: 300, hours: 3, seed: 11, slSeconds: 20 };
    expect(simulate(options)).toEqual(simulate(options));
    expect(simulate({ ...options, seed: 12 }).asa).not.toBe(simulate(options).asa);
  });
});

// Each case is a child process that mostly waits for tsx to start, so they run side by side.
describe.concurrent('switchboard simulate', () => {
  const args = ['simulate', '--agents', '5', '--arrivals-per-hour', '50', '--aht', '300', '--hours', '2'];

  it('prints one JSON object, the same for the same seed', async () => {
    const [a, b] = await Promise.all([
      cli(...args, '--seed', '1', '--json'),
      cli(...args, '--seed', '1', '--json'),
    ]);
    expect(a.code).toBe(0);
    expect(a.stderr).toBe('');
    const out = JSON.parse(a.stdout) as Record<string, unknown>;
    for (const field of ['offered', 'answered', 'abandoned', 'asa', 'serviceLevel', 'occupancy'])
      expect(typeof out[field], field).toBe('number');
    expect(out.answered).toBe(out.offered);
    expect(out.erlangC).toEqual({
      serviceLevel: expect.any(Number),
      asa: expect.any(Number),
      occupancy: expect.any(Number),
    });
    expect(b.stdout).toBe(a.stdout);
  });

  it('prints a table with the Erlang C prediction beside the simulation', async () => {
    const run = await cli(...args, '--seed', '1');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Erlang C/);
    expect(run.stdout).toMatch(/service level \(20 s\)/);
  });

  it('reports abandonment under overload when callers have limited patience', async () => {
    const run = await cli(
      'simulate',
      ...[
        '--agents',
        '3',
        '--arrivals-per-hour',
        '60',
        '--aht',
        '300',
        '--hours',
        '2',
        '--patience',
        '60',
        '--json',
      ],
    );
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { abandoned: number; answered: number; offered: number };
    expect(out.abandoned).toBeGreaterThan(0);
    expect(out.answered + out.abandoned).toBe(out.offered);
  });

  it.each([
    [['--agents', '0'], /--agents/],
    [['--agents', 'five'], /--agents/],
    [['--aht', '-3'], /--aht/],
    [['--handle-time', 'gamma'], /--handle-time/],
    [['--bogus'], /unknown option/],
  ])('rejects %j with exit code 2 and a message on stderr', async (bad, message) => {
    const run = await cli(...args, ...bad);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });

  it('rejects a missing required option with exit code 2', async () => {
    const run = await cli('simulate', '--agents', '5', '--aht', '300');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--arrivals-per-hour/);
  });
});
