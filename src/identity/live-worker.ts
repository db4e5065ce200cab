// The main thread's side of the identity worker (live-worker-main.ts): one worker per process, shared
// by every IdentityLive in it, started on the first tenant's load. Requests go out in the order they
// are made and are answered in that order. A worker that dies takes every tenant's state with it: the
// waiting requests fail, and the listeners (each IdentityLive) forget their tenants, which the next
// match loads again on a new worker.
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../core/ts-worker.js';
import type { Answer, Answers, Op, Request } from './live-protocol.js';

/** Matches wait this long for others to cross to the worker with them (one message, one wake-up for all). */
const BATCH_MS = 2;

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

class IdentityWorker {
  private worker: Worker | undefined;
  private starting: Promise<Worker> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextReq = 1;
  /** Requests not yet sent, in the order they were made. */
  private batch: Request[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private flushSoon = false;
  private readonly lost = new Set<(err: Error) => void>();

  /** Called when the worker dies, with why. */
  onLost(fn: (err: Error) => void): () => void {
    this.lost.add(fn);
    return () => this.lost.delete(fn);
  }

  private start(): Promise<Worker> {
    if (this.worker) return Promise.resolve(this.worker);
    this.starting ??= new Promise<Worker>((resolve, reject) => {
      const worker = startTsWorker(new URL('./live-worker-main.ts', import.meta.url), 'identity worker');
      // Kept alive only while it owes an answer: an idle worker never holds the process open.
      worker.unref();
      let up = false;
      const die = (err: Error) => {
        if (!up) reject(err);
        if (this.worker !== worker) return;
        this.worker = undefined;
        const pending = [...this.pending.values()];
        this.pending.clear();
        for (const p of pending) p.reject(err);
        for (const fn of this.lost) fn(err);
      };
      worker.on('message', (answers: Answer[]) => {
        for (const a of answers) {
          if (a.req === -1) {
            up = true;
            this.worker = worker;
            resolve(worker);
            continue;
          }
          const p = this.pending.get(a.req);
          if (!p) continue;
          this.pending.delete(a.req);
          if ('error' in a) p.reject(new Error(`identity worker: ${a.error}`));
          else p.resolve(a.value);
        }
        if (this.pending.size === 0) worker.unref();
      });
      worker.on('error', (err) => die(err));
      worker.on('exit', (code) => die(new Error(`identity worker exited (${code})`)));
    }).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** Sends a request and resolves with its answer. */
  call<K extends Op['op']>(op: Extract<Op, { op: K }>): Promise<Answers[K]> {
    // Sent at once when the worker runs, so requests keep the order in which they were made.
    if (this.worker) return this.send(this.worker, op);
    return this.start().then((worker) => this.send(worker, op));
  }

  /** Sends a request that needs no answer (dropped if no worker runs: its state went with the last one). */
  post(op: Op): void {
    if (this.worker) this.enqueue({ ...op, req: 0 });
  }

  private send<K extends Op['op']>(worker: Worker, op: Extract<Op, { op: K }>): Promise<Answers[K]> {
    const req = this.nextReq++;
    return new Promise<Answers[K]>((resolve, reject) => {
      if (this.pending.size === 0) worker.ref();
      this.pending.set(req, { resolve: resolve as (v: unknown) => void, reject });
      this.enqueue({ ...op, req } as Request);
    });
  }

  /** Matches go out in batches; anything else takes the batch with it at once (the order holds). */
  private enqueue(r: Request): void {
    this.batch.push(r);
    if (r.op !== 'match') {
      if (!this.flushSoon) {
        this.flushSoon = true;
        setImmediate(() => this.flush());
      }
    } else if (!this.flushTimer && !this.flushSoon) {
      this.flushTimer = setTimeout(() => this.flush(), BATCH_MS);
    }
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushSoon = false;
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    if (this.worker) this.worker.postMessage(batch);
    else for (const r of batch) this.pending.get(r.req)?.reject(new Error('identity worker stopped'));
  }
}

let shared: IdentityWorker | undefined;

/** The process's identity worker (started on first use). */
export function identityWorker(): IdentityWorker {
  shared ??= new IdentityWorker();
  return shared;
}

/** The identity worker's heap in use, in bytes (the benchmark's memory figure). */
export function identityWorkerHeap(): Promise<number> {
  return identityWorker().call({ op: 'heap' });
}

export type { IdentityWorker };
