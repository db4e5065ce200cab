// The identity worker: every tenant's live matching state (live-state.ts) on a thread of its own, so
// the blocking index (a few KB per customer, for as long as the process runs) and the garbage of
// preparing and scoring records are collected there, never in a pause of the gateway's event loop.
// Requests are handled one at a time, in the order the main thread sent them.
import { setPriority } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import type { Answer, Answers, Request } from './live-protocol.js';
import { TenantState } from './live-state.js';
import type { TenantMatching } from './tenant-model.js';

const port = parentPort;
if (!port) throw new Error('live-worker-main.ts runs in a worker thread');

// Matching is background work: a message never waits for its decision, but it does wait whenever this
// thread holds a core the gateway's event loop needs. On Linux a thread's nice value is its own, so
// this lowers only this thread, below the main thread (nice 10 weighs about a tenth of nice 0 when
// both want a core; with a core free it runs at full speed). Where that is not allowed it stays as it is.
try {
  setPriority(10);
} catch {}

const states = new Map<string, TenantState>();
const models = new Map<string, TenantMatching>();

function state(t: string): TenantState {
  let s = states.get(t);
  if (!s) {
    s = new TenantState();
    states.set(t, s);
  }
  return s;
}

function model(t: string, m: TenantMatching | undefined): TenantMatching {
  if (m) models.set(t, m);
  const known = models.get(t);
  if (!known) throw new Error('identity worker: no model for the tenant');
  return known;
}

function handle(r: Request): Answers[Request['op']] {
  switch (r.op) {
    case 'loadStart':
      state(r.t).loadStart(r.settings);
      return null;
    case 'loadPage':
      return state(r.t).loadPage(r.rows);
    case 'loadEnd':
      return state(r.t).loadEnd(r.apart);
    case 'seq':
      return state(r.t).seq;
    case 'apply':
      return state(r.t).apply(r.startSeq, r.items);
    case 'match':
      return state(r.t).match(model(r.t, r.m), r.id, r.customer, r.known);
    case 'redecide':
      return state(r.t).redecide(model(r.t, r.m), r.id) ?? null;
    case 'unpend': {
      const s = state(r.t);
      s.unpend(r.mergedId);
      return s.keysOf(r.keysOf);
    }
    case 'unstamped':
      return state(r.t).unstamped(r.ids);
    case 'profile':
      states.get(r.t)?.setProfile(r.id, r.profile);
      return null;
    case 'separate':
      states.get(r.t)?.index.separate(r.a, r.b);
      return null;
    case 'snapshot':
      return state(r.t).index.dump();
    case 'drop':
      states.delete(r.t);
      models.delete(r.t);
      return null;
    case 'heap':
      globalThis.gc?.();
      return getHeapStatistics().used_heap_size;
  }
}

// Requests come in batches (live-worker.ts); their answers go back together.
port.on('message', (batch: Request[]) => {
  const answers: Answer[] = [];
  for (const r of batch) {
    try {
      const value = handle(r);
      if (r.req !== 0) answers.push({ req: r.req, value });
    } catch (err) {
      answers.push({ req: r.req, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  }
  if (answers.length > 0) port.postMessage(answers);
});
port.postMessage([{ req: -1, value: 'ready' }]);
