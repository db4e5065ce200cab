// Worker threads that run TypeScript like the main thread: a worker does not inherit the tsx loader,
// so its code registers tsx itself and then imports the worker's module.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Starts a worker thread on the TypeScript module at `main` (a file URL); `what` names it in a start failure. */
export function startTsWorker(main: URL, what: string, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const tsx = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const source = `import(${JSON.stringify(pathToFileURL(tsx).href)})
    .then((tsx) => { tsx.register(); return import(${JSON.stringify(main.href)}); })
    .catch((err) => { console.error(${JSON.stringify(`${what} failed to start`)}, err); process.exit(1); });`;
  return new Worker(source, { ...options, eval: true });
}
