/**
 * The two artifact storage setups the artifact suites run on: embedded (PGlite + files in a temp
 * data dir, the no-flags default) and PostgreSQL (unique schema per run) + S3 (a real s3rver).
 */
import S3rver from '@20minutes/s3rver';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { S3BlobStore } from '@hypha/storage/s3';
import type { StartServerOptions } from '@hypha/server';

export const POSTGRES_URI = 'postgresql://postgres@127.0.0.1:5432/test';

export type BackendName = 'pglite+fs' | 'postgres+s3';
export const BACKENDS: BackendName[] = ['pglite+fs', 'postgres+s3'];

export interface ArtifactBackend {
  name: BackendName;
  /** Options for startServer (flags as the CLI would set them, plus test hooks). */
  options: StartServerOptions;
  cleanup(): Promise<void>;
}

export async function artifactBackend(name: BackendName): Promise<ArtifactBackend> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hypha-artifacts-e2e-'));
  if (name === 'pglite+fs') {
    return { name, options: { dataDir }, cleanup: () => rm(dataDir, { recursive: true, force: true }) };
  }
  const schema = `hypha_art_${randomBytes(6).toString('hex')}`;
  const s3dir = join(dataDir, 's3rver');
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, directory: s3dir, silent: true });
  const { port } = await s3rver.run();
  const endpointUrl = `http://127.0.0.1:${port}`;
  return {
    name,
    options: {
      dataDir,
      databaseUri: POSTGRES_URI,
      enableS3: true,
      endpointUrl,
      endpointUrlPublic: endpointUrl,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      workspaceBucket: `hypha-${randomBytes(4).toString('hex')}`,
      artifacts: { databaseSchema: schema, createS3Store: s3rverStore },
    },
    async cleanup() {
      await s3rver.close();
      const client = new pg.Client({ connectionString: POSTGRES_URI });
      await client.connect();
      try {
        await client.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await client.end();
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The S3 store with one s3rver 4.x correction (as in @hypha/storage's tests): s3rver checks
 * signatures of bucket-level requests on the path without the trailing `/` current AWS SDKs
 * send. Real S3 and MinIO accept both, so the product code does not carry this.
 */
async function s3rverStore(s: { endpointUrl: string; endpointUrlPublic?: string | null; accessKeyId: string; secretAccessKey: string; bucket: string }) {
  const store = new S3BlobStore({
    endpointUrl: s.endpointUrl,
    publicEndpointUrl: s.endpointUrlPublic ?? undefined,
    accessKeyId: s.accessKeyId,
    secretAccessKey: s.secretAccessKey,
    bucket: s.bucket,
  });
  store.client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { path?: string };
      if (typeof request.path === 'string' && /^\/[^/]+\/$/.test(request.path)) request.path = request.path.slice(0, -1);
      return next(args);
    },
    { step: 'build', name: 's3rverBucketPath' },
  );
  await store.init();
  return store;
}
