/**
 * Starts the artifact manager inside the server: opens its database (PGlite in the data dir, or
 * PostgreSQL) and blob store (files in the data dir served as signed URLs at `/fs-blobs`, or S3)
 * in the background (PostgreSQL) or on first use (PGlite), registers `public/artifact-manager`
 * through the core's built-in service host, and mounts the artifact HTTP routes. Calls wait until
 * the database is open.
 */
import { createHash } from 'node:crypto';
import type { Express } from 'express';
import { ArtifactFiles, ArtifactManager, defineArtifactService, openArtifactBackends, s3StorageService } from '@hypha/artifacts';
import { checkPermission } from '@hypha/auth';
import { PermissionDeniedError, toRpcService } from '@hypha/service';
import type { Authorize } from '@hypha/service';
import type { OpenedBackends, S3Settings } from '@hypha/artifacts';
import type { AuthService } from '@hypha/auth';
import { createFsBlobRequestHandler, FsBlobStore } from '@hypha/storage';
import type { BlobStore } from '@hypha/storage';
import type { HyphaCore } from '@hypha/workspace';
import type { HttpLog } from '../http/surface-deps.js';
import { ListingCache } from './listing-cache.js';
import { viewRoutes } from './view-routes.js';
import { artifactRoutes } from './artifact-routes.js';
import { s3Proxy, s3StorageRoutes } from './s3-routes.js';
import { mountGit } from '../git/mount-git.js';
import { withGitMethods } from '../git/git-artifact-service.js';

export interface ArtifactSettings {
  dataDir?: string | null;
  databaseUri?: string | null;
  enableS3?: boolean;
  endpointUrl?: string | null;
  endpointUrlPublic?: string | null;
  accessKeyId?: string | null;
  secretAccessKey?: string | null;
  regionName?: string | null;
  workspaceBucket?: string;
  enableS3ForAnonymousUsers?: boolean;
  enableS3Proxy?: boolean;
  /** Local ONNX embedding models for vector collections (`--embedding-model-dir`). */
  embeddingModelDir?: string | null;
  zenodoUrl?: string | null;
  sandboxZenodoUrl?: string | null;
}

/** Test hooks: a Postgres schema, and an S3 store factory adapted to the test S3 server. */
export interface ArtifactTestOptions {
  databaseSchema?: string;
  createS3Store?: (s: S3Settings) => Promise<BlobStore>;
}

export interface MountedArtifacts {
  manager: ArtifactManager;
  files: ArtifactFiles;
  /** Resolves when the database and store are open, opening them if nothing did yet (rejects if they fail to open). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export interface MountArtifactsOptions {
  app: Express;
  core: HyphaCore;
  auth: AuthService;
  basePath: string;
  publicBaseUrl: string;
  jwtSecret: string;
  settings: ArtifactSettings;
  test?: ArtifactTestOptions;
  log: HttpLog;
  allowOrigins?: readonly string[];
}

/** Whether the server runs the artifact manager: it needs a data dir or a database URI. */
export function artifactsEnabled(s: ArtifactSettings): boolean {
  return Boolean(s.dataDir || s.databaseUri);
}

export async function mountArtifacts(o: MountArtifactsOptions): Promise<MountedArtifacts> {
  const s = o.settings;
  const base = o.basePath.replace(/\/$/, '');
  const blobPath = `${base}/fs-blobs`;
  const s3: S3Settings | null = s.enableS3
    ? {
        endpointUrl: s.endpointUrl!,
        endpointUrlPublic: s.endpointUrlPublic,
        accessKeyId: s.accessKeyId!,
        secretAccessKey: s.secretAccessKey!,
        region: s.regionName,
        bucket: s.workspaceBucket ?? 'hypha-workspaces',
      }
    : null;
  // A key of its own, derived from the JWT secret, so blob URLs survive restarts like tokens do.
  const signingSecret = createHash('sha256').update(`hypha-fs-blobs:${o.jwtSecret}`).digest('hex');
  const localBaseUrl = o.core.manager.serverInfo.local_base_url;
  let opening: Promise<OpenedBackends> | null = null;
  let opened: OpenedBackends | null = null;
  const open = (): Promise<OpenedBackends> => {
    if (opening) return opening;
    opening = openArtifactBackends({
      databaseUri: s.databaseUri,
      databaseSchema: o.test?.databaseSchema,
      dataDir: s.dataDir,
      s3,
      fsSigning: { secret: signingSecret, baseUrl: `${o.publicBaseUrl}/fs-blobs` },
      createS3Store: o.test?.createS3Store,
    });
    opening.then(
      (b) => (opened = b),
      (err: unknown) => o.log('error', 'artifact manager storage failed to open', { error: err instanceof Error ? err.message : String(err) }),
    );
    return opening;
  };
  // PostgreSQL opens in the background at start (a wrong URI shows at once). The embedded
  // database opens when the artifact manager is first used: PGlite holds ~130 MB that an idle
  // server does not need (issue #10 item 11).
  if (s.databaseUri) void open().catch(() => undefined);
  const ready = (): Promise<void> => open().then(() => undefined);
  const manager = new ArtifactManager({
    backends: open,
    publicBaseUrl: o.publicBaseUrl,
    // Multipart upload state on the bus, so any instance of a cluster can complete an upload.
    keyValue: o.core.bus,
    localBaseUrl,
    directUrlBases: s3
      ? [{ public: s3.endpointUrlPublic ?? s3.endpointUrl, local: s3.endpointUrl }]
      : [{ public: o.publicBaseUrl, local: localBaseUrl }],
    allowAnonymousWrites: s.enableS3ForAnonymousUsers === true,
    workspaceInfo: (ws) => o.core.workspaces.get(ws),
    vectors: { modelDir: s.embeddingModelDir ?? null },
    zenodoServers: {
      ...(s.zenodoUrl ? { zenodo: s.zenodoUrl } : {}),
      ...(s.sandboxZenodoUrl ? { sandbox_zenodo: s.sandboxZenodoUrl } : {}),
    },
  });
  const files = new ArtifactFiles(manager.access);
  const gitArtifacts = mountGit({ app: o.app, manager, auth: o.auth, basePath: o.basePath, publicBaseUrl: o.publicBaseUrl, dataDir: s.dataDir, locks: o.core.bus, log: o.log });
  if (!s3) {
    let handler: ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => Promise<void>) | null = null;
    o.app.use(blobPath, (req, res, next) => {
      const serve = async () => {
        await ready();
        if (!handler) {
          const { store } = await manager.access.ready();
          if (!(store instanceof FsBlobStore)) throw new Error('fs-blobs route without a filesystem store');
          handler = createFsBlobRequestHandler(store, { mountPath: blobPath });
        }
        await handler(req, res);
      };
      serve().catch(next);
    });
  }
  o.app.use(base || '/', artifactRoutes({
    auth: o.auth,
    services: async () => {
      await manager.access.ready();
      return { manager, files };
    },
    log: o.log,
    allowOrigins: o.allowOrigins ?? ['*'],
    listingCache: new ListingCache(),
  }));
  o.app.use(base || '/', viewRoutes({
    auth: o.auth,
    services: async () => {
      await manager.access.ready();
      return { manager, files };
    },
    log: o.log,
    publicBaseUrl: o.publicBaseUrl,
    localBaseUrl,
    git: gitArtifacts,
  }));
  const artifactService = toRpcService(defineArtifactService(manager, files), { authorize: workspaceAuthorize });
  await o.core.builtins.register(withGitMethods(artifactService, gitArtifacts), { workspace: 'public' });
  if (s3) {
    const store = async () => (await manager.access.ready()).store;
    const endpointPublic = s3.endpointUrlPublic ?? s3.endpointUrl;
    const service = s3StorageService({
      store: lazyStore(store),
      bucket: s3.bucket,
      keyValue: o.core.bus,
      workspaceInfo: (ws) => o.core.workspaces.get(ws),
      proxy: s.enableS3Proxy ? { publicBaseUrl: o.publicBaseUrl, endpointPublic } : undefined,
      directUrlBases: [{ public: endpointPublic, local: s3.endpointUrl }],
      log: o.log,
    });
    if (s.enableS3Proxy) o.app.use(base || '/', s3Proxy(s3.endpointUrl, new URL(endpointPublic).host, o.log));
    o.app.use(base || '/', s3StorageRoutes({ auth: o.auth, service, store, log: o.log }));
    await o.core.builtins.register(toRpcService(service, { authorize: workspaceAuthorize }), { workspace: 'public' });
  }
  return {
    manager,
    files,
    get ready() {
      return ready();
    },
    async close() {
      const backends = opened as OpenedBackends | null;
      if (backends) {
        await backends.close();
        return;
      }
      if (!opening) return;
      // Still opening (a fresh PGlite takes seconds): do not hold the shutdown for it; close it
      // as soon as it is open.
      opening.then(
        (b) => b.close(),
        () => undefined,
      ).catch((err: unknown) => o.log('error', 'closing the artifact storage failed', { error: String(err) }));
    },
  };
}

const LEVELS = { read: 'r', read_write: 'rw', admin: 'a' } as const;

/** The declared permission of a method, in the caller's workspace. */
const workspaceAuthorize: Authorize = (ctx, permission, method) => {
  if (permission === 'none') return;
  if (!checkPermission(ctx.user as never, ctx.ws, LEVELS[permission])) {
    throw new PermissionDeniedError(`Permission denied: ${method} needs ${permission} in workspace ${ctx.ws}`);
  }
};

/** A BlobStore whose calls wait for the store that is still opening (every method is async). */
function lazyStore(open: () => Promise<BlobStore>): BlobStore {
  return new Proxy({} as BlobStore, {
    get: (_target, name) => async (...args: unknown[]) => {
      const store = (await open()) as unknown as Record<string | symbol, (...a: unknown[]) => unknown>;
      return store[name]!.apply(store, args);
    },
  });
}
