/**
 * Child process: our server (`@hypha/server` `startServer`) on 127.0.0.1 with embedded
 * defaults. `--redis <url>` joins a cluster through Redis. Reports "unavailable" while the
 * server package has no `startServer` yet.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { childArg, reportUnavailable, serveRunner } from '../harness/child-side.js';
import { benchRoot } from '../harness/child.js';

const serverIndex = resolve(benchRoot, '..', 'apps', 'server', 'src', 'index.ts');

async function main(): Promise<void> {
  if (!existsSync(serverIndex)) {
    reportUnavailable('apps/server/src/index.ts does not exist yet');
    return;
  }
  // A variable specifier: the package may not have its sources yet when this is typechecked.
  const specifier = '@hypha/server';
  const mod = (await import(specifier)) as Record<string, unknown>;
  const startServer = mod.startServer;
  if (typeof startServer !== 'function') {
    reportUnavailable('@hypha/server does not export startServer yet');
    return;
  }
  const redis = childArg('redis');
  const options: Record<string, unknown> = { host: '127.0.0.1', port: 0, quiet: true };
  if (redis) {
    options.redisUri = redis;
    options.redisKeyPrefix = childArg('redis-prefix') ?? '';
  }
  const server = (await startServer(options)) as { url?: string; port?: number; close?: () => Promise<void>; stop?: () => Promise<void> };
  const port = server.port;
  if (typeof port !== 'number') throw new Error('our-server-child: startServer result has no numeric port');
  const stop = server.close ?? server.stop;
  if (typeof stop !== 'function') throw new Error('our-server-child: startServer result has no close()');
  serveRunner({ port, url: `http://127.0.0.1:${port}` }, {}, () => stop.call(server));
}

await main();
