import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactClients, kw, type Proxy } from './helpers/artifact-clients.js';
import { artifactBackend, BACKENDS, type ArtifactBackend } from './helpers/artifact-backends.js';
import { mintToken, startTestServer, userWith, type TestServer } from './helpers/test-server.js';

// What a collection's own permissions allow its contributors (the reference's "controlled
// collections", test_artifact.py): drafts without attach, append-only collections, collections
// that do not let committed versions be modified (`mutate`), and reads that need the collection
// to grant them too (private drop-boxes in the public workspace).

describe.each(BACKENDS)('collection-controlled contributions on %s', (backendName) => {
  let backend: ArtifactBackend;
  let t: TestServer;
  const clients = new ArtifactClients(() => t.url);
  let root: Proxy;
  let owner: Proxy;
  let ownerId: string;
  let other: Proxy;
  let otherId: string;
  let otherWs: string;
  let ownerToken: string;
  let otherToken: string;

  beforeAll(async () => {
    backend = await artifactBackend(backendName);
    t = await startTestServer(backend.options);
    root = (await clients.connect(t.rootToken)).am;
    await t.server.artifacts?.ready;
    ownerId = 'cc-owner';
    otherId = 'cc-other';
    otherWs = `ws-user-${otherId}`;
    ownerToken = mintToken(t.authConfig, userWith(ownerId, { [`ws-user-${ownerId}`]: 'a' }));
    otherToken = mintToken(t.authConfig, userWith(otherId, { [otherWs]: 'a' }));
    owner = (await clients.connect(ownerToken)).am;
    other = (await clients.connect(otherToken)).am;
  }, 120_000);
  afterAll(async () => {
    await clients.closeAll();
    await t?.close();
    await backend?.cleanup();
  });

  it('lets l+ contributors draft but not commit until the owner grants attach', async () => {
    const repo = await owner.create(kw({
      type: 'collection', alias: 'controlled-repo', manifest: { name: 'Controlled' },
      config: { permissions: { [ownerId]: '*', '@': 'l+' } },
    }));
    const draft = await other.create(kw({ parent_id: repo.id, alias: 'submission', manifest: { name: 'S' }, stage: true }));
    await expect(other.commit(draft.id)).rejects.toThrow(/permission.*attach/);
    await owner.edit(kw({ artifact_id: repo.id, config: { permissions: { [ownerId]: '*', [otherId]: 'r+', '@': 'l+' } } }));
    const committed = await other.commit(draft.id);
    expect(committed.versions).toHaveLength(1);
  });

  it('refuses deletion without detach (append-only collections)', async () => {
    const col = await owner.create(kw({
      type: 'collection', alias: 'append-only', manifest: { name: 'A' }, config: { permissions: { [ownerId]: '*', '@': 'r+' } },
    }));
    const rec = await other.create(kw({ parent_id: col.id, alias: 'record', manifest: { name: 'R' } }));
    await expect(other.delete(rec.id)).rejects.toThrow(/permission.*detach/);
    expect((await owner.read(rec.id)).manifest.name).toBe('R');
  });

  it('refuses direct edits of committed children without mutate, but takes new staged versions', async () => {
    const col = await owner.create(kw({
      type: 'collection', alias: 'no-mutate', manifest: { name: 'N' }, config: { permissions: { [ownerId]: '*', '@': 'r+' } },
    }));
    const child = await other.create(kw({ parent_id: col.id, alias: 'fixed', manifest: { name: 'F', version: '1.0' } }));
    await expect(other.edit(kw({ artifact_id: child.id, manifest: { name: 'F', version: '1.1' } })))
      .rejects.toThrow(/Collection 'no-mutate' does not allow modification of committed versions \(no mutate permission\)/);
    expect((await other.read(child.id)).manifest.version).toBe('1.0');
    await other.edit(kw({ artifact_id: child.id, manifest: { name: 'F', version: '2.0' }, stage: true }));
    const committed = await other.commit(child.id);
    expect(committed.manifest.version).toBe('2.0');
    // The collection's owner (admin of its workspace) may still modify committed versions.
    const edited = await owner.edit(kw({ artifact_id: child.id, manifest: { name: 'F', version: '2.1' } }));
    expect(edited.manifest.version).toBe('2.1');
    // A collection that grants rw (which includes mutate) lets its contributors edit in place.
    await owner.edit(kw({ artifact_id: col.id, config: { permissions: { [ownerId]: '*', '@': 'rw+' } } }));
    expect((await other.edit(kw({ artifact_id: child.id, manifest: { name: 'F', version: '2.2' } }))).manifest.version).toBe('2.2');
  });

  it('needs commit as well as edit for an edit that is not staged', async () => {
    const a = await owner.create(kw({ alias: 'draft-only', manifest: { name: 'D' }, config: { permissions: { [otherId]: 'rd+' } } }));
    await expect(other.edit(kw({ artifact_id: a.id, manifest: { name: 'D2' } }))).rejects.toThrow(/permission.*'commit'/);
    const staged = await other.edit(kw({ artifact_id: a.id, manifest: { name: 'D2' }, stage: true }));
    expect(staged.staging).not.toBeNull();
  });

  it('refuses children in a read-only collection with the attach message', async () => {
    const col = await owner.create(kw({
      type: 'collection', alias: 'read-only-col', manifest: { name: 'I' }, config: { permissions: { [ownerId]: '*', '@': 'r' } },
    }));
    await expect(other.create(kw({ parent_id: col.id, manifest: { name: 'x' } }))).rejects.toThrow(/permission.*attach/);
  });

  it('keeps a public drop-box write-only: writers see neither the children they addressed to others nor their contents', async () => {
    const inbox = await root.create(kw({
      type: 'collection', alias: 'xws-inbox', workspace: 'public', manifest: { name: 'Inbox', description: 'drop-box' },
      config: { permissions: { '@': 'lf+' }, private_children: true, recipient_field: 'recipientEmail' },
    }));
    const recipient = `${otherId}@example.com`;
    const child = await owner.create(kw({
      type: 'dataset', parent_id: inbox.id, manifest: { name: 'invite', recipientEmail: recipient },
      config: { permissions: { [recipient]: 'r' } }, version: 'stage',
    }));
    await owner.commit(kw({ artifact_id: child.id }));
    expect(child.id.startsWith('public/')).toBe(true);
    expect((await other.list(kw({ parent_id: inbox.id }))).map((c: any) => c.manifest.recipientEmail)).toEqual([recipient]);
    expect(await owner.list(kw({ parent_id: inbox.id }))).toEqual([]);
    // The writer holds '*' on the child, but the collection grants no read: reads need both.
    await expect(owner.read(kw({ artifact_id: child.id }))).rejects.toThrow(/permission to perform the operation 'read' on the parent collection public\/xws-inbox/);
    await expect(owner.get_file(kw({ artifact_id: child.id, file_path: 'a.txt' }))).rejects.toThrow(/'get_file' on the parent collection/);
    // lf+ grants list_files on the collection, so the writer may list what the child holds.
    expect(await owner.list_files(kw({ artifact_id: child.id }))).toEqual([]);
    expect((await root.list(kw({ parent_id: inbox.id }))).map((c: any) => c.manifest.recipientEmail)).toEqual([recipient]);
    // A workspace-wide search of `public` keeps the same recipient scoping.
    const search = async (token: string) => {
      const res = await fetch(`${t.url}/public/artifacts/-/search?no_cache=true`, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      return ((await res.json()) as Array<{ id: string }>).map((a) => a.id).sort();
    };
    expect(await search(otherToken)).toEqual([child.id, inbox.id].sort());
    expect(await search(ownerToken)).toEqual([inbox.id]);
  });

  it('names a negative download weight and an unknown upload with the reference messages', async () => {
    const a = await owner.create(kw({ alias: 'weights', manifest: { name: 'W' }, stage: true }));
    for (const call of [
      () => owner.put_file(kw({ artifact_id: a.id, file_path: 'x.bin', download_weight: -1 })),
      () => owner.put_file_start_multipart(kw({ artifact_id: a.id, file_path: 'x.bin', part_count: 1, download_weight: -1 })),
      () => owner.set_download_weight(kw({ artifact_id: a.id, file_path: 'x.bin', download_weight: -1 })),
    ]) {
      await expect(call()).rejects.toThrow(/Download weight must be a non-negative number, got -1/);
    }
    await expect(owner.put_file_complete_multipart(kw({ artifact_id: a.id, upload_id: 'invalid-upload-id', parts: [{ part_number: 1, etag: '"x"' }] })))
      .rejects.toThrow(/ValueError: Upload session expired or not found \(upload_id 'invalid-upload-id'\)/);
  });
});
