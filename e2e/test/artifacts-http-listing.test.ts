import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactClients, kw, type Proxy } from './helpers/artifact-clients.js';
import { artifactBackend, BACKENDS, type ArtifactBackend } from './helpers/artifact-backends.js';
import { mintToken, startTestServer, userWith, type TestServer } from './helpers/test-server.js';

// The workspace-level listing routes (`/{ws}/artifacts/`, `/-/search`, `/children`) as the
// reference serves them to browsers: anyone may list a workspace's top-level artifacts, but
// (unlike the reference, which lists every artifact to everyone) a caller who is not a member
// sees only the artifacts whose own permissions grant them `list`. Listings are cached for 60 s
// per caller; `no_cache=true` skips the cache.

const names = (items: Array<{ manifest: { name: string } }>) => new Set(items.map((i) => i.manifest.name));

describe.each(BACKENDS)('artifact listing routes on %s', (backendName) => {
  let backend: ArtifactBackend;
  let t: TestServer;
  const clients = new ArtifactClients(() => t.url);
  let am: Proxy;
  let ws: string;
  let token: string;

  beforeAll(async () => {
    backend = await artifactBackend(backendName);
    t = await startTestServer(backend.options);
    await t.server.artifacts?.ready;
    token = mintToken(t.authConfig, userWith('lister', { 'ws-user-lister': 'a' }));
    const c = await clients.connect(token);
    am = c.am;
    ws = c.server.config.workspace;
    const col = await am.create(kw({ type: 'collection', manifest: { name: 'Root Collection', description: 'Root level' }, config: { permissions: { '*': 'r', '@': 'rw+' } } }));
    await am.create(kw({ type: 'dataset', manifest: { name: 'Root Dataset', description: 'Root level, public' }, config: { permissions: { '*': 'r' } } }));
    await am.create(kw({ type: 'dataset', manifest: { name: 'Private Dataset', description: 'Root level, owner only' } }));
    await am.create(kw({ type: 'dataset', parent_id: col.id, manifest: { name: 'Child Dataset', description: 'in the collection' } }));
    await am.create(kw({ type: 'collection', manifest: { name: 'Staged Collection' }, config: { permissions: { '*': 'r' } }, stage: true }));
  }, 120_000);
  afterAll(async () => {
    await clients.closeAll();
    await t?.close();
    await backend?.cleanup();
  });

  const get = async (path: string, auth?: string) => {
    const res = await fetch(`${t.url}/${ws}/artifacts/${path}`, auth ? { headers: { Authorization: `Bearer ${auth}` } } : {});
    expect(res.status).toBe(200);
    return res.json();
  };

  it('lists top-level artifacts to anonymous callers, limited to the ones they may list', async () => {
    expect(names(await get(''))).toEqual(new Set(['Root Collection', 'Root Dataset']));
    expect(names(await get('?stage=true'))).toEqual(new Set(['Staged Collection']));
    expect(names(await get('?stage=all'))).toEqual(new Set(['Root Collection', 'Root Dataset', 'Staged Collection']));
    expect(names(await get(`?filters=${encodeURIComponent(JSON.stringify({ type: 'collection' }))}`))).toEqual(new Set(['Root Collection']));
    const page = await get('?pagination=true&limit=1&order_by=created_at');
    expect(page.items).toHaveLength(1);
    expect(page.total).toBe(2);
    expect(page.items[0].manifest.name).toBe('Root Collection');
    const second = await get('?pagination=true&limit=1&offset=1&order_by=created_at');
    expect(second.items[0].manifest.name).toBe('Root Dataset');
    // Workspace-wide search reaches the child, which the collection lets everyone read.
    expect(names(await get('-/search?keywords=Dataset'))).toEqual(new Set(['Root Dataset', 'Child Dataset']));
  });

  it('lists everything to the workspace owner', async () => {
    expect(names(await get('?no_cache=true', token))).toEqual(new Set(['Root Collection', 'Root Dataset', 'Private Dataset']));
    expect((await am.list(kw({}))).map((a: any) => a.manifest.name).sort()).toEqual(['Private Dataset', 'Root Collection', 'Root Dataset']);
  });

  it('answers repeated listings from a 60 s cache per caller, unless no_cache=true', async () => {
    const [col] = await am.list(kw({ filters: { type: 'collection' } }));
    expect(names(await get(`${col.alias}/children`))).toEqual(new Set(['Child Dataset']));
    await am.create(kw({ type: 'dataset', parent_id: col.id, manifest: { name: 'Late Child' } }));
    expect(names(await get(`${col.alias}/children`))).toEqual(new Set(['Child Dataset']));
    expect(names(await get(`${col.alias}/children?no_cache=true`))).toEqual(new Set(['Child Dataset', 'Late Child']));
    // Another caller does not get the anonymous caller's cached answer.
    expect(names(await get(`${col.alias}/children`, token))).toEqual(new Set(['Child Dataset', 'Late Child']));
  });

  it('refuses a listing of a collection the caller may not list', async () => {
    const hidden = await am.create(kw({ type: 'collection', alias: 'hidden-col', manifest: { name: 'Hidden' } }));
    const res = await fetch(`${t.url}/${ws}/artifacts/${hidden.alias}/children`);
    expect(res.status).toBe(403);
  });
});
