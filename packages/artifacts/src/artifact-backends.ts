/**
 * Opens what the artifact manager stores into: PGlite in the data dir (or PostgreSQL with a URI)
 * and the filesystem blob store in the data dir (or S3).
 */
import { join } from 'node:path';
import { createDatabase } from '@hypha/db';
import type { HyphaDatabase } from '@hypha/db';
import { createFsBlobStore } from '@hypha/storage';
import type { BlobStore } from '@hypha/storage';
import type { ArtifactBackends } from './access.js';

export interface S3Settings {
  endpointUrl: string;
  endpointUrlPublic?: string | null;
  accessKeyId: string;
  secretAccessKey: string;
  region?: string | null;
  bucket: string;
}

export interface OpenBackendsOptions {
  /** PostgreSQL URI; PGlite under `dataDir` when absent. */
  databaseUri?: string | null;
  /** Postgres schema (tests). */
  databaseSchema?: string;
  /** Required unless both `databaseUri` and `s3` are given (an in-memory PGlite is refused). */
  dataDir?: string | null;
  /** S3 settings (`--enable-s3`); otherwise files live under `<dataDir>/files`. */
  s3?: S3Settings | null;
  /** Filesystem store URL signing: the secret and the public URL where the server serves blobs. */
  fsSigning?: { secret: string; baseUrl: string };
  /** Builds the S3 store (tests adapt it to their S3 server). Defaults to `@hypha/storage/s3`. */
  createS3Store?: (s: S3Settings) => Promise<BlobStore>;
}

export interface OpenedBackends extends ArtifactBackends {
  database: HyphaDatabase;
  close(): Promise<void>;
}

export async function openArtifactBackends(o: OpenBackendsOptions): Promise<OpenedBackends> {
  if (!o.databaseUri && !o.dataDir) throw new Error('The artifact manager needs --data-dir (embedded database) or --database-uri');
  let store: BlobStore;
  if (o.s3) {
    if (o.createS3Store) store = await o.createS3Store(o.s3);
    else {
      const { createS3BlobStore } = await import('@hypha/storage/s3');
      store = await createS3BlobStore({
        endpointUrl: o.s3.endpointUrl,
        publicEndpointUrl: o.s3.endpointUrlPublic ?? undefined,
        accessKeyId: o.s3.accessKeyId,
        secretAccessKey: o.s3.secretAccessKey,
        region: o.s3.region ?? undefined,
        bucket: o.s3.bucket,
      });
    }
  } else {
    if (!o.dataDir) throw new Error('Filesystem artifact storage needs --data-dir (or --enable-s3)');
    if (!o.fsSigning) throw new Error('Filesystem artifact storage needs fsSigning (secret and base URL)');
    store = await createFsBlobStore({ root: join(o.dataDir, 'files'), signing: o.fsSigning });
  }
  let database: HyphaDatabase;
  try {
    database = await createDatabase({
      uri: o.databaseUri ?? undefined,
      dataDir: o.databaseUri ? undefined : (o.dataDir ?? undefined),
      schema: o.databaseSchema,
      // pgvector inside the embedded database: vector collections work out of the box. Imported
      // dynamically so that bundles keep the package external (it finds its .tar.gz beside itself).
      pgliteExtensions: o.databaseUri ? undefined : { vector: (await import('@electric-sql/pglite-pgvector')).vector },
    });
  } catch (err) {
    await store.close();
    throw err;
  }
  return {
    db: database.db,
    store,
    database,
    async close() {
      await store.close();
      await database.close();
    },
  };
}
