import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactClients, kw, type Proxy } from './helpers/artifact-clients.js';
import { artifactBackend, type ArtifactBackend } from './helpers/artifact-backends.js';
import { mintToken, startTestServer, userWith, type TestServer } from './helpers/test-server.js';
import type { UserInfo } from '@hypha/auth';

// duplicate and set_parent (server-api §4.4) with their permission checks, and specialized
// `get_file:` / `put_file:` tokens on the file routes (§2.1, §4.7), on the embedded setup.

const WS = `art-meth-${randomBytes(3).toString('hex')}`;
let backend: ArtifactBackend;
let t: TestServer;
const clients = new ArtifactClients(() => t.url);
let root: { server: Proxy; am: Proxy };
let writer: Proxy;
let reader: Proxy;
let rootWs: string;

beforeAll(async () => {
  backend = await artifactBackend('pglite+fs');
  t = await startTestServer(backend.options);
  root = await clients.connect(t.rootToken);
  rootWs = root.server.config.workspace;
  await root.server.createWorkspace({ id: WS, description: 'artifact methods', persistent: true }, true);
  writer = (await clients.connect(mintToken(t.authConfig, userWith('writer', { [WS]: 'rw' }, WS)), WS)).am;
  reader = (await clients.connect(mintToken(t.authConfig, userWith('reader', { [WS]: 'r' }, WS)), WS)).am;
}, 90_000);
afterAll(async () => {
  await clients.closeAll();
  await t?.close();
  await backend?.cleanup();
});

async function text(am: Proxy, id: string, path: string, o: Record<string, unknown> = {}): Promise<string> {
  return (await am.read_file(kw({ artifact_id: id, file_path: path, ...o }))).content as string;
}

describe('duplicate', () => {
  beforeAll(async () => {
    await root.am.create(kw({
      alias: `${WS}/src`, type: 'dataset', manifest: { name: 'Source', secrets: { k: 'v' } },
      config: { permissions: { '*': 'r' }, id_parts: { a: ['x'] } }, secrets: { TOKEN: 's3cret' }, stage: true,
    }));
    await root.am.write_file(kw({ artifact_id: `${WS}/src`, file_path: 'a.txt', content: 'alpha' }));
    await root.am.write_file(kw({ artifact_id: `${WS}/src`, file_path: 'dir/b.txt', content: 'beta' }));
    await root.am.commit(`${WS}/src`);
  });

  it('copies the manifest, config and files of the latest version into a new committed artifact', async () => {
    const copy = await writer.duplicate(kw({ source_artifact_id: `${WS}/src`, target_alias: 'copy' }));
    expect(copy).toMatchObject({ id: `${WS}/copy`, alias: 'copy', workspace: WS, type: 'dataset', file_count: 2, staging: null });
    expect(copy.manifest).toEqual({ name: 'Source' });
    expect(copy.versions).toHaveLength(1);
    expect(copy.config.id_parts).toBeUndefined();
    expect(copy.config.permissions).toMatchObject({ '*': 'r', writer: '*' });
    expect(await text(writer, `${WS}/copy`, 'a.txt')).toBe('alpha');
    expect(await text(writer, `${WS}/copy`, 'dir/b.txt')).toBe('beta');
    expect(await root.am.get_secret(kw({ artifact_id: `${WS}/copy` }))).toEqual({});
    // The source is untouched.
    expect(await text(root.am, `${WS}/src`, 'a.txt')).toBe('alpha');
  });

  it('keeps the manifest secrets when remove_secrets=False and can leave the copy staged', async () => {
    const copy = await root.am.duplicate(kw({ source_artifact_id: `${WS}/src`, target_alias: 'staged-copy', remove_secrets: false, stage: true }));
    expect(copy.versions).toEqual([]);
    expect(copy.staging).not.toBeNull();
    expect(copy.manifest).toEqual({ name: 'Source', secrets: { k: 'v' } });
    const listed = await root.am.list_files(kw({ artifact_id: `${WS}/staged-copy`, stage: true }));
    expect(listed.map((f: { name: string }) => f.name).sort()).toEqual(['a.txt', 'dir']);
    expect((await root.am.commit(`${WS}/staged-copy`)).file_count).toBe(2);
  });

  it('refuses an existing alias unless overwrite=True, and then replaces its files', async () => {
    await root.am.create(kw({ alias: `${WS}/taken`, manifest: { name: 'Taken' }, stage: true }));
    await root.am.write_file(kw({ artifact_id: `${WS}/taken`, file_path: 'old.txt', content: 'old' }));
    await root.am.commit(`${WS}/taken`);
    await expect(root.am.duplicate(kw({ source_artifact_id: `${WS}/src`, target_alias: 'taken' }))).rejects.toThrow(/already exists/);
    const copy = await root.am.duplicate(kw({ source_artifact_id: `${WS}/src`, target_alias: 'taken', overwrite: true }));
    expect(copy.manifest).toEqual({ name: 'Source' });
    expect(copy.file_count).toBe(2);
    const names = (await root.am.list_files(`${WS}/taken`)).map((f: { name: string }) => f.name).sort();
    expect(names).toEqual(['a.txt', 'dir']);
  });

  it('copies into another workspace and into a collection', async () => {
    const other = await root.am.duplicate(kw({ source_artifact_id: `${WS}/src`, target_workspace: rootWs, target_alias: 'from-ws' }));
    expect(other.id).toBe(`${rootWs}/from-ws`);
    expect(await text(root.am, `${rootWs}/from-ws`, 'dir/b.txt')).toBe('beta');
    await root.am.create(kw({ alias: `${WS}/shelf`, type: 'collection', manifest: { name: 'Shelf' } }));
    const child = await writer.duplicate(kw({ source_artifact_id: `${WS}/src`, target_parent_id: `${WS}/shelf`, target_alias: 'on-shelf' }));
    expect(child.parent_id).toBe(`${WS}/shelf`);
    await expect(root.am.duplicate(kw({ source_artifact_id: `${WS}/src`, target_parent_id: `${WS}/shelf`, target_workspace: rootWs })))
      .rejects.toThrow(/workspace must match the parent/i);
  });

  it('needs read on the source and write on the target, and a committed source', async () => {
    await expect(reader.duplicate(kw({ source_artifact_id: `${WS}/src`, target_alias: 'nope' }))).rejects.toThrow(/PermissionError/);
    await root.am.create(kw({ alias: `${rootWs}/hidden`, manifest: { name: 'Hidden' } }));
    await expect(writer.duplicate(kw({ source_artifact_id: `${rootWs}/hidden`, target_workspace: WS, target_alias: 'steal' })))
      .rejects.toThrow(/PermissionError.*'read'/);
    await root.am.create(kw({ alias: `${WS}/draft`, manifest: { name: 'Draft' }, stage: true }));
    await expect(root.am.duplicate(kw({ source_artifact_id: `${WS}/draft` }))).rejects.toThrow(/must be committed/);
    await expect(root.am.duplicate(kw({ source_artifact_id: `${WS}/missing` }))).rejects.toThrow(/KeyError/);
  });

  it('refuses a non-persistent target workspace', async () => {
    const temp = `art-tmp-${randomBytes(3).toString('hex')}`;
    await root.server.createWorkspace({ id: temp, description: 'temporary', persistent: false }, true);
    await expect(root.am.duplicate(kw({ source_artifact_id: `${WS}/src`, target_workspace: temp })))
      .rejects.toThrow(/non-persistent workspace/);
  });
});

describe('set_parent', () => {
  beforeAll(async () => {
    for (const alias of ['col-a', 'col-b']) {
      await root.am.create(kw({ alias: `${WS}/${alias}`, type: 'collection', manifest: { name: alias }, config: { permissions: { writer: 'rw+' } } }));
    }
    await root.am.create(kw({ alias: `${WS}/item`, parent_id: `${WS}/col-a`, manifest: { name: 'Item' } }));
  });

  const childAliases = async (collection: string) =>
    ((await root.am.list(kw({ parent_id: `${WS}/${collection}` }))) as Array<{ alias: string }>).map((a) => a.alias);

  it('moves an artifact to another collection and back out to the top level', async () => {
    const moved = await writer.set_parent(kw({ artifact_id: `${WS}/item`, new_parent_id: `${WS}/col-b` }));
    expect(moved.parent_id).toBe(`${WS}/col-b`);
    expect(await childAliases('col-b')).toEqual(['item']);
    expect(await childAliases('col-a')).toEqual([]);
    const orphan = await root.am.set_parent(kw({ artifact_id: `${WS}/item`, new_parent_id: null }));
    expect(orphan.parent_id).toBeNull();
    expect(await childAliases('col-b')).toEqual([]);
    expect((await root.am.read(kw({ artifact_id: `${WS}/item`, silent: true }))).parent_id).toBeNull();
    await root.am.set_parent(kw({ artifact_id: `${WS}/item`, new_parent_id: `${WS}/col-a` }));
    expect(await childAliases('col-a')).toEqual(['item']);
  });

  it('refuses cycles, self-parenting and another workspace', async () => {
    await root.am.create(kw({ alias: `${WS}/inner`, parent_id: `${WS}/col-a`, type: 'collection', manifest: { name: 'Inner' } }));
    await expect(root.am.set_parent(kw({ artifact_id: `${WS}/col-a`, new_parent_id: `${WS}/inner` }))).rejects.toThrow(/circular/);
    await expect(root.am.set_parent(kw({ artifact_id: `${WS}/col-a`, new_parent_id: `${WS}/col-a` }))).rejects.toThrow(/its own parent/);
    await root.am.create(kw({ alias: `${rootWs}/far`, type: 'collection', manifest: { name: 'Far' } }));
    await expect(root.am.set_parent(kw({ artifact_id: `${WS}/item`, new_parent_id: `${rootWs}/far` }))).rejects.toThrow(/different workspace/);
  });

  it('needs detach on the old parent and attach on the new one', async () => {
    await expect(reader.set_parent(kw({ artifact_id: `${WS}/item`, new_parent_id: `${WS}/col-b` }))).rejects.toThrow(/PermissionError.*detach/);
    // rw on the workspace does not replace detach granted by the collection (that needs admin)...
    await root.am.create(kw({ alias: `${WS}/locked`, type: 'collection', manifest: { name: 'Locked' }, config: { permissions: { writer: 'r' } } }));
    await root.am.create(kw({ alias: `${WS}/kept`, parent_id: `${WS}/locked`, manifest: { name: 'Kept' } }));
    await expect(writer.set_parent(kw({ artifact_id: `${WS}/kept`, new_parent_id: `${WS}/col-b` }))).rejects.toThrow(/detach/);
    // ...while a collection granting attach lets a reader move its own artifact in.
    await root.am.create(kw({ alias: `${WS}/open`, type: 'collection', manifest: { name: 'Open' }, config: { permissions: { reader: 'rw+' } } }));
    await root.am.create(kw({ alias: `${WS}/mine`, manifest: { name: 'Mine' }, config: { permissions: { reader: '*' } } }));
    await expect(reader.set_parent(kw({ artifact_id: `${WS}/mine`, new_parent_id: `${WS}/col-b` }))).rejects.toThrow(/attach/);
    expect((await reader.set_parent(kw({ artifact_id: `${WS}/mine`, new_parent_id: `${WS}/open` }))).parent_id).toBe(`${WS}/open`);
  });
});

describe('specialized file tokens', () => {
  let uuid: string;
  const url = (path: string, token: string, query = '') => `${t.url}/${WS}/artifacts/${path}?token=${encodeURIComponent(token)}${query}`;
  const token = (extra_scopes: string[], permission = 'read') =>
    root.server.generateToken({ workspace: WS, permission, extra_scopes, expires_in: 600 }) as Promise<string>;

  beforeAll(async () => {
    const a = await root.am.create(kw({ alias: `${WS}/tok`, manifest: { name: 'Tokens' }, stage: true }));
    uuid = a._id;
    await root.am.write_file(kw({ artifact_id: `${WS}/tok`, file_path: 'a.txt', content: 'alpha' }));
    await root.am.write_file(kw({ artifact_id: `${WS}/tok`, file_path: 'dir/b c.txt', content: 'bee see' }));
    await root.am.commit(`${WS}/tok`);
    await root.am.create(kw({ alias: `${WS}/tok2`, manifest: { name: 'Other' }, stage: true }));
    await root.am.write_file(kw({ artifact_id: `${WS}/tok2`, file_path: 'a.txt', content: 'other' }));
    await root.am.commit(`${WS}/tok2`);
  });

  it('downloads exactly the file a get_file token names, and nothing else', async () => {
    const one = await token([`get_file:${WS}/tok:a.txt`]);
    const ok = await fetch(url('tok/files/a.txt', one));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('alpha');
    const otherFile = await fetch(url('tok/files/dir/b%20c.txt', one));
    expect(otherFile.status).toBe(403);
    expect(await otherFile.text()).toContain(`requires scope 'get_file:${WS}/tok:dir%2Fb%20c.txt'`);
    expect((await fetch(url('tok2/files/a.txt', one))).status).toBe(403);
    // Not a general-purpose token: no reads, listings or zips with it.
    for (const path of ['tok', '', 'tok/children', 'tok/files/', 'tok/create-zip-file']) {
      const res = await fetch(url(path, one));
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      expect(await res.text()).toMatch(/Specialized token|does not match/);
    }
    // Also when presented in the Authorization header.
    const header = await fetch(`${t.url}/${WS}/artifacts/tok/files/dir/b%20c.txt`, { headers: { Authorization: `Bearer ${one}` } });
    expect(header.status).toBe(403);
  });

  it('accepts the uuid form, url-encoded paths and the * wildcard (which also lists files)', async () => {
    const encoded = await token([`get_file:${uuid}:${encodeURIComponent('dir/b c.txt')}`]);
    expect(await (await fetch(url('tok/files/dir/b%20c.txt', encoded))).text()).toBe('bee see');
    const all = await token([`get_file:${WS}/tok:*`]);
    expect(await (await fetch(url('tok/files/dir/b%20c.txt', all))).text()).toBe('bee see');
    const listing = await fetch(url('tok/files/', all));
    expect(listing.status).toBe(200);
    expect(((await listing.json()) as Array<{ name: string }>).map((f) => f.name).sort()).toEqual(['a.txt', 'dir']);
    const redirect = await fetch(url('tok/files/a.txt', all, '&use_proxy=false'), { redirect: 'manual' });
    expect(redirect.status).toBe(307);
    expect(await (await fetch(redirect.headers.get('location')!)).text()).toBe('alpha');
  });

  it('uploads exactly the file a put_file token names', async () => {
    await root.am.edit(kw({ artifact_id: `${WS}/tok`, stage: true }));
    const put = await token([`put_file:${WS}/tok:up.txt`], 'read_write');
    const up = await fetch(url('tok/files/up.txt', put), { method: 'PUT', body: 'uploaded' });
    expect(up.status).toBe(200);
    const elsewhere = await fetch(url('tok/files/down.txt', put), { method: 'PUT', body: 'nope' });
    expect(elsewhere.status).toBe(403);
    expect(await elsewhere.text()).toContain(`requires scope 'put_file:${WS}/tok:down.txt'`);
    expect((await fetch(url('tok/files/up.txt', put))).status).toBe(403); // put_file does not read
    const committed = await root.am.commit(`${WS}/tok`);
    expect(committed.file_count).toBe(3);
    expect(await text(root.am, `${WS}/tok`, 'up.txt')).toBe('uploaded');
  });

  it('grants nothing the token user could not do anyway', async () => {
    const outsider: UserInfo = { ...userWith('outsider', { 'ws-elsewhere': 'a' }, 'ws-elsewhere') };
    outsider.scope = { ...outsider.scope, extra_scopes: [`get_file:${WS}/tok:*`] };
    const res = await fetch(url('tok/files/a.txt', mintToken(t.authConfig, outsider)));
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/PermissionError/);
  });
});

describe('use_proxy and use_local_url', () => {
  const elsewhere = 'http://internal.example:8123';

  beforeAll(async () => {
    await root.am.create(kw({ alias: `${WS}/urls`, manifest: { name: 'URLs' }, stage: true }));
    await root.am.write_file(kw({ artifact_id: `${WS}/urls`, file_path: 'a b.txt', content: 'first' }));
    await root.am.commit(`${WS}/urls`);
  });

  const auth = () => ({ Authorization: `Bearer ${t.rootToken}` });

  it('get_file(use_proxy=True) hands out the server file route, counting the download once', async () => {
    await root.am.set_download_weight(kw({ artifact_id: `${WS}/urls`, file_path: 'a b.txt', download_weight: 1 }));
    const before = (await root.am.read(kw({ artifact_id: `${WS}/urls`, silent: true }))).download_count;
    const url: string = await root.am.get_file(kw({ artifact_id: `${WS}/urls`, file_path: 'a b.txt', use_proxy: true, version: 'v0' }));
    expect(url.startsWith(`${t.url}/${WS}/artifacts/urls/files/a%20b.txt?`)).toBe(true);
    expect(new URL(url).searchParams.get('version')).toBe('v0');
    expect((await fetch(url)).status).toBe(403); // the caller's own credentials are needed
    const res = await fetch(url, { headers: auth() });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('first');
    expect((await root.am.read(kw({ artifact_id: `${WS}/urls`, silent: true }))).download_count).toBe(before + 1);
  });

  it('put_file(use_proxy=True) hands out the server upload route, keeping the download weight', async () => {
    await root.am.edit(kw({ artifact_id: `${WS}/urls`, stage: true }));
    const url: string = await root.am.put_file(kw({ artifact_id: `${WS}/urls`, file_path: 'up.txt', use_proxy: true, download_weight: 2 }));
    expect(url.startsWith(`${t.url}/${WS}/artifacts/urls/files/up.txt?`)).toBe(true);
    const res = await fetch(url, { method: 'PUT', body: 'via proxy', headers: auth() });
    expect(res.status).toBe(200);
    const committed = await root.am.commit(`${WS}/urls`);
    expect(committed.config.download_weights).toEqual({ 'a b.txt': 1, 'up.txt': 2 });
    expect(await text(root.am, `${WS}/urls`, 'up.txt')).toBe('via proxy');
  });

  it('use_local_url swaps the base of presigned and proxy URLs', async () => {
    const direct: string = await root.am.get_file(kw({ artifact_id: `${WS}/urls`, file_path: 'a b.txt', use_local_url: elsewhere }));
    expect(direct.startsWith(`${elsewhere}/fs-blobs/`)).toBe(true);
    expect(await (await fetch(t.url + direct.slice(elsewhere.length))).text()).toBe('first');
    const proxied: string = await root.am.get_file(kw({ artifact_id: `${WS}/urls`, file_path: 'a b.txt', use_proxy: true, use_local_url: `${elsewhere}/` }));
    expect(proxied.startsWith(`${elsewhere}/${WS}/artifacts/urls/files/a%20b.txt?`)).toBe(true);
    const local: string = await root.am.get_file(kw({ artifact_id: `${WS}/urls`, file_path: 'a b.txt', use_local_url: true }));
    expect(await (await fetch(local)).text()).toBe('first');
    await expect(root.am.get_file(kw({ artifact_id: `${WS}/urls`, file_path: 'a b.txt', use_local_url: 'absolute' }))).rejects.toThrow(/use_local_url must be/);
    const redirect = await fetch(`${t.url}/${WS}/artifacts/urls/files/a%20b.txt?use_proxy=false&use_local_url=${encodeURIComponent(elsewhere)}`, {
      headers: { Authorization: `Bearer ${t.rootToken}` }, redirect: 'manual',
    });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get('location')!.startsWith(`${elsewhere}/fs-blobs/`)).toBe(true);
  });
});
