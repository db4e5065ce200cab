import type { Command } from 'commander';
import { createSwitchboard } from '../app.js';
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
      const sb = await createSwitchboard(config);
      await sb.listen();
      const log = sb.ctx.logger;
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'shutting down: finishing in-flight work');
        const force = setTimeout(() => {
          log.error('shutdown took too long; exiting');
          process.exit(1);
        }, config.shutdownGraceMs);
        force.unref();
        sb.close().then(
          () => {
            log.info('stopped cleanly');
            process.exit(0);
          },
          (err) => {
            log.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}
