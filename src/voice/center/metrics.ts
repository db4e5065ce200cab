// Calls in Prometheus terms (on /metrics): how calls ended, how long callers waited and talked, and how
// many are in each state now.
import client from 'prom-client';

export interface CallMetrics {
  ended(direction: 'in' | 'out', cause: string, waitedMs: number, talkMs: number): void;
}

export function createCallMetrics(
  registry: client.Registry,
  states: () => Iterable<{ state: string; direction: 'in' | 'out' }>,
): CallMetrics {
  const total = new client.Counter({
    name: 'switchboard_calls_total',
    help: 'Calls after the IVR (and agents’ outbound calls) by direction and how they ended',
    labelNames: ['direction', 'cause'] as const,
    registers: [registry],
  });
  const waited = new client.Histogram({
    name: 'switchboard_call_wait_seconds',
    help: 'Time from queued (or dialled) to connected with an agent, or to hanging up unanswered',
    labelNames: ['direction'] as const,
    buckets: [1, 5, 10, 20, 30, 60, 120, 300, 600],
    registers: [registry],
  });
  const talked = new client.Histogram({
    name: 'switchboard_call_talk_seconds',
    help: 'Time connected with an agent',
    labelNames: ['direction'] as const,
    buckets: [10, 30, 60, 120, 300, 600, 1200, 3600],
    registers: [registry],
  });
  new client.Gauge({
    name: 'switchboard_calls_active',
    help: 'Calls in progress on this process by state',
    labelNames: ['state', 'direction'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const c of states()) this.inc({ state: c.state, direction: c.direction });
    },
  });
  return {
    ended(direction, cause, waitedMs, talkMs) {
      total.inc({ direction, cause });
      waited.observe({ direction }, waitedMs / 1000);
      if (talkMs > 0) talked.observe({ direction }, talkMs / 1000);
    },
  };
}
