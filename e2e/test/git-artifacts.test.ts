import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactClients, kw, type Proxy } from './helpers/artifact-clients.js';
import { artifactBackend, type ArtifactBackend } from './helpers/artifact-backends.js';
import { gitCli } from './helpers/git-cli.js';
import { mintToken, startTestServer, userWith, type TestServer } from './helpers/test-server.js';

// Git storage for artifacts (server-api §4.8) through the real hypha-rpc client and the real
// git binary: a `config.storage = "git"` artifact is cloned and pushed, and its branches,
// per-branch staging and pull requests work through the artifact manager.

const WS = `git-art-${randomBytes(3).toString('hex')}`;
let backend: ArtifactBackend;
let t: TestServer;
let tmp: string;
const clients = new ArtifactClients(() => t.url);
let am: Proxy;
let readerAm: Proxy;
let writerToken: string;
let readerToken: string;

const { gitOk } = gitCli(() => tmp);

const url = (alias: string, token = writerToken) => `${t.url.replace('http://', `http://git:${token}@`)}/${WS}/git/${alias}`;

/** A git artifact whose main branch holds `files`, pushed with stock git. */
async function seeded(alias: string, files: Record<string, string>): Promise<string> {
  await am.create(kw({ alias: `${WS}/${alias}`, manifest: { name: alias }, config: { storage: 'git' } }));
  const dir = join(tmp, alias);
  await mkdir(dir, { recursive: true });
  await gitOk(['init', '-q', '-b', 'main'], dir);
  for (const [p, c] of Object.entries(files)) {
    await mkdir(join(dir, p, '..'), { recursive: true });
    await writeFile(join(dir, p), c);
  }
  await gitOk(['add', '.'], dir);
  await gitOk(['commit', '-q', '-m', 'init'], dir);
  await gitOk(['push', '-q', url(alias), 'main:main'], dir);
  return dir;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hypha-git-e2e-'));
  backend = await artifactBackend('pglite+fs');
  t = await startTestServer(backend.options);
  await t.server.artifacts!.ready; // the embedded database opens in the background
  const root = await clients.connect(t.rootToken);
  await root.server.createWorkspace({ id: WS, description: 'git artifacts', persistent: true }, true);
  writerToken = mintToken(t.authConfig, userWith('writer', { [WS]: 'rw' }, WS));
  readerToken = mintToken(t.authConfig, userWith('reader', { [WS]: 'r' }, WS));
  am = (await clients.connect(writerToken, WS)).am;
  readerAm = (await clients.connect(readerToken, WS)).am;
}, 180_000);
afterAll(async () => {
  await clients.closeAll();
  await t?.close();
  await backend?.cleanup();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('git-storage artifacts', { timeout: 120_000 }, () => {
  it("declare each parameter once: git-aware methods keep the artifact manager's schemas, git-only ones are typed", async () => {
    const schema = (name: string) => am[name].__schema__.parameters;
    const read = schema('read');
    expect(read.required).toEqual(['artifact_id']);
    expect(read.properties.artifact_id.type).toBe('string');
    expect(read.properties.stage.type).toBe('boolean');
    expect(schema('list_files').properties.branch.type).toBe('string');
    expect(schema('list_files').properties.limit.type).toBe('integer');
    expect(schema('get_diff').properties.include_content.type).toBe('boolean');
    expect(schema('merge_pr').properties.merge_strategy.anyOf.map((s: { const: string }) => s.const)).toEqual(['auto', 'fast-forward', 'merge']);
    expect(schema('list_prs').properties.limit.type).toBe('integer');
  });

  it('are cloned and pushed with stock git; list_files, read_file and read see the pushed commits', async () => {
    await seeded('repo', { 'README.md': '# Hello\n', 'src/utils.py': 'x = 1\n' });
    const view = await am.read(kw({ artifact_id: `${WS}/repo` }));
    expect(view.git_url).toBe(`${t.url}/${WS}/git/repo`);
    const files = await am.list_files(kw({ artifact_id: `${WS}/repo` }));
    expect(files).toEqual(expect.arrayContaining([{ name: 'README.md', type: 'file', size: 8 }, { name: 'src', type: 'directory' }]));
    expect((await am.list_files(kw({ artifact_id: `${WS}/repo`, dir_path: 'src' }))).map((f: { name: string }) => f.name)).toEqual(['utils.py']);
    expect((await readerAm.read_file(kw({ artifact_id: `${WS}/repo`, file_path: 'src/utils.py', version: 'main' }))).content).toBe('x = 1\n');
    const clone = join(tmp, 'repo-clone');
    await gitOk(['clone', '-q', url('repo', readerToken), clone]);
    expect(await readFile(join(clone, 'README.md'), 'utf8')).toBe('# Hello\n');
    const sha = (await gitOk(['rev-parse', 'HEAD'], clone)).trim();
    expect((await am.read(kw({ artifact_id: `${WS}/repo`, version: sha.slice(0, 10) }))).git_commit).toBe(sha);
    await expect(am.read_file(kw({ artifact_id: `${WS}/repo`, file_path: 'missing.txt' }))).rejects.toThrow(/not found/);
  });

  it('answer 403 (not 404) to a reader pushing and 401 to an anonymous caller of a private repository', async () => {
    const refs = (auth?: string, service = 'git-receive-pack') =>
      fetch(`${t.url}/${WS}/git/repo/info/refs?service=${service}`, { headers: auth ? { Authorization: auth } : {} });
    expect((await refs(`Basic ${Buffer.from(`git:${readerToken}`).toString('base64')}`)).status).toBe(403);
    expect((await refs(`Bearer ${readerToken}`, 'git-upload-pack')).status).toBe(200);
    const anon = await refs(undefined, 'git-upload-pack');
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toContain('Basic');
    await am.create(kw({ alias: `${WS}/plain`, manifest: { name: 'plain' } }));
    const plain = await fetch(`${t.url}/${WS}/git/plain/info/refs?service=git-upload-pack`, { headers: { Authorization: `Bearer ${writerToken}` } });
    expect(plain.status).toBe(404);
    expect(await plain.text()).toContain('Git storage is not enabled');
  });

  it('stage changes per branch, commit them as git commits, and refuse path traversal', async () => {
    await seeded('staging', { 'README.md': '# S\n', 'src/main.py': 'print(1)\n', 'src/utils.py': 'u\n' });
    const id = `${WS}/staging`;
    await expect(am.write_file(kw({ artifact_id: id, file_path: 'a.txt', content: 'a' }))).rejects.toThrow(/staging/);
    expect((await am.create_branch(kw({ artifact_id: id, branch: 'feature', source: 'main' }))).sha).toMatch(/^[0-9a-f]{40}$/);
    await expect(am.create_branch(kw({ artifact_id: id, branch: 'feature' }))).rejects.toThrow(/already exists/);
    await am.edit(kw({ artifact_id: id, stage: true, branch: 'feature' }));
    await am.write_file(kw({ artifact_id: id, file_path: 'new.py', content: "print('new')" }));
    await am.remove_file(kw({ artifact_id: id, file_path: 'src/utils.py' }));
    await expect(am.write_file(kw({ artifact_id: id, file_path: '../escape.txt', content: 'x' }))).rejects.toThrow(/traversal/);
    await expect(am.write_file(kw({ artifact_id: id, file_path: '.git/config', content: 'x' }))).rejects.toThrow(/\.git/);
    const status = await am.get_status(kw({ artifact_id: id }));
    expect(status).toMatchObject({ staged: true, active_branch: 'feature', branches: { feature: { files_added: ['new.py'], files_removed: ['src/utils.py'] } } });
    expect((await am.read_file(kw({ artifact_id: id, file_path: 'new.py', stage: true, branch: 'feature' }))).content).toBe("print('new')");
    const staged = await am.list_files(kw({ artifact_id: id, stage: true, branch: 'feature' }));
    expect(staged.find((f: { name: string }) => f.name === 'new.py')).toMatchObject({ type: 'file', staged: true });
    // version='stage' names the staged state, as for other artifacts
    const byVersion = await am.list_files(kw({ artifact_id: id, version: 'stage', branch: 'feature' }));
    expect(byVersion.map((f: { name: string }) => f.name)).toContain('new.py');
    expect((await am.read_file(kw({ artifact_id: id, file_path: 'new.py', version: 'stage', branch: 'feature' }))).content).toBe("print('new')");
    const committed = await am.commit(kw({ artifact_id: id, comment: 'feature work', branch: 'feature' }));
    // README.md, src/main.py and new.py (src/utils.py was removed)
    expect(committed.file_count).toBe(3);
    expect((await am.read_file(kw({ artifact_id: id, file_path: 'new.py', version: 'feature' }))).content).toBe("print('new')");
    await expect(am.read_file(kw({ artifact_id: id, file_path: 'new.py', version: 'main' }))).rejects.toThrow(/not found/);
    await expect(am.read_file(kw({ artifact_id: id, file_path: 'src/utils.py', version: 'feature' }))).rejects.toThrow(/not found/);
    expect((await am.get_status(kw({ artifact_id: id }))).staged).toBe(false);
    // The commit is a real git commit: a clone of the branch has it.
    const clone = join(tmp, 'staging-clone');
    await gitOk(['clone', '-q', '-b', 'feature', url('staging'), clone]);
    expect(await readFile(join(clone, 'new.py'), 'utf8')).toBe("print('new')");
    // discard_changes drops one branch's staging.
    await am.edit(kw({ artifact_id: id, stage: true, branch: 'main' }));
    await am.write_file(kw({ artifact_id: id, file_path: 'README.md', content: '# Modified\n' }));
    expect((await am.discard_changes(kw({ artifact_id: id, branch: 'main' }))).status).toBe('discarded');
    expect((await am.read_file(kw({ artifact_id: id, file_path: 'README.md', version: 'main' }))).content).toBe('# S\n');
    const branches = await am.list_branches(kw({ artifact_id: id }));
    expect(branches.map((b: { name: string }) => b.name).sort()).toEqual(['feature', 'main']);
    expect(branches.find((b: { name: string }) => b.name === 'main').default).toBe(true);
    await expect(am.delete_branch(kw({ artifact_id: id, branch: 'main' }))).rejects.toThrow(/default branch/);
  });

  it('zip the files at a ref with an exact Content-Length, whole or chosen files', async () => {
    const binary = randomBytes(50_000);
    await seeded('zipped', { 'README.md': '# Z\n', 'src/deep/util.py': 'x = 1\n' });
    const dir = join(tmp, 'zipped');
    await writeFile(join(dir, 'data.bin'), binary);
    await gitOk(['add', '.'], dir);
    await gitOk(['commit', '-q', '-m', 'binary'], dir);
    await gitOk(['push', '-q', url('zipped'), 'main:main'], dir);
    const zipUrl = `${t.url}/${WS}/artifacts/zipped/create-zip-file`;
    const fetchZip = async (query: string) => {
      const res = await fetch(`${zipUrl}?${query}`, { headers: { authorization: `Bearer ${writerToken}` } });
      expect(res.status).toBe(200);
      const body = Buffer.from(await res.arrayBuffer());
      expect(Number(res.headers.get('content-length'))).toBe(body.length);
      const path = join(tmp, `zip-${Math.random().toString(36).slice(2)}.zip`);
      await writeFile(path, body);
      // An independent reader (Python's zipfile) checks the CRCs and gives each member's sha256.
      const script = 'import sys, zipfile, hashlib, json\nz = zipfile.ZipFile(sys.argv[1])\nprint(json.dumps({"bad": z.testzip(), "members": {n: hashlib.sha256(z.read(n)).hexdigest() for n in z.namelist()}}))';
      return JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' })) as { bad: string | null; members: Record<string, string> };
    };
    const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
    const whole = await fetchZip('');
    expect(whole.bad).toBeNull();
    expect(whole.members).toEqual({ 'README.md': sha('# Z\n'), 'src/deep/util.py': sha('x = 1\n'), 'data.bin': sha(binary) });
    const chosen = await fetchZip('file=data.bin&file=README.md');
    expect(Object.keys(chosen.members).sort()).toEqual(['README.md', 'data.bin']);
  });

  it('diff branches and run pull requests through fast-forward, three-way merge and conflict', async () => {
    await seeded('prs', { 'shared.txt': 'base line\n', 'old.txt': 'old\n' });
    const id = `${WS}/prs`;
    const change = async (branch: string, files: Record<string, string | null>) => {
      await am.edit(kw({ artifact_id: id, stage: true, branch }));
      for (const [p, c] of Object.entries(files)) {
        if (c === null) await am.remove_file(kw({ artifact_id: id, file_path: p, branch }));
        else await am.write_file(kw({ artifact_id: id, file_path: p, content: c, branch }));
      }
      await am.commit(kw({ artifact_id: id, comment: `change ${branch}`, branch }));
    };
    await am.create_branch(kw({ artifact_id: id, branch: 'f1' }));
    await change('f1', { 'added.py': 'a\n', 'shared.txt': 'f1 line\n', 'old.txt': null });
    const diff = await am.get_diff(kw({ artifact_id: id, base: 'main', head: 'f1', include_content: true }));
    expect(diff.stats).toMatchObject({ additions: 1, modifications: 1, deletions: 1 });
    expect(diff.files.find((f: { path: string }) => f.path === 'shared.txt')).toMatchObject({ old_content: 'base line\n', new_content: 'f1 line\n' });
    expect((await am.get_diff(kw({ artifact_id: id, base: 'main', head: 'f1', path_filter: 'added' }))).files.map((f: { path: string }) => f.path)).toEqual(['added.py']);

    const pr = await am.create_pr(kw({ artifact_id: id, title: 'F1', source_branch: 'f1', target_branch: 'main', description: 'd' }));
    expect(pr).toMatchObject({ pr_number: 1, status: 'open', source_branch: 'f1', target_branch: 'main', created_by: 'writer' });
    expect((await am.submit_review(kw({ artifact_id: id, pr_number: 1, verdict: 'approve', comment: 'ok' }))).verdict).toBe('approve');
    expect(await am.list_reviews(kw({ artifact_id: id, pr_number: 1 }))).toHaveLength(1);
    const ff = await am.merge_pr(kw({ artifact_id: id, pr_number: 1 }));
    expect(ff).toMatchObject({ status: 'merged', merge_type: 'fast-forward', source_branch_deleted: true });
    expect((await am.read_file(kw({ artifact_id: id, file_path: 'added.py', version: 'main' }))).content).toBe('a\n');
    expect((await am.get_pr(kw({ artifact_id: id, pr_number: 1 }))).status).toBe('merged');

    // Diverged branches merge with a merge commit; a conflicting PR stays open.
    await am.create_branch(kw({ artifact_id: id, branch: 'f2' }));
    await am.create_branch(kw({ artifact_id: id, branch: 'f3' }));
    await change('f2', { 'f2.txt': 'two\n' });
    await change('main', { 'main.txt': 'main\n', 'shared.txt': 'main line\n' });
    await change('f3', { 'shared.txt': 'f3 line\n' });
    await am.create_pr(kw({ artifact_id: id, title: 'F2', source_branch: 'f2' }));
    await am.create_pr(kw({ artifact_id: id, title: 'F3', source_branch: 'f3' }));
    expect((await am.list_prs(kw({ artifact_id: id }))).map((p: { pr_number: number }) => p.pr_number)).toEqual([3, 2, 1]);
    const merged = await am.merge_pr(kw({ artifact_id: id, pr_number: 2 }));
    expect(merged).toMatchObject({ status: 'merged', merge_type: 'merge' });
    expect((await am.read_file(kw({ artifact_id: id, file_path: 'f2.txt', version: 'main' }))).content).toBe('two\n');
    expect((await am.read_file(kw({ artifact_id: id, file_path: 'main.txt', version: 'main' }))).content).toBe('main\n');
    const conflict = await am.merge_pr(kw({ artifact_id: id, pr_number: 3 }));
    expect(conflict).toMatchObject({ status: 'conflict', conflicts: ['shared.txt'] });
    expect((await am.get_pr(kw({ artifact_id: id, pr_number: 3 }))).status).toBe('open');
    expect((await am.close_pr(kw({ artifact_id: id, pr_number: 3 }))).status).toBe('closed');
    await expect(am.update_pr(kw({ artifact_id: id, pr_number: 3, title: 'x' }))).rejects.toThrow(/closed/);
    await expect(readerAm.create_pr(kw({ artifact_id: id, title: 'no', source_branch: 'f3' }))).rejects.toThrow(/PermissionError|permission/);
  });
});

describe('git-storage versions', { timeout: 120_000 }, () => {
  it('are the branches (default marked) and tags of the repository in read()', async () => {
    const empty = await am.create(kw({ alias: `${WS}/no-commits`, manifest: { name: 'empty' }, config: { storage: 'git' } }));
    expect((await am.read(empty.id)).versions).toEqual([]);
    const dir = await seeded('tagged', { 'README.md': '# main\n' });
    await gitOk(['tag', 'v1.0'], dir);
    await gitOk(['checkout', '-q', '-b', 'feature-x'], dir);
    await writeFile(join(dir, 'feature.txt'), 'x');
    await gitOk(['add', '.'], dir);
    await gitOk(['commit', '-q', '-m', 'feature'], dir);
    await gitOk(['tag', '-a', 'v2.0', '-m', 'annotated'], dir);
    await gitOk(['push', '-q', url('tagged'), 'feature-x:feature-x', '--tags'], dir);
    const sha = async (rev: string) => (await gitOk(['rev-parse', rev], dir)).trim();
    const read = await am.read(`${WS}/tagged`);
    expect(read.versions).toEqual([
      { type: 'branch', name: 'feature-x', sha: await sha('feature-x') },
      { type: 'branch', name: 'main', sha: await sha('main'), default: true },
      { type: 'tag', name: 'v1.0', sha: await sha('v1.0') },
      { type: 'tag', name: 'v2.0', sha: await sha('v2.0') },
    ]);
    const atTag = (await am.list_files(kw({ artifact_id: `${WS}/tagged`, version: 'v1.0' }))) as Array<{ name: string }>;
    expect(atTag.map((f) => f.name)).toEqual(['README.md']);
  });
});

describe('git-storage view sites', { timeout: 120_000 }, () => {
  /** A git site artifact with `view_config`, its branches pushed with stock git. */
  async function site(alias: string, viewConfig: Record<string, unknown>, branches: Record<string, Record<string, string>>) {
    await am.create(kw({ alias: `${WS}/${alias}`, manifest: { name: alias }, config: { storage: 'git', permissions: { '*': 'r' }, view_config: viewConfig } }));
    const dir = join(tmp, alias);
    await mkdir(dir, { recursive: true });
    await gitOk(['init', '-q', '-b', 'main'], dir);
    for (const [branch, files] of Object.entries(branches)) {
      if (branch !== 'main') await gitOk(['checkout', '-q', '--orphan', branch], dir);
      await gitOk(['rm', '-rqf', '--ignore-unmatch', '.'], dir);
      for (const [p, c] of Object.entries(files)) {
        await mkdir(join(dir, p, '..'), { recursive: true });
        await writeFile(join(dir, p), c);
      }
      await gitOk(['add', '.'], dir);
      await gitOk(['commit', '-q', '-m', branch], dir);
      await gitOk(['push', '-q', url(alias), `${branch}:${branch}`], dir);
    }
  }
  const view = (path: string) => fetch(`${t.url}/${WS}/view/${path}`);

  it('serve a branch: index pages, content types, nested files and the 404 page', async () => {
    await site('git-site', { branch: 'main', root_directory: '/', index: 'index.html', error_page: '404.html' }, {
      main: {
        'index.html': '<h1>Welcome to the Static Site</h1>', 'styles.css': 'body { font-family: Arial; }', 'app.js': "console.log('hi')",
        '404.html': '<h1>Page Not Found</h1>', 'pages/about.html': '<h1>Nested Page</h1>', 'pages/index.html': '<h1>Pages Index</h1>',
      },
    });
    for (const [path, type, text] of [
      ['git-site', 'text/html', 'Welcome to the Static Site'],
      ['git-site/', 'text/html', 'Welcome to the Static Site'],
      ['git-site/index.html', 'text/html', 'Welcome to the Static Site'],
      ['git-site/styles.css', 'text/css', 'font-family'],
      ['git-site/app.js', 'javascript', 'console.log'],
      ['git-site/pages/about.html', 'text/html', 'Nested Page'],
      ['git-site/pages', 'text/html', 'Pages Index'],
    ] as const) {
      const res = await view(path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.headers.get('content-type')).toContain(type);
      expect(await res.text()).toContain(text);
    }
    const missing = await view('git-site/nonexistent.html');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('Page Not Found');
  });

  it('serve the configured branch under the root directory only', async () => {
    await site('git-pages', { branch: 'gh-pages', root_directory: '/dist' }, {
      main: { 'src.py': 'print(1)', 'README.md': '# Source Code' },
      'gh-pages': { 'dist/index.html': '<h1>GH-Pages Site</h1>', 'dist/style.css': 'h1 { color: blue; }', 'README.md': 'outside the root' },
    });
    const root = await view('git-pages');
    expect(root.status).toBe(200);
    expect(await root.text()).toBe('<h1>GH-Pages Site</h1>');
    expect(await (await view('git-pages/style.css')).text()).toContain('color: blue');
    expect((await view('git-pages/src.py')).status).toBe(404);
    expect((await view('git-pages/README.md')).status).toBe(404);
    expect((await fetch(`${t.url}/${WS}/view/git-pages/index.html?version=main`)).status).toBe(404);
  });
});
