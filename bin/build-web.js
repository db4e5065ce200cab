#!/usr/bin/env node
// Builds the web apps (web/app, Vite) into web/app/dist. `--if-stale` skips the build when the
// sources have not changed since the last one (a hash of web/app and the lockfile, kept beside the
// build), which is what `npm start` and the test setup use; `npm install` and `npm run build` build.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const appDir = path.join(root, 'web/app');
const stampFile = path.join(appDir, 'dist/.source-hash');

function walk(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    if (name === 'dist' || name === 'node_modules') continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}

export function sourceHash() {
  const h = createHash('sha256');
  for (const f of [...walk(appDir, []), path.join(root, 'package-lock.json')]) {
    if (!existsSync(f)) continue;
    h.update(path.relative(root, f));
    h.update(readFileSync(f));
  }
  return h.digest('hex');
}

export async function buildWeb({ ifStale = false, quiet = false } = {}) {
  const hash = sourceHash();
  if (ifStale && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === hash) return false;
  const { build } = await import('vite');
  // Always the production build, whoever calls (vitest sets NODE_ENV=test, which would give React and
  // Ant Design their development builds).
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: path.join(appDir, 'vite.config.ts'),
      mode: 'production',
      logLevel: quiet ? 'warn' : 'info',
    });
  } finally {
    if (previous === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = previous;
  }
  writeFileSync(stampFile, hash);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const ifStale = process.argv.includes('--if-stale');
  try {
    const built = await buildWeb({ ifStale, quiet: process.argv.includes('--quiet') });
    if (!built) console.log('web apps: up to date (web/app/dist)');
  } catch (err) {
    console.error('web apps: the build failed —', err?.message ?? err);
    process.exit(1);
  }
}
