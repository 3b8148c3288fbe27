import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lfsKey } from '../src/index.js';
import { gitFixture, gitOk, WRITER, type GitFixture } from './fixtures.js';

// Git LFS with the real git-lfs client: push stores the object in the blob store through the
// batch API's presigned upload, a clone downloads it, and the batch API validates its input.

describe('Git LFS', { timeout: 120_000 }, () => {
  let f: GitFixture;
  beforeAll(async () => {
    f = await gitFixture('fs');
  });
  afterAll(async () => {
    await f?.close();
  });

  it('pushes and clones an LFS-tracked file', async () => {
    const a = join(f.tmp, 'lfs-a');
    await mkdir(a);
    const env = { HOME: f.tmp };
    await gitOk(['init', '-q', '-b', 'main'], a, env);
    await gitOk(['lfs', 'install', '--local'], a, env);
    await gitOk(['lfs', 'track', '*.bin'], a, env);
    const data = randomBytes(300_000);
    await writeFile(join(a, 'big.bin'), data);
    await writeFile(join(a, 'README.md'), 'small\n');
    await gitOk(['add', '.'], a, env);
    await gitOk(['commit', '-q', '-m', 'lfs'], a, env);
    await gitOk(['push', '-q', f.url('lfs'), 'main:main'], a, env);
    const oid = createHash('sha256').update(data).digest('hex');
    const repo = await f.storage.repo('ws1/artifacts/lfs/.git/');
    expect((await f.store.head(lfsKey(repo, oid)))?.size).toBe(data.length);

    const b = join(f.tmp, 'lfs-b');
    await gitOk(['clone', '-q', f.url('lfs'), b], f.tmp, { ...env, GIT_LFS_SKIP_SMUDGE: '1' });
    await gitOk(['lfs', 'install', '--local'], b, env);
    await gitOk(['lfs', 'pull'], b, env);
    expect((await readFile(join(b, 'big.bin'))).equals(data)).toBe(true);
  });

  it('answers the batch API: 404 per missing object, 401 for anonymous uploads, 422 for a bad body', async () => {
    const batch = (body: unknown, auth?: string) =>
      fetch(`${f.base}/ws1/git/public-lfs/info/lfs/objects/batch`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/vnd.git-lfs+json', ...(auth ? { Authorization: auth } : {}) },
        body: JSON.stringify(body),
      });
    const missing = await batch({ operation: 'download', objects: [{ oid: 'a'.repeat(64), size: 3 }] });
    expect(missing.status).toBe(200);
    expect((await missing.json()).objects[0].error.code).toBe(404);
    const anon = await batch({ operation: 'upload', objects: [{ oid: 'a'.repeat(64), size: 3 }] });
    expect(anon.status).toBe(401);
    expect(anon.headers.get('lfs-authenticate')).toContain('Basic');
    expect((await batch({ operation: 'upload', objects: 'nope' }, `Bearer ${WRITER}`)).status).toBe(422);
    const put = await fetch(`${f.base}/ws1/git/public-lfs/info/lfs/objects/${'b'.repeat(64)}`, { method: 'PUT', body: 'abc', headers: { Authorization: `Bearer ${WRITER}` } });
    expect(put.status).toBe(422);
    expect(await put.text()).toContain('Hash mismatch');
  });
});
