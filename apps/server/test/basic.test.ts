import './setup-websocket.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSilently } from './silent-client.js';
import { startServer } from '../src/index.js';
import type { RunningServer } from '../src/index.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ port: 0, quiet: true });
});

afterAll(async () => {
  await server.close();
});

describe('hypha-rpc client against the server', () => {
  it('registers a service that a second client gets and calls', async () => {
    const provider = await connectSilently({ server_url: server.url });
    const ws = provider.config.workspace;
    expect(ws).toMatch(/^ws-user-anonymouz-/);
    await provider.registerService({
      id: 'hello',
      config: { visibility: 'public' },
      say: (name: string) => `hi ${name}`,
    });
    const caller: any = await connectSilently({ server_url: server.url });
    const svc = await caller.getService(`${ws}/hello`);
    expect(await svc.say('bob')).toBe('hi bob');
    expect(await caller.echo({ a: 1 })).toEqual({ a: 1 });
    await caller.disconnect();
    await provider.disconnect();
  });
});
