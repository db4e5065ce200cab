// A discrete-event simulation of a contact center that drives the real routing engine on a virtual
// clock: Poisson arrivals, exponential (or fixed) handle times, optional exponential patience.
// Agents accept every offer at once and finish after the handle time, so what is measured is the
// engine's queueing and matching, which Erlang C predicts for one queue without abandonment.

import { createRoutingEngine } from '../engine/index.js';
import { WaitControl } from './control.js';
import { MinHeap } from './heap.js';
import { exponential, stream } from './random.js';
import {
  agentGroupsOf,
  checkOptions,
  configureEngine,
  type QueueSetup,
  queuesOf,
  type SimAgentGroup,
  type SimQueue,
  type SimulationOptions,
} from './scenario.js';

export interface QueueOutcome {
  /** Arrivals after the warm-up and before the horizon; every one of them is followed to its end. */
  offered: number;
  answered: number;
  abandoned: number;
  answeredWithinSl: number;
  /** answeredWithinSl / offered, the share of arrivals answered within `slSeconds`. */
  serviceLevel: number;
  /** Mean wait of answered contacts, seconds. */
  asa: number;
  /** Longest wait of an answered contact, seconds. */
  maxWait: number;
}

export interface SimulationResult extends QueueOutcome {
  /** Busy agent time in the measured window / (agents × measured hours). */
  occupancy: number;
  /** Contacts still in a queue when the horizon closed (served or abandoned afterwards). */
  waiting: number;
  /** Offered contacts that no agent could ever take (no one with the skill); neither answered nor abandoned. */
  unserved: number;
  perQueue: Record<string, QueueOutcome>;
  /**
   * `asa` plus a control variate whose steady-state mean is 0 (see control.ts): the same long-run
   * mean with a small fraction of the variance near full load, given a warm-up that reaches steady
   * state. Only for one queue every agent can take, exponential handle times and no abandonment,
   * with more agents than erlangs of traffic.
   */
  asaAdjusted?: number;
  /** Mean handle time actually drawn for the answered contacts, seconds: with `offered`, the traffic really offered. */
  meanHandleSeconds: number;
  /** Virtual seconds simulated, including the drain after the horizon. */
  simulatedSeconds: number;
}

interface SimTask {
  queue: number;
  arrivedAt: number;
  measured: boolean;
  assigned: boolean;
}

interface SimEvent {
  at: number;
  /** Breaks ties in `at`: events at one instant happen in the order they were scheduled. */
  seq: number;
  kind: 'arrival' | 'completion' | 'patience';
  /** Empty for an arrival. */
  taskId: string;
}

interface Tally {
  offered: number;
  answered: number;
  abandoned: number;
  answeredWithinSl: number;
  waitSum: number;
  maxWait: number;
}

const HOUR_MS = 3_600_000;

/**
 * Runs one simulation. Arrivals stop at the horizon and the run continues until every counted
 * contact is answered or abandoned, so `serviceLevel` is exactly "share of arrivals answered within
 * T", the quantity Erlang C predicts, and answered + abandoned = offered (less `unserved`).
 */
export function simulate(opts: SimulationOptions): SimulationResult {
  const queues = queuesOf(opts);
  const groups = agentGroupsOf(opts, queues);
  checkOptions(opts, queues, groups);
  const agentCount = groups.reduce((n, g) => n + g.count, 0);
  const warmupMs = (opts.warmupHours ?? 0) * HOUR_MS;
  const horizonMs = warmupMs + opts.hours * HOUR_MS;
  const slMs = opts.slSeconds * 1000;
  const totalRate = queues.reduce((r, q) => r + q.arrivalsPerHour, 0) / HOUR_MS;
  const twin = (r: () => number) => (opts.antithetic ? () => 1 - r() : r);
  const rnd = {
    arrival: twin(stream(opts.seed, 1)),
    queue: stream(opts.seed, 2),
    handle: twin(stream(opts.seed, 3)),
    patience: stream(opts.seed, 4),
    engine: stream(opts.seed, 5),
  };

  const clock = { t: 0, now: () => clock.t };
  // The simulator never looks a finished task up again, and remembering none keeps long runs fast.
  const engine = createRoutingEngine({ clock, random: rnd.engine, finishedRetention: 0 });
  configureEngine(engine, opts, queues, groups);

  const heap = new MinHeap<SimEvent>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));
  let seq = 0;
  const schedule = (at: number, kind: SimEvent['kind'], taskId = '') =>
    heap.push({ at, seq: seq++, kind, taskId });
  const tasks = new Map<string, SimTask>();
  const tallies = queues.map<Tally>(() => ({
    offered: 0,
    answered: 0,
    abandoned: 0,
    answeredWithinSl: 0,
    waitSum: 0,
    maxWait: 0,
  }));
  let unresolved = 0; // counted contacts not yet answered or abandoned
  let inSystem = 0; // every contact, counted or not, from arrival until it is completed or abandoned
  let busy = 0; // contacts with an agent
  const control = waitControlOf(opts, queues, groups, agentCount, warmupMs, horizonMs);
  let busyMs = 0;
  let handleSumMs = 0; // of counted contacts
  let taskNo = 0;
  let waitingAtHorizon: number | undefined;

  const accepts: string[] = [];
  engine.onEvent((e) => {
    // Accepting from inside the listener would re-enter the engine mid-decision; the offers are
    // accepted right after the call that made them returns, at the same virtual instant.
    if (e.type === 'reservation.created') accepts.push(e.reservation.id);
    else if (e.type === 'task.assigned') answer(e.taskId);
    else if (e.type === 'task.abandoned') forget(e.taskId, 'abandoned');
  });
  const settle = () => {
    for (let id = accepts.shift(); id !== undefined; id = accepts.shift()) engine.accept(id);
  };

  function answer(taskId: string): void {
    const task = tasks.get(taskId);
    if (!task || task.assigned) return;
    task.assigned = true;
    busy++;
    const q = queues[task.queue] as QueueSetup;
    const handleMs =
      opts.handleTime === 'fixed' ? q.ahtSeconds * 1000 : exponential(rnd.handle, q.ahtSeconds * 1000);
    busyMs += Math.max(0, Math.min(clock.t + handleMs, horizonMs) - Math.max(clock.t, warmupMs));
    schedule(clock.t + handleMs, 'completion', taskId);
    if (!task.measured) return;
    handleSumMs += handleMs;
    const tally = tallies[task.queue] as Tally;
    const wait = clock.t - task.arrivedAt;
    tally.answered++;
    tally.waitSum += wait;
    tally.maxWait = Math.max(tally.maxWait, wait);
    if (wait <= slMs) tally.answeredWithinSl++;
    unresolved--;
  }

  function forget(taskId: string, how: 'abandoned' | 'completed'): void {
    const task = tasks.get(taskId);
    if (!task) return;
    tasks.delete(taskId);
    inSystem--;
    if (task.assigned) busy--;
    if (how === 'abandoned' && task.measured) {
      (tallies[task.queue] as Tally).abandoned++;
      unresolved--;
    }
  }

  function arrive(): void {
    const id = `t${++taskNo}`;
    const queue = pickQueue(queues, totalRate * HOUR_MS, rnd.queue);
    const measured = clock.t >= warmupMs;
    tasks.set(id, { queue, arrivedAt: clock.t, measured, assigned: false });
    inSystem++;
    if (measured) {
      (tallies[queue] as Tally).offered++;
      unresolved++;
    }
    if (opts.patienceSeconds !== undefined)
      schedule(clock.t + exponential(rnd.patience, opts.patienceSeconds * 1000), 'patience', id);
    engine.submitTask({ id, attributes: { channel: 'voice', category: (queues[queue] as SimQueue).id } });
    const next = clock.t + exponential(rnd.arrival, 1 / totalRate);
    if (next < horizonMs) schedule(next, 'arrival');
  }

  function handle(e: SimEvent): void {
    if (e.kind === 'arrival') arrive();
    else if (e.kind === 'completion') {
      engine.complete(e.taskId);
      forget(e.taskId, 'completed');
    } else {
      const task = tasks.get(e.taskId);
      if (task && !task.assigned) engine.abandon(e.taskId);
    }
  }

  if (totalRate > 0) schedule(exponential(rnd.arrival, 1 / totalRate), 'arrival');
  const passTime = (to: number) => {
    control?.hold(clock.t, to, inSystem, busy);
    clock.t = to;
  };
  let reported = 0;
  let stalled = 0;
  for (;;) {
    if (waitingAtHorizon === undefined && clock.t >= horizonMs) waitingAtHorizon = countWaiting(tasks);
    if (waitingAtHorizon !== undefined && unresolved === 0) break;
    const eventAt = heap.peek()?.at ?? Number.POSITIVE_INFINITY;
    const at = Math.min(eventAt, engine.nextDeadline() ?? Number.POSITIVE_INFINITY);
    if (waitingAtHorizon === undefined && at > horizonMs) {
      passTime(horizonMs);
      continue;
    }
    if (at === Number.POSITIVE_INFINITY) break; // nothing can happen any more: the rest is unserved
    // An engine deadline that stays in the past after advance() would spin here for ever.
    stalled = at <= clock.t && eventAt > at ? stalled + 1 : 0;
    if (stalled > 1000) throw new Error(`routing engine: nextDeadline() stays at ${at} after advance()`);
    passTime(Math.max(clock.t, at));
    engine.advance();
    settle();
    for (let e = heap.peek(); e !== undefined && e.at <= clock.t; e = heap.peek()) {
      heap.pop();
      handle(e);
      settle();
    }
    if (opts.onProgress && clock.t - reported >= horizonMs / 100 && clock.t < horizonMs) {
      reported = clock.t;
      opts.onProgress(clock.t / horizonMs);
    }
  }
  opts.onProgress?.(1);

  const perQueue: Record<string, QueueOutcome> = {};
  queues.forEach((q, i) => {
    perQueue[q.id] = outcomeOf(tallies[i] as Tally);
  });
  const total = outcomeOf(
    tallies.reduce((sum, t) => ({
      offered: sum.offered + t.offered,
      answered: sum.answered + t.answered,
      abandoned: sum.abandoned + t.abandoned,
      answeredWithinSl: sum.answeredWithinSl + t.answeredWithinSl,
      waitSum: sum.waitSum + t.waitSum,
      maxWait: Math.max(sum.maxWait, t.maxWait),
    })),
  );
  const measuredMs = horizonMs - warmupMs;
  return {
    ...total,
    occupancy: agentCount > 0 && measuredMs > 0 ? busyMs / (agentCount * measuredMs) : 0,
    waiting: waitingAtHorizon ?? 0,
    unserved: unresolved,
    perQueue,
    ...(control && total.answered > 0 ? { asaAdjusted: total.asa + control.correctionMs() / 1000 } : {}),
    meanHandleSeconds: total.answered > 0 ? handleSumMs / total.answered / 1000 : 0,
    simulatedSeconds: clock.t / 1000,
  };
}

function outcomeOf(t: Tally): QueueOutcome {
  return {
    offered: t.offered,
    answered: t.answered,
    abandoned: t.abandoned,
    answeredWithinSl: t.answeredWithinSl,
    serviceLevel: t.offered > 0 ? t.answeredWithinSl / t.offered : 1,
    asa: t.answered > 0 ? t.waitSum / t.answered / 1000 : 0,
    maxWait: t.maxWait / 1000,
  };
}

/** The control needs one pool of interchangeable agents, and only arrivals and completions to move n. */
function waitControlOf(
  opts: SimulationOptions,
  queues: QueueSetup[],
  groups: SimAgentGroup[],
  agents: number,
  warmupMs: number,
  horizonMs: number,
): WaitControl | undefined {
  const [queue, ...others] = queues;
  if (!queue || others.length > 0 || opts.handleTime === 'fixed' || opts.patienceSeconds !== undefined)
    return undefined;
  const skill = queue.skill;
  if (skill !== undefined && groups.some((g) => g.count > 0 && !g.skills.includes(skill))) return undefined;
  return WaitControl.create({
    agents,
    arrivalsPerMs: queue.arrivalsPerHour / HOUR_MS,
    meanHandleMs: queue.ahtSeconds * 1000,
    fromMs: warmupMs,
    toMs: horizonMs,
  });
}

function countWaiting(tasks: Map<string, SimTask>): number {
  let n = 0;
  for (const t of tasks.values()) if (!t.assigned) n++;
  return n;
}

function pickQueue(queues: SimQueue[], totalPerHour: number, random: () => number): number {
  if (queues.length === 1) return 0;
  let u = random() * totalPerHour;
  for (let i = 0; i < queues.length; i++) {
    u -= (queues[i] as SimQueue).arrivalsPerHour;
    if (u < 0) return i;
  }
  return queues.length - 1;
}
