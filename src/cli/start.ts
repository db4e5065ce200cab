import type { Command } from 'commander';
import { createLogger, createSwitchboard, type Switchboard } from '../app.js';
import { loadConfig } from '../config.js';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('Run Switchboard: HTTP API, WebSocket, outbox relay (all modules in this process)')
    .option('-p, --port <port>', 'port to listen on (default: $PORT or 8080)')
    .option('--role <role>', 'which modules to run: all (cluster roles come with later modules)', 'all')
    .action(async (opts: { port?: string; role: string }) => {
      if (opts.role !== 'all') throw new Error(`role "${opts.role}" is not available yet; use --role all`);
      const config = loadConfig(process.env, opts.port ? { port: Number(opts.port) } : {});
      const log = createLogger(config);
      let stopping = false;
      const starting: Promise<Switchboard> = createSwitchboard(config, { logger: log });

      // Installed before start-up: a SIGTERM while PGlite initialises must not kill it mid-write.
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'shutting down: finishing in-flight work');
        const force = setTimeout(() => {
          log.error('shutdown took too long; exiting');
          process.exit(1);
        }, config.shutdownGraceMs);
        force.unref();
        try {
          await (await starting).close();
          log.info('stopped cleanly');
          process.exit(0);
        } catch (err) {
          log.error({ err }, 'shutdown failed');
          process.exit(1);
        }
      };
      process.once('SIGTERM', () => void stop('SIGTERM'));
      process.once('SIGINT', () => void stop('SIGINT'));

      const sb = await starting;
      if (!stopping) await sb.listen();
    });
}
