// Loads @junction/router, @junction/client (its Node entry) and @junction/wamp: from the run's
// snapshot of the built packages when run.mjs made one (JUNCTION_BENCH_SNAPSHOT), else from the
// workspace packages.

import path from 'node:path';
import { pathToFileURL } from 'node:url';

export async function loadJunction() {
  const base = process.env.JUNCTION_BENCH_SNAPSHOT;
  const load = (name, entry) => (base ? import(pathToFileURL(path.join(base, name, entry)).href) : import(`@junction/${name}`));
  const [router, client, wamp] = await Promise.all([load('router', 'dist/index.js'), load('client', 'dist/node.js'), load('wamp', 'dist/index.js')]);
  return { router, client, wamp };
}
