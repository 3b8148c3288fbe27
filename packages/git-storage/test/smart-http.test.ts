import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitStorage, createGitHttpHandler } from '../src/index.js';
import { git, gitFixture, gitOk, READER, WRITER, type GitFixture } from './fixtures.js';

async function commitFile(dir: string, name: string, content: string, message: string): Promise<void> {
  await mkdir(join(dir, name, '..'), { recursive: true });
  await writeFile(join(dir, name), content);
  await gitOk(['add', name], dir);
  await gitOk(['commit', '-q', '-m', message], dir);
}

async function cloneEmpty(f: GitFixture, alias: string, dir: string): Promise<void> {
  const r = await git(['clone', f.url(alias), dir]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/empty repository/);
  await gitOk(['checkout', '-q', '-b', 'main'], dir);
}

describe.each(['fs', 's3'] as const)('smart HTTP with stock git on the %s store', (backend) => {
  let f: GitFixture;
  beforeAll(async () => {
    f = await gitFixture(backend);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('clones an empty repository, pushes, and a fresh cache over the same store clones the push', async () => {
    const info = await fetch(`${f.base}/ws1/git/r1/info/refs?service=git-upload-pack`, { headers: { Authorization: `Bearer ${WRITER}` } });
    expect(info.status).toBe(200);
    expect(info.headers.get('content-type')).toBe('application/x-git-upload-pack-advertisement');
    const text = await info.text();
    expect(text).toContain('# service=git-upload-pack');
    expect(text).toContain('symref=HEAD:refs/heads/main');

    const a = join(f.tmp, 'r1-a');
    await cloneEmpty(f, 'r1', a);
    await commitFile(a, 'README.md', '# Test Repository\n', 'first');
    await commitFile(a, 'src/deep/file.txt', 'deep\n', 'second');
    await gitOk(['push', '-q', 'origin', 'main'], a);

    const state = JSON.parse((await readFile(join(f.tmp, 'x'), 'utf8').catch(async () => {
      const { body } = await f.store.get('ws1/artifacts/r1/.git/state.json');
      const chunks: Buffer[] = [];
      for await (const c of body) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    }))) as { head: string; refs: Record<string, string>; packs: string[] };
    const head = (await gitOk(['rev-parse', 'HEAD'], a)).trim();
    expect(state.head).toBe('refs/heads/main');
    expect(state.refs['refs/heads/main']).toBe(head);
    expect(state.packs).toHaveLength(1);

    // A second server with an empty cache serves the same repository from the store alone.
    const other = new GitStorage({ store: f.store, cacheDir: join(f.tmp, 'cache-2') });
    const repo = await other.repo('ws1/artifacts/r1/.git/');
    const synced = await repo.sync();
    expect(synced.refs['refs/heads/main']).toBe(head);
    const { createServer } = await import('node:http');
    const handler = createGitHttpHandler({
      storage: other,
      publicBaseUrl: 'http://unused',
      authenticate: async () => ({ is_anonymous: false }),
      locate: async (ws, alias) => ({ prefix: `${ws}/artifacts/${alias}/.git/`, defaultBranch: 'main' }),
    });
    const server = createServer((req, res) => void handler(req, res, new URL(req.url!, 'http://x').pathname));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const b = join(f.tmp, 'r1-b');
    await gitOk(['clone', '-q', `http://git:x@127.0.0.1:${port}/ws1/git/r1`, b]);
    server.close();
    expect(await readFile(join(b, 'src/deep/file.txt'), 'utf8')).toBe('deep\n');
    expect((await gitOk(['rev-parse', 'HEAD'], b)).trim()).toBe(head);

    // Incremental fetch of a later push.
    await commitFile(a, 'README.md', '# Changed\n', 'third');
    await gitOk(['push', '-q', 'origin', 'main'], a);
    const c = join(f.tmp, 'r1-c');
    await gitOk(['clone', '-q', f.url('r1'), c]);
    await commitFile(a, 'more.txt', 'more\n', 'fourth');
    await gitOk(['push', '-q', 'origin', 'main'], a);
    await gitOk(['pull', '-q', '--ff-only'], c);
    expect(await readFile(join(c, 'more.txt'), 'utf8')).toBe('more\n');
    expect((await gitOk(['ls-remote', f.url('r1'), 'refs/heads/main'])).split('\t')[0]).toBe((await gitOk(['rev-parse', 'HEAD'], a)).trim());
  });

  it('answers 401 with a challenge, 403 for a reader pushing, 404 for a missing repository', async () => {
    const refs = (alias: string, service: string, auth?: string) =>
      fetch(`${f.base}/ws1/git/${alias}/info/refs?service=${service}`, { headers: auth ? { Authorization: auth } : {} });
    const basic = (user: string, token: string) => `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
    const anon = await refs('private', 'git-upload-pack');
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toContain('Basic');
    expect((await refs('private', 'git-upload-pack', basic('wrong-user', WRITER))).status).toBe(401);
    expect((await refs('private', 'git-upload-pack', basic('git', READER))).status).toBe(200);
    expect((await refs('private', 'git-receive-pack', basic('git', READER))).status).toBe(403);
    expect((await refs('private', 'git-receive-pack')).status).toBe(401);
    expect((await refs('missing-x', 'git-upload-pack', basic('git', WRITER))).status).toBe(404);
    expect((await refs('private', 'git-upload-pack-x', basic('git', WRITER))).status).toBe(400);
    expect((await refs('public-r', 'git-upload-pack')).status).toBe(200);

    const post = (auth?: string) => fetch(`${f.base}/ws1/git/private/git-receive-pack`, { method: 'POST', body: '', headers: auth ? { Authorization: auth } : {} });
    const noAuth = await post();
    expect(noAuth.status).toBe(401);
    expect(noAuth.headers.get('www-authenticate')).toContain('Basic');
    expect((await post(basic('git', 'invalid-token'))).status).toBe(401);
    expect((await post(basic('wrong-user', WRITER))).status).toBe(401);
    expect((await post(basic('git', WRITER))).status).toBe(200);

    // The git client reports the refusal too.
    const denied = await git(['ls-remote', f.url('private', null)], f.tmp);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/401|Authentication failed|could not read Username/);
  });

  it('serves shallow clones and deepens them', async () => {
    const a = join(f.tmp, 'sh-a');
    await cloneEmpty(f, 'shallow', a);
    for (let i = 0; i < 5; i++) await commitFile(a, 'f.txt', `v${i}\n`, `c${i}`);
    await gitOk(['push', '-q', 'origin', 'main'], a);
    const b = join(f.tmp, 'sh-b');
    await gitOk(['clone', '-q', '--depth', '1', f.url('shallow'), b]);
    expect((await gitOk(['rev-list', '--count', 'HEAD'], b)).trim()).toBe('1');
    expect(await readFile(join(b, 'f.txt'), 'utf8')).toBe('v4\n');
    await gitOk(['fetch', '-q', '--deepen', '2'], b);
    expect((await gitOk(['rev-list', '--count', 'HEAD'], b)).trim()).toBe('3');
  });

  it('lets one of two racing pushes win; the other is refused as non-fast-forward', async () => {
    const a = join(f.tmp, 'race-a');
    await cloneEmpty(f, 'race', a);
    await commitFile(a, 'base.txt', 'base\n', 'base');
    await gitOk(['push', '-q', 'origin', 'main'], a);
    const b = join(f.tmp, 'race-b');
    await gitOk(['clone', '-q', f.url('race'), b]);
    await commitFile(a, 'a.txt', 'a\n', 'from a');
    await commitFile(b, 'b.txt', 'b\n', 'from b');
    const [ra, rb] = await Promise.all([git(['push', 'origin', 'main'], a), git(['push', 'origin', 'main'], b)]);
    const codes = [ra.code, rb.code].sort();
    expect(codes[0]).toBe(0);
    expect(codes[1]).not.toBe(0);
    const loser = ra.code === 0 ? rb : ra;
    expect(loser.stderr).toMatch(/non-fast-forward|fetch first|rejected/);
    const winner = ra.code === 0 ? a : b;
    expect((await gitOk(['ls-remote', f.url('race'), 'refs/heads/main'])).split('\t')[0]).toBe((await gitOk(['rev-parse', 'HEAD'], winner)).trim());
  });

  it('rejects a corrupt pack and keeps the refs as they were', async () => {
    const a = join(f.tmp, 'bad-a');
    await cloneEmpty(f, 'corrupt', a);
    await commitFile(a, 'x.txt', 'x\n', 'x');
    await gitOk(['push', '-q', 'origin', 'main'], a);
    const before = await gitOk(['ls-remote', f.url('corrupt')]);
    const old = (await gitOk(['rev-parse', 'HEAD'], a)).trim();
    const fake = 'f'.repeat(40);
    const cmd = `${old} ${fake} refs/heads/main\0report-status side-band-64k\n`;
    const pkt = Buffer.concat([Buffer.from((cmd.length + 4).toString(16).padStart(4, '0') + cmd), Buffer.from('0000')]);
    const pack = Buffer.concat([Buffer.from('PACK'), Buffer.from([0, 0, 0, 2, 0, 0, 0, 1]), Buffer.from('this is not zlib data at all'), Buffer.alloc(20, 7)]);
    const res = await fetch(`${f.base}/ws1/git/corrupt/git-receive-pack`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${WRITER}`, 'Content-Type': 'application/x-git-receive-pack-request' },
      body: Buffer.concat([pkt, pack]),
    });
    expect(res.status).toBe(200);
    const report = Buffer.from(await res.arrayBuffer()).toString('latin1');
    expect(report).toMatch(/unpack (?!ok)/);
    expect(report).toMatch(/ng refs\/heads\/main/);
    expect(await gitOk(['ls-remote', f.url('corrupt')])).toBe(before);
  });
});

describe('pack operation limit', () => {
  it('answers 503 with Retry-After while every slot is taken', async () => {
    const f = await gitFixture('fs', { maxConcurrentPackOps: 1, packAcquireTimeoutMs: 100 });
    try {
      const release = await f.storage.limiter.acquire();
      const res = await fetch(`${f.base}/ws1/git/busy/git-upload-pack`, { method: 'POST', body: '0000', headers: { Authorization: `Bearer ${WRITER}` } });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      release();
      const ok = await fetch(`${f.base}/ws1/git/busy/git-upload-pack`, { method: 'POST', body: '0000', headers: { Authorization: `Bearer ${WRITER}` } });
      expect(ok.status).toBe(200);
      await ok.arrayBuffer();
    } finally {
      await f.close();
    }
  });
});
