import { describe, expect, it } from 'vitest';
import { WaitControl } from './control.js';

// 10 agents, AHT 180 s, 0.95 × 10 erlangs: rates per ms, as the simulator keeps time.
const setup = { agents: 10, arrivalsPerMs: 9.5 / 180_000, meanHandleMs: 180_000, fromMs: 0, toMs: 1000 };
const control = () => WaitControl.create(setup) as WaitControl;

/** The correction for a system that held this state over the whole window, ms. */
function correctionFor(inSystem: number, busy: number): number {
  const c = control();
  c.hold(0, 1000, inSystem, busy);
  return c.correctionMs();
}

describe('the mean-wait control variate', () => {
  it('cancels the waits one for one while every agent is busy: one more waiting for 1 s, 1 s less', () => {
    // The correction is spread over the λ·T arrivals the window expects, like the mean wait it adjusts.
    const arrivals = setup.arrivalsPerMs * 1000;
    for (const q of [1, 5, 40])
      expect((correctionFor(10 + q + 1, 10) - correctionFor(10 + q, 10)) * arrivals).toBeCloseTo(-1000, 6);
  });

  it('adds nothing while an agent is free and no arrival can make anyone wait', () => {
    expect(correctionFor(3, 3)).toBeCloseTo(0, 12);
    expect(correctionFor(9, 9)).toBeCloseTo(0, 12);
    expect(correctionFor(10, 10)).not.toBeCloseTo(0, 12);
  });

  it('counts only time inside the measured window', () => {
    const c = WaitControl.create({ ...setup, fromMs: 500 }) as WaitControl;
    c.hold(0, 500, 30, 10);
    expect(c.correctionMs()).toBeCloseTo(0, 12);
    c.hold(500, 1000, 30, 10);
    expect(c.correctionMs()).not.toBe(0);
  });

  it('is not offered when the agents cannot keep up', () => {
    expect(WaitControl.create({ ...setup, arrivalsPerMs: 10 / 180_000 })).toBeUndefined();
  });
});
