/**
 * Test servers: a git HTTP server on 127.0.0.1 port 0 over a real blob store (filesystem, or S3
 * on a real s3rver), with three tokens: `writer` (push), `reader` (read only) and none
 * (anonymous, which reads only aliases starting with `public-`). Plus a `git` runner that uses
 * no user configuration.
 */
import S3rver from '@20minutes/s3rver';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotFoundError, PermissionDeniedError } from '@hypha/service';
import { createFsBlobRequestHandler, createFsBlobStore, type BlobStore } from '@hypha/storage';
import { S3BlobStore } from '@hypha/storage/s3';
import { createGitHttpHandler, GitStorage, type GitStorageOptions } from '../src/index.js';

export const WRITER = 'writer-token-0123456789';
export const READER = 'reader-token-0123456789';

interface TestUser {
  id: string;
  is_anonymous: boolean;
  canWrite: boolean;
}

export interface GitFixture {
  url: (alias: string, token?: string | null) => string;
  base: string;
  storage: GitStorage;
  store: BlobStore;
  tmp: string;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function s3Store(): Promise<{ store: BlobStore; close(): Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), 'hypha-git-s3rver-'));
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true });
  const { port } = await s3rver.run();
  const store = new S3BlobStore({ endpointUrl: `http://127.0.0.1:${port}`, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', bucket: 'hypha-git', prefix: 'inst' });
  // s3rver 4 checks signatures on bucket paths without the trailing slash current SDKs send.
  store.client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { path?: string };
      if (typeof request.path === 'string' && /^\/[^/]+\/$/.test(request.path)) request.path = request.path.slice(0, -1);
      return next(args);
    },
    { step: 'build', name: 's3rverBucketPath' },
  );
  await store.init();
  return {
    store,
    async close() {
      await store.close();
      await s3rver.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export async function gitFixture(backend: 'fs' | 's3', extra: Partial<GitStorageOptions> = {}): Promise<GitFixture> {
  const tmp = await mkdtemp(join(tmpdir(), 'hypha-git-test-'));
  const route: { blobs?: ReturnType<typeof createFsBlobRequestHandler>; git?: ReturnType<typeof createGitHttpHandler<TestUser>> } = {};
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/blobs/') && route.blobs) return void route.blobs(req, res);
    void route.git!(req, res, path).then((handled) => {
      if (!handled) res.writeHead(404).end('no route');
    });
  });
  const port = await listen(server);
  const base = `http://127.0.0.1:${port}`;
  let store: BlobStore;
  let closeStore: () => Promise<void>;
  if (backend === 'fs') {
    const fsStore = await createFsBlobStore({ root: join(tmp, 'blobs'), signing: { secret: randomBytes(16).toString('hex'), baseUrl: `${base}/blobs` } });
    route.blobs = createFsBlobRequestHandler(fsStore, { mountPath: '/blobs' });
    store = fsStore;
    closeStore = () => fsStore.close();
  } else {
    const s3 = await s3Store();
    store = s3.store;
    closeStore = s3.close;
  }
  const storage = new GitStorage({ store, cacheDir: join(tmp, 'cache'), ...extra });
  route.git = createGitHttpHandler<TestUser>({
    storage,
    publicBaseUrl: base,
    async authenticate(token) {
      if (token === null) return { id: 'anonymouz', is_anonymous: true, canWrite: false };
      if (token === WRITER) return { id: 'writer', is_anonymous: false, canWrite: true };
      if (token === READER) return { id: 'reader', is_anonymous: false, canWrite: false };
      throw new Error('invalid token');
    },
    async locate(workspace, alias, user, write) {
      if (workspace !== 'ws1' || alias.startsWith('missing')) throw new NotFoundError(`Artifact with ID '${workspace}/${alias}' does not exist.`);
      if (user.is_anonymous && !alias.startsWith('public-')) throw new PermissionDeniedError('no read');
      if (write && !user.canWrite) throw new PermissionDeniedError('no commit');
      return { prefix: `${workspace}/artifacts/${alias}/.git/`, defaultBranch: 'main' };
    },
  });
  return {
    base,
    storage,
    store,
    tmp,
    url: (alias, token = WRITER) => (token ? `http://git:${token}@127.0.0.1:${port}/ws1/git/${alias}` : `${base}/ws1/git/${alias}`),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeStore();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real git client with no user or system configuration and no prompts. */
export function git(args: string[], cwd?: string, env: Record<string, string> = {}): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile(
      'git',
      args,
      {
        cwd,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          PATH: process.env.PATH,
          HOME: cwd ?? tmpdir(),
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_TERMINAL_PROMPT: '0',
          GIT_AUTHOR_NAME: 'Tester',
          GIT_AUTHOR_EMAIL: 't@example.com',
          GIT_COMMITTER_NAME: 'Tester',
          GIT_COMMITTER_EMAIL: 't@example.com',
          ...env,
        },
      },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** git that must succeed. */
export async function gitOk(args: string[], cwd?: string, env?: Record<string, string>): Promise<string> {
  const r = await git(args, cwd, env);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}
