import pino from 'pino';
import { openDatabase } from '../app.js';
import { createMemoryBus } from '../bus/index.js';
import type { ChannelDeps } from '../channels/index.js';
import { loadConfig } from '../config.js';
import { createCipher, loadMasterKey } from '../security/index.js';
import { createOutbox, type StoreDeps } from '../storage/index.js';

/**
 * Opens the configured database for one CLI command. Events written here stay in the outbox
 * until a running server's relay publishes them.
 */
export async function withStore<T>(work: (deps: ChannelDeps) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const storage = await openDatabase(config);
  const outbox = createOutbox({ db: storage.db, bus: createMemoryBus(), logger: pino({ level: 'silent' }) });
  try {
    return await work({
      db: storage.db,
      outbox,
      cipher: createCipher(loadMasterKey(config.masterKey, config.dataDir).key),
    });
  } finally {
    await storage.close();
  }
}

export async function tenantBySlug(deps: StoreDeps, slug: string): Promise<string> {
  const row = await deps.db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirst();
  if (!row) throw new Error(`there is no tenant "${slug}"; see: switchboard tenant list`);
  return row.id;
}

/** A password from the option, or asked for on the terminal without echo, or read from stdin. */
export async function readPassword(given: string | undefined, prompt = 'password: '): Promise<string> {
  if (given) return given;
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  if (process.stdin.isTTY) {
    const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput;
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.startsWith(prompt)) write.call(rl, prompt);
    };
  }
  const answer = await new Promise<string>((resolve) => rl.question(prompt, resolve));
  rl.close();
  if (process.stdin.isTTY) process.stdout.write('\n');
  return answer.trim();
}
