import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactClients, kw, type Proxy } from './helpers/artifact-clients.js';
import { artifactBackend, BACKENDS, type ArtifactBackend } from './helpers/artifact-backends.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

// The reference's rules and messages that clients match on (hypha's test_artifact.py): alias
// rules, deleting collections and versions, staged edits, discard, listings of staged files.

describe.each(BACKENDS)('artifact manager rules on %s', (backendName) => {
  let backend: ArtifactBackend;
  let t: TestServer;
  const clients = new ArtifactClients(() => t.url);
  let am: Proxy;

  beforeAll(async () => {
    backend = await artifactBackend(backendName);
    t = await startTestServer(backend.options);
    const root = await clients.connect(t.rootToken);
    am = root.am;
    // The embedded database opens in the background: wait for it here, not in the first test.
    await am.list(kw({}));
  }, 120_000);
  afterAll(async () => {
    await clients.closeAll();
    await t?.close();
    await backend?.cleanup();
  });

  const put = async (id: string, path: string, body: string, weight?: number) => {
    const url: string = await am.put_file(kw({ artifact_id: id, file_path: path, ...(weight !== undefined ? { download_weight: weight } : {}) }));
    expect((await fetch(url, { method: 'PUT', body })).status).toBe(200);
  };
  const names = async (id: string, o: Record<string, unknown> = {}) =>
    ((await am.list_files(kw({ artifact_id: id, ...o }))) as Array<{ name: string }>).map((f) => f.name).sort();

  it('refuses reserved and over-long aliases with the reference messages', async () => {
    await expect(am.create(kw({ alias: '-', manifest: { name: 'x' } }))).rejects.toThrow(/reserved/);
    await expect(am.create(kw({ alias: 'a'.repeat(65), manifest: { name: 'x' } }))).rejects.toThrow(/too long.*maximum is 64/);
    const ok = await am.create(kw({ alias: 'b'.repeat(64), manifest: { name: 'x' } }));
    expect(ok.alias).toBe('b'.repeat(64));
  });

  it('explains a missing bare alias with the cross-workspace note', async () => {
    await expect(am.read(kw({ artifact_id: 'no-such-thing' }))).rejects.toThrow(/Note: When working with artifacts from other workspaces/);
  });

  it('refuses to overwrite a collection with children; deleting it keeps the children as root artifacts', async () => {
    const col = await am.create(kw({ alias: 'rules-col', type: 'collection', manifest: { name: 'C' } }));
    const child = await am.create(kw({ alias: 'rules-child', parent_id: col.id, manifest: { name: 'child' } }));
    await expect(am.create(kw({ alias: 'rules-col', type: 'collection', manifest: { name: 'C2' }, overwrite: true })))
      .rejects.toThrow(/Cannot overwrite artifact .* as it has 1 child artifacts/);
    await am.delete(kw({ artifact_id: col.id }));
    const orphan = await am.read(kw({ artifact_id: child.id }));
    expect(orphan.parent_id).toBeNull();
  });

  it('lets a staged parent with a manifest take children, listed with filters={"version": "stage"}', async () => {
    const col = await am.create(kw({ alias: 'staged-col', type: 'collection', manifest: { name: 'S' }, stage: true }));
    await am.create(kw({ parent_id: col.id, manifest: { name: 'one', description: 'a dataset' }, version: 'stage' }));
    await am.create(kw({ parent_id: col.id, manifest: { name: 'two', description: 'a dataset' }, version: 'stage' }));
    expect(await am.list(kw({ parent_id: col.id }))).toHaveLength(0);
    const staged = await am.list(kw({ parent_id: col.id, filters: { version: 'stage', manifest: { description: '*dataset*' } } }));
    expect(staged).toHaveLength(2);
  });

  it('deletes any committed version (later ones keep their files) with the reference messages', async () => {
    const a = await am.create(kw({ alias: 'versions', manifest: { name: 'V' }, stage: true }));
    await put(a.id, 'a.txt', 'zero');
    await am.commit(kw({ artifact_id: a.id }));
    for (const v of ['v1', 'v2']) {
      await am.edit(kw({ artifact_id: a.id, stage: true, version: 'new' }));
      await put(a.id, `${v}.txt`, v);
      await am.commit(kw({ artifact_id: a.id, version: v }));
    }
    expect(await names(a.id, { version: 'v2' })).toEqual(['v2.txt']);
    await expect(am.delete(kw({ artifact_id: a.id, version: 'v5' }))).rejects.toThrow(/Version 'v5' does not exist. Available versions: \['v0', 'v1', 'v2'\]/);
    await expect(am.delete(kw({ artifact_id: a.id, version: 10 }))).rejects.toThrow(/Version index 10 is out of range/);
    await expect(am.delete(kw({ artifact_id: a.id, version: 'stage' }))).rejects.toThrow(/Cannot delete staged version. The artifact is not in staging mode/);
    await am.delete(kw({ artifact_id: a.id, version: 'v1' }));
    const read = await am.read(kw({ artifact_id: a.id }));
    expect(read.versions.map((v: { version: string }) => v.version)).toEqual(['v0', 'v2']);
    expect(await names(a.id, { version: 'v2' })).toEqual(['v2.txt']);
    expect((await am.read_file(kw({ artifact_id: a.id, file_path: 'v2.txt', version: 'v2' }))).content).toBe('v2');
    await am.edit(kw({ artifact_id: a.id, stage: true }));
    await expect(am.delete(kw({ artifact_id: a.id, version: 'stage' })))
      .rejects.toThrow(/Cannot delete staged version. The artifact is in staging mode. Please use the 'discard' function instead/);
  });

  it('edit(version="new") adds a version; edit(stage=False) of a staged artifact commits it', async () => {
    const a = await am.create(kw({ alias: 'edits', manifest: { name: 'E' } }));
    const edited = await am.edit(kw({ artifact_id: a.id, manifest: { name: 'E2' }, version: 'new' }));
    expect(edited.versions.map((v: { version: string }) => v.version)).toEqual(['v0', 'v1']);
    expect(edited.manifest).toEqual({ name: 'E2' });
    await am.edit(kw({ artifact_id: a.id, manifest: { name: 'E3' }, stage: true, version: 'new' }));
    const committed = await am.edit(kw({ artifact_id: a.id, manifest: { name: 'E4' } }));
    expect(committed.versions).toHaveLength(3);
    expect(committed.staging).toBeNull();
    expect(committed.manifest).toEqual({ name: 'E4' });
    // An in-place staged edit keeps the latest version's name, whatever commit(version=...) says.
    await am.edit(kw({ artifact_id: a.id, manifest: { name: 'E5' }, stage: true }));
    const inPlace = await am.commit(kw({ artifact_id: a.id, version: 'ignored', comment: 'same version' }));
    expect(inPlace.versions.map((v: { version: string }) => v.version)).toEqual(['v0', 'v1', 'v2']);
    expect(inPlace.versions[2].comment).toBe('same version');
  });

  it('discard restores committed files, drops added ones, and clears staging', async () => {
    const a = await am.create(kw({ alias: 'discards', manifest: { name: 'D' }, stage: true }));
    await expect(am.discard(kw({ artifact_id: 'discards-none' }))).rejects.toThrow(/does not exist/);
    await put(a.id, 'keep.txt', 'committed');
    await am.commit(kw({ artifact_id: a.id }));
    await expect(am.discard(kw({ artifact_id: a.id }))).rejects.toThrow(/No staged changes to discard/);
    await am.edit(kw({ artifact_id: a.id, stage: true }));
    await put(a.id, 'keep.txt', 'overwritten');
    await put(a.id, 'new.txt', 'added');
    const discarded = await am.discard(kw({ artifact_id: a.id }));
    expect(discarded.staging).toBeNull();
    expect(await names(a.id)).toEqual(['keep.txt']);
    expect((await am.read_file(kw({ artifact_id: a.id, file_path: 'keep.txt' }))).content).toBe('committed');
  });

  it('lists staged files with their download weights and pending uploads, also before the first commit', async () => {
    const a = await am.create(kw({ alias: 'pending', manifest: { name: 'P' }, stage: true }));
    await am.put_file(kw({ artifact_id: a.id, file_path: 'sub/later.txt', download_weight: 0.5 }));
    await put(a.id, 'heavy.txt', 'x', 1.5);
    await put(a.id, 'light.txt', 'y', 0);
    const staged = await am.list_files(kw({ artifact_id: a.id, version: 'stage', include_pending: true }));
    const byName = Object.fromEntries(staged.map((f: { name: string }) => [f.name, f]));
    expect(byName['heavy.txt'].download_weight).toBe(1.5);
    expect('download_weight' in byName['light.txt']).toBe(false);
    expect(byName['sub/later.txt']).toMatchObject({ pending: true, download_weight: 0.5 });
    // Before the first commit, the staged folder is what the artifact lists.
    expect(await names(a.id, { include_pending: true })).toEqual(['heavy.txt', 'light.txt', 'sub/later.txt']);
    const read = await am.read_file(kw({ artifact_id: a.id, file_path: 'heavy.txt', version: 'stage' }));
    expect(read).toMatchObject({ name: 'heavy.txt', content: 'x' });
    await expect(am.read_file(kw({ artifact_id: a.id, file_path: 'missing.txt', version: 'stage' }))).rejects.toThrow(/not found/);
    await expect(am.put_file_start_multipart(kw({ artifact_id: a.id, file_path: 'm.bin', part_count: 0 }))).rejects.toThrow(/Part count must be greater than 0/);
  });
});
