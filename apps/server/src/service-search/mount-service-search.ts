/**
 * Installs `search_services` (`--enable-service-search`): the services collection lives in the
 * artifact manager's database when it runs (PGlite with pgvector on the embedded default, the
 * server's PostgreSQL in a cluster), else in an in-memory PGlite with pgvector.
 */
import { createDatabase } from '@hypha/db';
import type { HyphaDatabase } from '@hypha/db';
import type { Embedder } from '@hypha/vectors';
import { PgVectorEngine, resolveEmbedder } from '@hypha/vectors';
import type { HyphaCore } from '@hypha/workspace';
import type { MountedArtifacts } from '../artifacts/mount-artifacts.js';
import { ServiceIndex } from './service-index.js';

export interface ServiceEmbedder {
  embedder: Embedder;
  dimension: number;
}

/**
 * The service-search model (`--service-embedding-model`, default `hashing-384`), loaded and probed
 * for its output size; done before the server opens anything, so a bad model stops the start.
 * @throws naming the model and the path it was looked for at.
 */
export async function loadServiceEmbedder(model: string | null | undefined, modelDir: string | null | undefined): Promise<ServiceEmbedder> {
  const name = model || 'hashing-384';
  const embedder = await resolveEmbedder(name, { modelDir, dimension: 384 });
  const [probe] = await embedder.embed(['dimension probe']);
  const dimension = probe?.length ?? 0;
  if (dimension < 1) throw new Error(`Service embedding model "${name}" returned no vector`);
  return { embedder, dimension };
}

export interface MountServiceSearchOptions {
  core: HyphaCore;
  artifacts: MountedArtifacts | null;
  embedder: ServiceEmbedder;
  /** Several instances share the index: keep the entries the others made. */
  shared: boolean;
  log: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
}

export interface MountedServiceSearch {
  index: ServiceIndex;
  close(): Promise<void>;
}

/**
 * Opens the services collection and installs the index.
 * @throws when the database cannot hold it (a PostgreSQL without the `vector` extension).
 */
export async function mountServiceSearch(o: MountServiceSearchOptions): Promise<MountedServiceSearch> {
  const { embedder, dimension } = o.embedder;
  let own: HyphaDatabase | null = null;
  let db: ConstructorParameters<typeof PgVectorEngine>[0];
  if (o.artifacts) {
    db = (await o.artifacts.manager.access.ready()).db;
  } else {
    const { vector } = await import('@electric-sql/pglite-pgvector');
    own = await createDatabase({ pgliteExtensions: { vector } });
    db = own.db;
  }
  const index = new ServiceIndex({ engine: new PgVectorEngine(db), embedder, dimension });
  try {
    await index.open(!o.shared);
  } catch (err) {
    await own?.close();
    throw err;
  }
  const stop = o.core.registry.observe({
    stored: () => {},
    deleted: (keys) =>
      index.remove(keys).catch((err: unknown) => {
        // The registration is gone either way; a stale entry only costs a search result.
        o.log('error', 'service search: removing index entries failed', { keys, error: err instanceof Error ? err.message : String(err) });
      }),
  });
  o.core.manager.setServiceSearch(index);
  return {
    index,
    async close() {
      o.core.manager.setServiceSearch(null);
      stop();
      await own?.close();
    },
  };
}
