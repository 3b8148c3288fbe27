import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactClients, kw, type Proxy } from './helpers/artifact-clients.js';
import { artifactBackend, POSTGRES_URI, type ArtifactBackend } from './helpers/artifact-backends.js';
import { mintToken, startTestServer, userWith, type TestServer } from './helpers/test-server.js';
import pg from 'pg';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Who may do what (server-api §4.3, §2.3): workspace permissions, artifact permissions with
// `*`, `@` and user keys, the parent fallback for reads, and read-only anonymous workspaces.

const WS = `art-perm-${randomBytes(3).toString('hex')}`;
type Role = 'anonymous' | 'reader' | 'writer' | 'admin';
const ROLES: Role[] = ['anonymous', 'reader', 'writer', 'admin'];

let backend: ArtifactBackend;
let t: TestServer;
const clients = new ArtifactClients(() => t.url);
let root: { server: Proxy; am: Proxy };
const am: Partial<Record<Role, Proxy>> = {};
let livenessBeforeReady = false;

beforeAll(async () => {
  backend = await artifactBackend('pglite+fs');
  t = await startTestServer(backend.options);
  let ready = false;
  void t.server.artifacts!.ready.then(() => (ready = true));
  const live = await fetch(`${t.url}/health/liveness`);
  livenessBeforeReady = live.status === 200 && !ready;
  root = await clients.connect(t.rootToken);
  await root.server.createWorkspace({ id: WS, description: 'artifact permissions' }, true);
  const levels = { reader: 'r', writer: 'rw', admin: 'a' } as const;
  for (const role of ['reader', 'writer', 'admin'] as const) {
    const token = mintToken(t.authConfig, userWith(role, { [WS]: levels[role] }, WS));
    am[role] = (await clients.connect(token, WS)).am;
  }
  am.anonymous = (await clients.connect()).am;
}, 90_000);
afterAll(async () => {
  await clients.closeAll();
  await t?.close();
  await backend?.cleanup();
});

it('answers liveness while the embedded database is still opening', () => {
  expect(livenessBeforeReady).toBe(true);
});

describe('permission matrix on workspace permissions', () => {
  let n = 0;
  /** A fresh artifact in the shared collection, committed with one file (or left staged). */
  async function fixture(staged = false): Promise<string> {
    const alias = `fx-${n++}`;
    await root.am.create(kw({ alias, parent_id: `${WS}/col`, manifest: { name: alias }, stage: true }));
    await root.am.write_file(kw({ artifact_id: `${WS}/${alias}`, file_path: 'a.txt', content: 'a' }));
    if (!staged) await root.am.commit(`${WS}/${alias}`);
    return `${WS}/${alias}`;
  }

  const ops: Record<string, { allowed: Role[]; run: (p: Proxy) => Promise<unknown> }> = {
    read: { allowed: ['reader', 'writer', 'admin'], run: async (p) => p.read(await fixture()) },
    list: { allowed: ['reader', 'writer', 'admin'], run: (p) => p.list(kw({ parent_id: `${WS}/col` })) },
    list_files: { allowed: ['reader', 'writer', 'admin'], run: async (p) => p.list_files(await fixture()) },
    get_file: { allowed: ['reader', 'writer', 'admin'], run: async (p) => p.get_file(kw({ artifact_id: await fixture(), file_path: 'a.txt' })) },
    read_file: { allowed: ['reader', 'writer', 'admin'], run: async (p) => p.read_file(kw({ artifact_id: await fixture(), file_path: 'a.txt' })) },
    create: { allowed: ['writer', 'admin'], run: (p) => p.create(kw({ parent_id: `${WS}/col`, manifest: { name: 'new' } })) },
    create_top_level: { allowed: ['writer', 'admin'], run: (p) => p.create(kw({ workspace: WS, manifest: { name: 'top' } })) },
    // `col` grants no `mutate`: committed children are edited in place only by workspace admins,
    // and by writers through a staged edit.
    edit: { allowed: ['admin'], run: async (p) => p.edit(kw({ artifact_id: await fixture(), manifest: { name: 'edited' } })) },
    edit_staged: { allowed: ['writer', 'admin'], run: async (p) => p.edit(kw({ artifact_id: await fixture(), manifest: { name: 'edited' }, stage: true })) },
    put_file: { allowed: ['writer', 'admin'], run: async (p) => p.put_file(kw({ artifact_id: await fixture(true), file_path: 'b.txt' })) },
    write_file: { allowed: ['writer', 'admin'], run: async (p) => p.write_file(kw({ artifact_id: await fixture(true), file_path: 'b.txt', content: 'b' })) },
    remove_file: { allowed: ['writer', 'admin'], run: async (p) => p.remove_file(kw({ artifact_id: await fixture(true), file_path: 'a.txt' })) },
    commit: { allowed: ['writer', 'admin'], run: async (p) => p.commit(await fixture(true)) },
    discard: { allowed: ['writer', 'admin'], run: async (p) => p.discard(await fixture(true)) },
    set_secret: { allowed: ['writer', 'admin'], run: async (p) => p.set_secret(kw({ artifact_id: await fixture(), secret_key: 'K', secret_value: 'v' })) },
    get_secret: { allowed: ['admin'], run: async (p) => p.get_secret(kw({ artifact_id: await fixture() })) },
    reset_stats: { allowed: ['admin'], run: async (p) => p.reset_stats(await fixture()) },
    delete: { allowed: ['admin'], run: async (p) => p.delete(kw({ artifact_id: await fixture(), delete_files: true })) },
  };

  beforeAll(async () => {
    await root.am.create(kw({ alias: 'col', workspace: WS, type: 'collection', manifest: { name: 'Collection' } }));
  });

  for (const [op, spec] of Object.entries(ops)) {
    it.each(ROLES)(`${op} by %s`, async (role) => {
      const call = spec.run(am[role]!);
      if (spec.allowed.includes(role)) await expect(call).resolves.not.toThrow();
      else await expect(call).rejects.toThrow(/PermissionError|permission|Anonymous users cannot/);
    });
  }
});

describe('artifact permissions', () => {
  it('grants by *, @ and user keys, falls back to the parent for reads only, and lets creators manage their own', async () => {
    const stranger = mintToken(t.authConfig, userWith('stranger', {}));
    const s = (await clients.connect(stranger)).am;
    await root.am.create(kw({
      alias: 'open', workspace: WS, type: 'collection', manifest: { name: 'Open' },
      config: { permissions: { '*': 'r', '@': 'r+' } },
    }));
    await root.am.create(kw({ alias: 'inside', parent_id: `${WS}/open`, manifest: { name: 'Inside' } }));
    // Reads fall back to the parent: anyone may read and list children.
    expect((await am.anonymous!.read(`${WS}/inside`)).manifest.name).toBe('Inside');
    expect((await am.anonymous!.list(kw({ parent_id: `${WS}/open` }))).map((a: any) => a.alias)).toEqual(['inside']);
    // Writes do not: the child has no permission for strangers.
    await expect(s.edit(kw({ artifact_id: `${WS}/inside`, manifest: { name: 'x' } }))).rejects.toThrow(/edit/);
    // '@': 'r+' lets any logged-in user add children (attach), but not anonymous users.
    const mine = await s.create(kw({ alias: 'strangers-own', parent_id: `${WS}/open`, manifest: { name: 'Mine' } }));
    expect(mine.config.permissions.stranger).toBe('*');
    // r+ has no `mutate`: committed children change through staged edits only.
    await expect(s.edit(kw({ artifact_id: mine.id, manifest: { name: 'Mine, edited' } }))).rejects.toThrow(/no mutate permission/);
    await s.edit(kw({ artifact_id: mine.id, manifest: { name: 'Mine, edited' }, stage: true }));
    await expect(am.anonymous!.create(kw({ parent_id: `${WS}/open`, manifest: { name: 'anon' } }))).rejects.toThrow(/'attach'/);
    // Deleting needs delete on the child and detach on the parent (r+ has no detach).
    await expect(s.delete(mine.id)).rejects.toThrow(/detach/);
    // A per-user key on the child grants exactly that user.
    await root.am.edit(kw({ artifact_id: `${WS}/inside`, config: { permissions: { stranger: 'rw' } } }));
    await s.edit(kw({ artifact_id: `${WS}/inside`, manifest: { name: 'Inside, edited' }, stage: true }));
    await expect(am.reader!.edit(kw({ artifact_id: `${WS}/inside`, manifest: { name: 'no' }, stage: true }))).rejects.toThrow(/edit/);
    // Workspace-scoped keys hold only for callers acting from that workspace.
    await root.am.edit(kw({ artifact_id: `${WS}/inside`, config: { permissions: { [`${WS}/reader`]: 'rw' } } }));
    await am.reader!.edit(kw({ artifact_id: `${WS}/inside`, manifest: { name: 'by reader' }, stage: true }));
    await expect(root.am.edit(kw({ artifact_id: `${WS}/inside`, config: { permissions: { x: 'bogus' } } }))).rejects.toThrow(/Unknown permission level/);
  });

  it('keeps anonymous workspaces read-only for artifacts', async () => {
    await expect(am.anonymous!.create(kw({ manifest: { name: 'mine' } }))).rejects.toThrow(/Anonymous users cannot modify artifacts/);
    expect(await am.anonymous!.list(kw({}))).toEqual([]);
  });
});

describe('with --enable-s3-for-anonymous-users', () => {
  let t2: TestServer;
  let dataDir: string;
  const schema = `hypha_art_anon_${randomBytes(4).toString('hex')}`;
  const c2 = new ArtifactClients(() => t2.url);
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hypha-art-anon-'));
    t2 = await startTestServer({ dataDir, databaseUri: POSTGRES_URI, enableS3ForAnonymousUsers: true, artifacts: { databaseSchema: schema } });
  });
  afterAll(async () => {
    await c2.closeAll();
    await t2?.close();
    const client = new pg.Client({ connectionString: POSTGRES_URI });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lets anonymous users create and fill artifacts in their own workspace', async () => {
    const { server, am: anon } = await c2.connect();
    const a = await anon.create(kw({ alias: 'scratch', manifest: { name: 'Scratch' }, stage: true }));
    expect(a.workspace).toBe(server.config.workspace);
    await anon.write_file(kw({ artifact_id: a.id, file_path: 'n.txt', content: 'note' }));
    expect((await anon.commit(a.id)).file_count).toBe(1);
  });
});
