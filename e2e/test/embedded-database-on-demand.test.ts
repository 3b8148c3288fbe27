import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactClients, kw } from './helpers/artifact-clients.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

// Issue #10 item 11: the embedded database (PGlite, ~130 MB resident) is opened when the artifact
// manager is first used, not at start, so an idle server stays small; the first call waits for it.

let dataDir: string;
let t: TestServer;
const clients = new ArtifactClients(() => t.url);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hypha-lazy-db-'));
  t = await startTestServer({ dataDir });
});
afterAll(async () => {
  await clients.closeAll();
  await t?.close();
  await rm(dataDir, { recursive: true, force: true });
}, 30_000);

describe('the embedded database', () => {
  it('is not opened by an idle server, and opens for the first artifact call', async () => {
    const pgVersion = join(dataDir, 'pglite', 'PG_VERSION');
    // Serving connections and service calls needs no database.
    const { server } = await clients.connect(t.rootToken);
    expect(await server.echo('no database needed')).toBe('no database needed');
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
    expect(existsSync(pgVersion)).toBe(false);

    // The first artifact call creates it (in a child process) and is answered.
    const { am } = await clients.connect(t.rootToken);
    const created = await am.create(kw({ alias: 'first', manifest: { name: 'First' }, workspace: 'ws-user-root' }));
    expect(created.alias).toBe('first');
    expect(existsSync(pgVersion)).toBe(true);
    expect((await am.read(kw({ artifact_id: 'ws-user-root/first' }))).manifest.name).toBe('First');
  }, 60_000);
});
