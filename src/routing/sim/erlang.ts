// Erlang C (M/M/N, infinite patience, FIFO): the textbook staffing model the simulator is checked
// against. Traffic A = arrivals per second × AHT in seconds, in erlangs.
// Reference: A. K. Erlang (1917); Cooper, "Introduction to Queueing Theory", 2nd ed., §3.

/**
 * Erlang B blocking probability by the recursion B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1)).
 * Every term lies in [0, 1], so it neither overflows (A^N / N! does at a few hundred agents) nor
 * loses precision.
 */
export function erlangB(agents: number, trafficErlangs: number): number {
  checkAgents(agents);
  checkTraffic(trafficErlangs);
  let b = 1;
  for (let n = 1; n <= agents; n++) b = (trafficErlangs * b) / (n + trafficErlangs * b);
  return b;
}

/**
 * Probability that an arrival has to wait: C = N·B / (N − A·(1 − B)). When N ≤ A the queue grows
 * without bound and every arrival waits, so C = 1.
 */
export function erlangC(agents: number, trafficErlangs: number): number {
  checkAgents(agents);
  checkTraffic(trafficErlangs);
  if (trafficErlangs === 0) return 0;
  if (agents <= trafficErlangs) return 1;
  const b = erlangB(agents, trafficErlangs);
  return Math.min(1, (agents * b) / (agents - trafficErlangs * (1 - b)));
}

/** Share of arrivals answered within `tSeconds`: 1 − C·e^{−(N−A)·t/AHT}; 0 when N ≤ A. */
export function serviceLevel(
  agents: number,
  arrivalsPerSecond: number,
  ahtSeconds: number,
  tSeconds: number,
): number {
  checkRates(arrivalsPerSecond, ahtSeconds);
  if (!(tSeconds >= 0)) throw new RangeError(`the service level threshold must be ≥ 0, got ${tSeconds}`);
  const a = arrivalsPerSecond * ahtSeconds;
  if (a === 0) return 1;
  if (agents <= a) return 0;
  return 1 - erlangC(agents, a) * Math.exp((-(agents - a) * tSeconds) / ahtSeconds);
}

/** Mean wait over all arrivals (those answered at once count as 0), seconds: C·AHT / (N − A). */
export function averageSpeedOfAnswer(agents: number, arrivalsPerSecond: number, ahtSeconds: number): number {
  checkRates(arrivalsPerSecond, ahtSeconds);
  const a = arrivalsPerSecond * ahtSeconds;
  if (a === 0) return 0;
  if (agents <= a) return Number.POSITIVE_INFINITY;
  return (erlangC(agents, a) * ahtSeconds) / (agents - a);
}

/** Share of agent time spent handling contacts: A / N, at most 1. */
export function occupancy(agents: number, arrivalsPerSecond: number, ahtSeconds: number): number {
  checkRates(arrivalsPerSecond, ahtSeconds);
  checkAgents(agents);
  if (agents === 0) return 1;
  return Math.min(1, (arrivalsPerSecond * ahtSeconds) / agents);
}

/**
 * The fewest agents whose service level reaches `target` (0..1) within `tSeconds`. Always more
 * than the traffic A, since fewer agents never catch up.
 */
export function agentsForServiceLevel(
  target: number,
  arrivalsPerSecond: number,
  ahtSeconds: number,
  tSeconds: number,
): number {
  if (!(target >= 0 && target < 1)) throw new RangeError(`the target must be in [0, 1), got ${target}`);
  checkRates(arrivalsPerSecond, ahtSeconds);
  const a = arrivalsPerSecond * ahtSeconds;
  if (a === 0) return 0;
  // SL rises monotonically in N and reaches 1 in the limit, so the walk ends; it starts at ⌊A⌋ + 1.
  let n = Math.floor(a) + 1;
  while (serviceLevel(n, arrivalsPerSecond, ahtSeconds, tSeconds) < target) n++;
  return n;
}

function checkAgents(agents: number): void {
  if (!Number.isInteger(agents) || agents < 0)
    throw new RangeError(`agents must be a whole number ≥ 0, got ${agents}`);
}

function checkTraffic(erlangs: number): void {
  if (!(erlangs >= 0 && Number.isFinite(erlangs)))
    throw new RangeError(`traffic must be a finite number of erlangs ≥ 0, got ${erlangs}`);
}

function checkRates(arrivalsPerSecond: number, ahtSeconds: number): void {
  if (!(arrivalsPerSecond >= 0 && Number.isFinite(arrivalsPerSecond)))
    throw new RangeError(`the arrival rate must be finite and ≥ 0, got ${arrivalsPerSecond}`);
  if (!(ahtSeconds > 0 && Number.isFinite(ahtSeconds)))
    throw new RangeError(`the average handle time must be finite and > 0, got ${ahtSeconds}`);
}
