import './setup-websocket.js';
import { expect, it } from 'vitest';
import { connectSilently } from './silent-client.js';
import { startServer } from '../src/index.js';

// Regression: on close the server told clients to reconnect (1001) while still listening, and the
// stopping endpoint reset their new connections, so clients logged ECONNRESET traces.
it('stops listening before closing sockets, so a reconnecting client is refused, not reset', async () => {
  const server = await startServer({ port: 0, quiet: true });
  const errors: string[] = [];
  const describe = (x: any) => String(x?.message ?? x?.error?.message ?? x);
  const logger = {
    log() {},
    info() {},
    debug() {},
    warn() {},
    error: (...args: unknown[]) => errors.push(args.map(describe).join(' ')),
  };
  const client: any = await connectSilently({ server_url: server.url, logger });
  await server.close();
  for (let i = 0; i < 100 && !errors.some((e) => /ECONN/.test(e)); i++) await new Promise((r) => setTimeout(r, 20));
  await client.disconnect();
  const first = errors.find((e) => /ECONN/.test(e));
  expect(first).toMatch(/ECONNREFUSED/);
  expect(errors.filter((e) => /ECONNRESET/.test(e))).toEqual([]);
});
