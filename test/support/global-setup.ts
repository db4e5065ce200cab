// Once per `vitest run`: the browser tests load the web apps from web/app/dist, so build them when
// their sources changed since the last build (a no-op on a fresh `npm ci`, which builds them).
// @ts-expect-error plain JavaScript module without types
import { buildWeb } from '../../bin/build-web.js';

export default async function setup(): Promise<void> {
  await buildWeb({ ifStale: true, quiet: true });
}
