import { type ChildProcess, execFile, spawn } from 'node:child_process';
import path from 'node:path';

export const BIN = path.resolve('bin/switchboard.js');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
  /** Resolves with the exit code (null after a signal), however long ago it exited. */
  exited: Promise<number | null>;
}

/** `switchboard start` as a real process; resolves once its "listening" log line names the address. */
export async function startServer(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line within 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = out.match(/"address":"(http:\/\/[^"]+)".*switchboard is listening/);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', () => reject(new Error(`exited before listening:\n${out}`)));
  });
  return { child, url, output: () => out, exited };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** One `switchboard …` command as a child process; never rejects, the exit code tells. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  timeout = 120_000,
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
