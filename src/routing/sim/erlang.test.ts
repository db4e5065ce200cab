import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  agentsForServiceLevel,
  averageSpeedOfAnswer,
  erlangB,
  erlangC,
  occupancy,
  serviceLevel,
} from './erlang.js';

describe('Erlang C', () => {
  // The classic worked example (callcentrehelper.com, "Erlang C formula – made simple"; the same
  // figures as standard Erlang C tables): 100 calls per 30 minutes, AHT 180 s → A = 10 erlangs,
  // target 80 % answered within 20 s.
  const perSecond = 100 / 1800;
  it.each([
    // agents, probability of waiting, service level within 20 s, ASA in seconds
    [11, 0.6821, 0.3896, 122.8],
    [12, 0.4494, 0.6402, 40.4],
    [13, 0.2853, 0.7956, 17.1],
    [14, 0.1741, 0.8884, 7.8],
    [15, 0.102, 0.9415, 3.7],
  ])('matches the published table for %i agents on 10 erlangs', (agents, pw, sl, asa) => {
    expect(erlangC(agents, 10)).toBeCloseTo(pw, 4);
    expect(serviceLevel(agents, perSecond, 180, 20)).toBeCloseTo(sl, 4);
    expect(averageSpeedOfAnswer(agents, perSecond, 180)).toBeCloseTo(asa, 1);
    expect(occupancy(agents, perSecond, 180)).toBeCloseTo(10 / agents, 10);
  });

  it('staffs the classic example with 14 agents for 80 % in 20 s (13 give 79.6 %)', () => {
    expect(agentsForServiceLevel(0.8, perSecond, 180, 20)).toBe(14);
  });

  it('has the closed forms of small systems', () => {
    // M/M/1: the probability of waiting is the utilisation.
    expect(erlangC(1, 0.5)).toBeCloseTo(0.5, 12);
    // M/M/2: C = A² / (2 + A), 1/3 at one erlang. Three agents at two erlangs: 4/9.
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 12);
    expect(erlangC(3, 2)).toBeCloseTo(4 / 9, 12);
    // Erlang B, 2 lines at 1 erlang: (1/2) / (1 + 1 + 1/2) = 0.2.
    expect(erlangB(2, 1)).toBeCloseTo(0.2, 12);
  });

  it('gives C = 1, service level 0 and an infinite ASA when agents do not exceed the traffic', () => {
    expect(erlangC(10, 10)).toBe(1);
    expect(erlangC(5, 12.5)).toBe(1);
    expect(serviceLevel(10, 10 / 180, 180, 20)).toBe(0);
    expect(averageSpeedOfAnswer(10, 12 / 180, 180)).toBe(Number.POSITIVE_INFINITY);
    expect(occupancy(10, 12 / 180, 180)).toBe(1);
  });

  it('stays finite at thousands of agents, where A^N / N! overflows', () => {
    const c = erlangC(5000, 4900);
    expect(Number.isFinite(c)).toBe(true);
    expect(c).toBeGreaterThan(0);
    expect(c).toBeLessThan(1);
  });

  it('needs no agents for no traffic and rejects nonsense', () => {
    expect(erlangC(3, 0)).toBe(0);
    expect(serviceLevel(3, 0, 180, 20)).toBe(1);
    expect(agentsForServiceLevel(0.8, 0, 180, 20)).toBe(0);
    expect(() => erlangC(2.5, 1)).toThrow(RangeError);
    expect(() => erlangC(2, -1)).toThrow(RangeError);
    expect(() => serviceLevel(2, 0.01, 0, 20)).toThrow(RangeError);
    expect(() => agentsForServiceLevel(1, 0.01, 180, 20)).toThrow(RangeError);
  });

  const traffic = fc.double({ min: 0.01, max: 200, noNaN: true });
  const agents = fc.integer({ min: 1, max: 300 });

  it('keeps the probability of waiting in [0, 1]', () => {
    fc.assert(
      fc.property(agents, traffic, (n, a) => {
        const c = erlangC(n, a);
        return c >= 0 && c <= 1;
      }),
    );
  });

  it('never raises the probability of waiting when an agent is added', () => {
    fc.assert(fc.property(agents, traffic, (n, a) => erlangC(n + 1, a) <= erlangC(n, a) + 1e-12));
  });

  it('is at least Erlang B (a queue waits whenever a loss system would block)', () => {
    fc.assert(fc.property(agents, traffic, (n, a) => erlangC(n, a) >= erlangB(n, a) - 1e-12));
  });

  it('puts the staffing answer exactly at the first agent count that meets the target', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 0.95, noNaN: true }),
        fc.double({ min: 0.001, max: 0.5, noNaN: true }),
        fc.integer({ min: 30, max: 900 }),
        fc.integer({ min: 0, max: 120 }),
        (target, rate, aht, t) => {
          const n = agentsForServiceLevel(target, rate, aht, t);
          return (
            n > rate * aht &&
            serviceLevel(n, rate, aht, t) >= target &&
            (n - 1 <= rate * aht || serviceLevel(n - 1, rate, aht, t) < target)
          );
        },
      ),
    );
  });
});
