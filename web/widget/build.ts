import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Bundles the web chat widget (web/widget/src) into one minified script, dist/widget.js. `npm run
 * build:widget` runs it; the server runs it too when dist is missing or older than the sources, so
 * a fresh clone serves the widget with no build step (esbuild comes with tsx, a runtime dependency).
 */
const ROOT = path.dirname(fileURLToPath(import.meta.url));
const SOURCES = path.join(ROOT, 'src');
export const BUNDLE_PATH = path.join(ROOT, 'dist', 'widget.js');

export interface WidgetBundle {
  code: Buffer;
  etag: string;
  /** True when this call built it (dist was missing or stale). */
  built: boolean;
}

async function newestSourceMtime(dir = SOURCES): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const mtime = entry.isDirectory() ? await newestSourceMtime(full) : (await stat(full)).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

export async function buildWidget(): Promise<Buffer> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [path.join(SOURCES, 'index.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020', 'safari14'],
    // Chinese strings stay readable bytes instead of \u escapes: smaller, and served as UTF-8.
    charset: 'utf8',
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no widget bundle');
  return Buffer.from(output.contents);
}

/** dist/widget.js, rebuilt first when a source is newer. Another process may build at the same time: rename is atomic. */
export async function loadWidgetBundle(onWriteError?: (err: unknown) => void): Promise<WidgetBundle> {
  const [dist, newest] = await Promise.all([stat(BUNDLE_PATH).catch(() => undefined), newestSourceMtime()]);
  let code: Buffer;
  let built = false;
  if (dist && dist.mtimeMs >= newest) {
    code = await readFile(BUNDLE_PATH);
  } else {
    code = await buildWidget();
    built = true;
    try {
      await mkdir(path.dirname(BUNDLE_PATH), { recursive: true });
      const tmp = `${BUNDLE_PATH}.${process.pid}.tmp`;
      await writeFile(tmp, code);
      await rename(tmp, BUNDLE_PATH);
    } catch (err) {
      // A read-only install still serves the bundle it built in memory.
      onWriteError?.(err);
    }
  }
  const etag = `"${createHash('sha256').update(code).digest('base64url').slice(0, 27)}"`;
  return { code, etag, built };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const code = await buildWidget();
  await mkdir(path.dirname(BUNDLE_PATH), { recursive: true });
  await writeFile(BUNDLE_PATH, code);
  process.stdout.write(`${path.relative(process.cwd(), BUNDLE_PATH)}: ${code.length} bytes\n`);
}
