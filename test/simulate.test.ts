import { describe, expect, it } from 'vitest';
import {
  averageSpeedOfAnswer,
  type SimulationOptions,
  serviceLevel,
  simulate,
} from '../src/routing/sim/index.js';
import { type CliRun, runCli } from './support/server-process.js';

type Run = CliRun;

const cli = (...args: string[]): Promise<Run> => runCli(args);

describe('the simulated queue on the real engine follows queueing theory', () => {
  // One queue, one skill, 10 agents, exponential arrivals and handle times, nobody hangs up: an
  // M/M/10 queue, for which Erlang C gives the exact long-run service level and ASA.
  //
  // What is checked at each load: the service level within 2 percentage points, and the ASA within
  // 2 % of Erlang C's ASA. A time has no percentage points of its own; a share of the ASA itself
  // means the same at every load. 2 % of AHT (3.6 s) would allow 27 % of the ASA at 70 % occupancy
  // and 6 % at 85 %, where 2 % of the ASA is 0.27 s and 1.3 s; only at 95 %, where the ASA is
  // 1.65 AHT, is 2 % of AHT the tighter (3.6 s against 5.9 s).
  //
  // Estimators. Each load runs a seed and its antithetic twin (1 − u for every arrival and
  // handle-time draw, whose errors largely cancel) and averages the two. The service level is the
  // raw simulated share. The ASA compared is `asaAdjusted`: the raw mean wait plus a control
  // variate made from the run's own path (contacts in the system, busy agents) whose steady-state
  // mean is 0 whatever the engine decides, with a fixed coefficient (src/routing/sim/control.ts):
  // it estimates the same long-run mean wait, without bias, and takes out the slow swings of the
  // queue that make the raw mean wait noisy near full load. Without it a 2 % check at 95 % would
  // need tens of millions of contacts, even with control variates on the realised mean
  // inter-arrival and handle times (they remove about a third of an antithetic pair's variance).
  // The raw mean wait must still agree within 20 %: a guard that the control only trims noise.
  //
  // How long to run: near full load the queue forgets its past slowly (its relaxation time is about
  // AHT / (N·(1 − √ρ)²), ~150 AHT at 95 %), hence the warm-ups. Standard errors of the pair
  // average, measured over 30–40 seeds at these sizes (service level; adjusted ASA and raw ASA as
  // shares of Erlang C's ASA): 70 %: 0.16 pp; 0.35 %, 1.8 %. 85 %: 0.31 pp; 0.24 %, 2.0 %.
  // 95 %: 0.33 pp; 0.16 %, 4.3 %. Every bound is at least 4.5 standard errors wide, the 2 % ASA
  // bound at least 5.5.
  const AGENTS = 10;
  const AHT = 180;
  const SL_SECONDS = 20;
  it.each([
    // occupancy, contacts per run, warm-up hours
    [0.7, 600_000, 2],
    [0.85, 400_000, 5],
    [0.95, 500_000, 20],
  ])(
    'at %f occupancy the service level and ASA match Erlang C',
    { timeout: 180_000 },
    (rho, contacts, warmupHours) => {
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
      const mean = (f: (r: (typeof runs)[number]) => number | undefined) =>
        runs.reduce((s, r) => s + (f(r) ?? Number.NaN), 0) / runs.length;
      for (const r of runs) {
        expect(r.answered).toBe(r.offered);
        expect(r.abandoned).toBe(0);
      }
      const expectedSl = serviceLevel(AGENTS, perSecond, AHT, SL_SECONDS);
      const expectedAsa = averageSpeedOfAnswer(AGENTS, perSecond, AHT);
      expect(Math.abs(mean((r) => r.serviceLevel) - expectedSl)).toBeLessThanOrEqual(0.02);
      expect(Math.abs(mean((r) => r.asaAdjusted) / expectedAsa - 1)).toBeLessThanOrEqual(0.02);
      expect(Math.abs(mean((r) => r.asa) / expectedAsa - 1)).toBeLessThanOrEqual(0.2);
      expect(Math.abs(mean((r) => r.occupancy) - rho)).toBeLessThanOrEqual(0.01);
    },
  );

  it('adjusts the ASA only for one pool, exponential handle times, no abandonment and N > A', () => {
    const options = { agents: 5, arrivalsPerHour: 50, ahtSeconds: 300, hours: 3, seed: 11, slSeconds: 20 };
    const r = simulate(options);
    expect(r.asaAdjusted).toEqual(expect.any(Number));
    expect(r.asaAdjusted).not.toBe(r.asa);
    expect(simulate({ ...options, patienceSeconds: 60 }).asaAdjusted).toBeUndefined();
    expect(simulate({ ...options, handleTime: 'fixed' }).asaAdjusted).toBeUndefined();
    // 60 an hour for 300 s is 5 erlangs on 5 agents: no steady state.
    expect(simulate({ ...options, arrivalsPerHour: 60 }).asaAdjusted).toBeUndefined();
  });
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
