/**
 * Git-storage artifacts on a cluster of two instances (Redis, Postgres, S3): pushes to the same
 * repository through different instances take turns, so of two racing pushes from the same parent
 * one wins and the other is refused as non-fast-forward, and every instance serves the winner.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactClients, kw } from './helpers/artifact-clients.js';
import { artifactBackend, type ArtifactBackend } from './helpers/artifact-backends.js';
import { gitCli } from './helpers/git-cli.js';
import { closeCluster, startTestServer, strongRootToken, type TestServer } from './helpers/test-server.js';

const prefix = `hypha-e2e-git-cluster-${randomUUID()}:`;
let backend: ArtifactBackend;
let a: TestServer;
let b: TestServer;
let tmp: string;
let ws: string;
const clients = new ArtifactClients(() => a.url);

const { git, gitOk: gitRun } = gitCli(() => tmp);
/** git's output without the final newline (a non-zero exit throws). */
const gitOk = async (args: string[], cwd?: string) => (await gitRun(args, cwd)).trim();

const repoUrl = (server: TestServer, alias: string) => `${server.url.replace('http://', `http://git:${a.rootToken}@`)}/${ws}/git/${alias}`;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hypha-git-cluster-'));
  backend = await artifactBackend('postgres+s3');
  const shared = { ...backend.options, redisUri: 'redis://127.0.0.1:6379', redisKeyPrefix: prefix, jwtSecret: randomBytes(24).toString('base64url'), rootToken: strongRootToken() };
  a = await startTestServer({ ...shared, dataDir: await mkdtemp(join(tmpdir(), 'hypha-git-a-')), serverId: `git-a-${randomUUID().slice(0, 8)}` });
  b = await startTestServer({ ...shared, dataDir: await mkdtemp(join(tmpdir(), 'hypha-git-b-')), serverId: `git-b-${randomUUID().slice(0, 8)}` });
  await Promise.all([a.server.artifacts!.ready, b.server.artifacts!.ready]);
  const root = await clients.connect(a.rootToken);
  ws = root.server.config.workspace;
}, 120_000);

afterAll(async () => {
  await clients.closeAll();
  await closeCluster(a, b);
  await backend?.cleanup();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('git-storage artifacts on two instances', () => {
  it('let one of two racing pushes through different instances win; the other is refused, nothing is lost', async () => {
    const root = await clients.connect(a.rootToken);
    await root.am.create(kw({ alias: 'raced', manifest: { name: 'raced' }, config: { storage: 'git' } }));
    const seed = join(tmp, 'seed');
    await mkdir(seed, { recursive: true });
    await gitOk(['init', '-q', '-b', 'main'], seed);
    await writeFile(join(seed, 'base.txt'), 'base\n');
    await gitOk(['add', '.'], seed);
    await gitOk(['commit', '-q', '-m', 'base'], seed);
    await gitOk(['push', '-q', repoUrl(a, 'raced'), 'main:main'], seed);

    for (let round = 0; round < 3; round++) {
      const parent = await gitOk(['ls-remote', repoUrl(b, 'raced'), 'refs/heads/main']);
      const sides = await Promise.all(
        [a, b].map(async (server, i) => {
          const dir = join(tmp, `round${round}-side${i}`);
          await gitOk(['clone', '-q', repoUrl(server, 'raced'), dir]);
          await writeFile(join(dir, `side${i}.bin`), randomBytes(256 * 1024));
          await gitOk(['add', '.'], dir);
          await gitOk(['commit', '-q', '-m', `round ${round} side ${i}`], dir);
          return { dir, server, sha: await gitOk(['rev-parse', 'HEAD'], dir) };
        }),
      );
      const pushes = await Promise.all(sides.map((s) => git(['push', repoUrl(s.server, 'raced'), 'main:main'], s.dir)));
      const won = pushes.filter((p) => p.code === 0);
      expect(won, `round ${round}: ${pushes.map((p) => p.stderr).join(' | ')}`).toHaveLength(1);
      const lost = pushes.find((p) => p.code !== 0)!;
      expect(lost.stderr).toMatch(/rejected|non-fast-forward|fetch first|stale info|failed to push/);
      const winner = sides[pushes.indexOf(won[0]!)]!;
      // both instances now serve the winner's commit, on top of the round's parent
      for (const server of [a, b]) {
        expect(await gitOk(['ls-remote', repoUrl(server, 'raced'), 'refs/heads/main'])).toBe(`${winner.sha}\trefs/heads/main`);
      }
      const check = join(tmp, `round${round}-check`);
      await gitOk(['clone', '-q', repoUrl(a, 'raced'), check]);
      await gitOk(['fsck', '--full'], check);
      expect(await gitOk(['rev-parse', 'HEAD~1'], check)).toBe(parent.split('\t')[0]);
    }
  }, 180_000);
});
