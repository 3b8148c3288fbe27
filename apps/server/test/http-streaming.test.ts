import './setup-websocket.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectToServer } from '@hypha/rpc';
import { startServer } from '../src/index.js';
import type { RunningServer } from '../src/index.js';
import { hashingApp, uploadAndHash } from './http-upload-check.js';

// A large generated upload through /{ws}/apps/{id}/... into a service that hashes it. The body
// (256 MiB here; 1 GiB by hand with `tsx --conditions=@hypha/source test/http-upload-check.ts 1024`)
// is larger than the RSS bound, so holding it whole anywhere in this process would fail.

const SIZE = 256 * 1024 * 1024;
let server: RunningServer;
let provider: any;

beforeAll(async () => {
  server = await startServer({ port: 0, quiet: true });
  provider = await connectToServer({ server_url: server.url, client_id: 'hasher', logger: null } as Parameters<typeof connectToServer>[0]);
  await provider.registerService({ id: 'hasher', type: 'asgi', config: { visibility: 'public' }, serve: hashingApp });
});

afterAll(async () => {
  await provider?.disconnect();
  await server?.close();
});

describe('streaming request bodies', () => {
  it('hashes a 256 MiB upload without holding it in memory', { timeout: 120_000 }, async () => {
    const r = await uploadAndHash(`${server.url}/${provider.config.workspace}/apps/hasher/upload`, SIZE);
    expect(r.received).toEqual({ size: SIZE, sha256: r.sent });
    expect(r.rssGrowth).toBeLessThan(200 * 1024 * 1024);
  });
});
