/**
 * Composition root: event bus (memory or Redis), auth, the workspace core, express routes and the
 * `/ws` endpoint on one HTTP server.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { MemoryEventBus } from '@hypha/eventbus';
import type { EventBus } from '@hypha/eventbus';
import { HyphaCore } from '@hypha/workspace';
import type { ClusterOptions } from '@hypha/workspace';
import type { ManagerRpc, RpcFactory } from '@hypha/workspace/internal';
import { AuthService, KeyValueRevocationStore, assertStrongRootToken, authConfigFromEnv } from '@hypha/auth';
import { resolveJwtSecret } from './jwt-secret.js';
import { resolveServerId } from './server-id.js';
import { acquireDataDirLock } from './data-dir-lock.js';
import { WebsocketEndpoint } from './websocket-endpoint.js';
import { mountHttpSurface } from './http/http-surface.js';
import type { HttpSurfaceOptions } from './http/http-surface.js';
import type { ServerConfig } from './config.js';
import { artifactsEnabled, mountArtifacts } from './artifacts/mount-artifacts.js';
import type { ArtifactTestOptions, MountedArtifacts } from './artifacts/mount-artifacts.js';
import { mountQueue } from './queue/mount-queue.js';
import { loadServiceEmbedder, mountServiceSearch } from './service-search/mount-service-search.js';
import type { MountedServiceSearch } from './service-search/mount-service-search.js';
import { mountApps } from './apps/mount-apps.js';
import type { MountedApps } from './apps/mount-apps.js';
import { mountTerminalWorker } from './apps/terminal-worker.js';
import type { AppWorker } from '@hypha/apps';
import { mountOpsRoutes, startOps } from './ops/mount-ops.js';
import type { RunningOps } from './ops/mount-ops.js';
import { requestScope } from './ops/request-scope.js';
import { BlockList, clientIp } from './ops/block-list.js';

export interface StartServerOptions extends Partial<ServerConfig>, HttpSurfaceOptions {
  /** Use this bus instead of creating one (tests). */
  bus?: EventBus;
  /** Peer implementation for the manager (default: @hypha/rpc's RPC). */
  rpcFactory?: RpcFactory<ManagerRpc>;
  /** Milliseconds to wait for the hello frame (default 5000). */
  authTimeoutMs?: number;
  /** Largest inbound frame in bytes (default 16 MiB). */
  maxPayload?: number;
  /** Most bytes waiting to be sent to one WebSocket client; past it the client is cut off with 1013 (default 32 MiB). */
  wsQueueLimit?: number;
  /** Queue size above which a WebSocket client must read something within `slowConsumerTimeout` (default 512 KiB). */
  wsQueueHighWaterMark?: number;
  /** Seconds a WebSocket client's queue may stay above the high-water mark with nothing read before it is cut off (default 30). */
  slowConsumerTimeout?: number;
  /** Environment for the auth settings (AUTH0_*, RECONNECTION_TOKEN_LIFE_TIME). @default process.env */
  env?: Record<string, string | undefined>;
  /** Silence the structured log. */
  quiet?: boolean;
  /** Cluster liveness timing; joined by default when `redisUri` is set, `false` opts out. */
  cluster?: ClusterOptions | false;
  /** Artifact manager test hooks, or `false` to run without it (it runs when `dataDir` or `databaseUri` is set). */
  artifacts?: ArtifactTestOptions | false;
  /** Extra in-process server-app workers (with `enableServerApps`). */
  appWorkers?: AppWorker[];
  /** Test hook: how often the leader looks at autoscaled apps (ms; default 10 s). */
  appsAutoscaleCheckMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  serverId: string;
  core: HyphaCore;
  /** The `/ws` endpoint (open sockets, `terminate(clientId)`). */
  websocket: WebsocketEndpoint;
  /** The artifact manager, when it runs (its database may still be opening: see `ready`). */
  artifacts: MountedArtifacts | null;
  /** The server-apps controller, with `enableServerApps`. */
  apps: MountedApps | null;
  /** Startup functions' clients, admin utilities, agent skills and local accounts. */
  ops: RunningOps;
  close(): Promise<void>;
}

export type LogFn = (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;

/**
 * Starts a server. With `dataDir` it first takes `<dataDir>/server.lock` (PGlite and the secret
 * files are single-process), refusing a directory a live server holds, and releases it on close.
 * @throws DataDirLockedError when another running server uses `dataDir`.
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  if (!options.dataDir) return launch(options);
  const lock = await acquireDataDirLock(options.dataDir);
  let server: RunningServer;
  try {
    server = await launch(options);
  } catch (err) {
    await lock.release();
    throw err;
  }
  if (lock.takenOverFrom !== null && !options.quiet) {
    console.error(JSON.stringify({ level: 'warn', msg: 'took over the data dir lock of a server that is gone', file: lock.file, pid: lock.takenOverFrom }));
  }
  const closeServer = server.close;
  // One close for every caller: a second close() (a second SIGTERM, say) must wait for the lock to
  // be released rather than return while the first is still shutting down.
  let closing: Promise<void> | undefined;
  return {
    ...server,
    close() {
      closing ??= closeServer().then(() => lock.release());
      return closing;
    },
  };
}

async function launch(options: StartServerOptions): Promise<RunningServer> {
  const quiet = options.quiet ?? false;
  const log: LogFn = (level, msg, extra) => {
    if (quiet && level !== 'error') return;
    if (level === 'info') return;
    console.error(JSON.stringify({ level, msg, ...(extra ?? {}) }));
  };
  // Refuse a weak root token and an unusable secret before opening anything.
  if (options.rootToken) assertStrongRootToken(options.rootToken);
  if (options.enableServiceSearch && options.redisUri && !options.databaseUri) {
    // Each instance would index only the services registered through it.
    throw new Error('--enable-service-search in a cluster (--redis-uri) needs --database-uri: the services index must be shared by every instance');
  }
  const searchEmbedder = options.enableServiceSearch ? await loadServiceEmbedder(options.serviceEmbeddingModel, options.embeddingModelDir) : null;
  const { secret: jwtSecret } = await resolveJwtSecret(options.jwtSecret, options.dataDir);
  // Embedded defaults (no Redis, no injected bus) with a data dir: one instance, keep its id.
  const persistId = !options.redisUri && !options.bus;
  const { serverId } = await resolveServerId(options.serverId, persistId ? options.dataDir : null);
  let ownsBus = false;
  let bus = options.bus;
  if (!bus) {
    ownsBus = true;
    if (options.redisUri) {
      const { RedisEventBus } = await import('@hypha/eventbus/redis');
      bus = await RedisEventBus.connect({ url: options.redisUri, keyPrefix: options.redisKeyPrefix ?? '' });
    } else {
      bus = new MemoryEventBus();
    }
  }
  const { config: authConfig } = authConfigFromEnv(options.env ?? process.env);
  const auth = new AuthService({
    config: {
      ...authConfig,
      jwtSecret,
      reconnectionTokenLifetime: options.reconnectionTokenLifeTime ?? authConfig.reconnectionTokenLifetime,
    },
    revocations: new KeyValueRevocationStore(bus),
    rootToken: options.rootToken ?? undefined,
  });
  const host = options.host ?? '127.0.0.1';
  const app = express();
  const http = createServer(app);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 9527, host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const localBaseUrl = `http://${host}:${port}`;
  const publicBaseUrl = (options.publicBaseUrl ?? localBaseUrl).replace(/\/$/, '');
  const core = new HyphaCore({
    bus,
    auth,
    serverId,
    publicBaseUrl,
    localBaseUrl,
    reconnectionTokenLifetime: options.reconnectionTokenLifeTime,
    maxServicesPerClient: options.maxServicesPerClient,
    unloadGracePeriodMs: (options.unloadGracePeriod ?? 0) * 1000,
    rpcFactory: options.rpcFactory,
    cluster:
      options.cluster === false || (!options.cluster && !options.redisUri)
        ? undefined
        : { heartbeatIntervalMs: (options.clusterHeartbeatInterval ?? 5) * 1000, log, ...(options.cluster ?? {}) },
    onError: (msg, err) => log('error', msg, { error: err instanceof Error ? err.message : String(err) }),
  });
  await core.start();
  const blocks = new BlockList(bus);
  const endpoint = new WebsocketEndpoint({
    gateway: core.gateway,
    idleTimeout: options.wsIdleTimeout,
    authTimeoutMs: options.authTimeoutMs,
    maxPayload: options.maxPayload,
    queueLimit: options.wsQueueLimit,
    queueHighWaterMark: options.wsQueueHighWaterMark,
    ...(options.slowConsumerTimeout !== undefined ? { slowConsumerMs: options.slowConsumerTimeout * 1000 } : {}),
    log,
    requestToken: async (req) => auth.customRequestToken(requestScope(req, 'websocket')),
  });
  const basePath = (options.basePath ?? '/').replace(/\/$/, '');
  const wsPath = `${basePath}/ws`;
  http.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== wsPath) {
      socket.write('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    blocks.reason('ip', clientIp(req)).then(
      (reason) => {
        if (reason === null) endpoint.handleUpgrade(req, socket, head);
        else socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      },
      (err) => {
        log('error', 'block list check failed', { error: String(err) });
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      },
    );
  });
  app.get(`${basePath}/health/liveness`, (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get(`${basePath}/health/readiness`, async (_req, res) => {
    const health = await bus!.health();
    if (health.healthy) res.json({ status: 'ok' });
    else res.status(503).json({ status: 'unavailable', reason: health.reason ?? 'event bus unhealthy' });
  });
  const artifacts: MountedArtifacts | null =
    options.artifacts !== false && artifactsEnabled(options)
      ? await mountArtifacts({ app, core, auth, basePath, publicBaseUrl, jwtSecret, settings: options, test: options.artifacts || undefined, log, allowOrigins: options.allowOrigins })
      : null;
  const queue = await mountQueue({ core, redisUri: options.redisUri, redisKeyPrefix: options.redisKeyPrefix, log });
  let serviceSearch: MountedServiceSearch | null = null;
  if (searchEmbedder) {
    try {
      serviceSearch = await mountServiceSearch({ core, artifacts, embedder: searchEmbedder, shared: Boolean(options.redisUri), log });
    } catch (err) {
      await queue.close();
      await core.close();
      await artifacts?.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      if (ownsBus) await bus.close();
      throw err;
    }
  }
  if (options.enableServerApps && !artifacts) {
    throw new Error('--enable-server-apps needs the artifact manager: give --data-dir or --database-uri');
  }
  const apps = options.enableServerApps && artifacts
    ? await mountApps({ core, artifacts, log, env: options.env ?? process.env, enableTerminalWorker: options.enableTerminalWorker, enableMcp: options.enableMcp, enableA2a: options.enableA2a, workers: options.appWorkers, autoscaleCheckMs: options.appsAutoscaleCheckMs })
    : null;
  const terminal = options.enableTerminalWorker && !apps ? await mountTerminalWorker(core, options.env ?? process.env, log) : null;
  const shared = await mountOpsRoutes(app, { basePath, staticMounts: options.staticMounts ?? [], blocks, core, auth, disableAgentSkills: options.disableAgentSkills ?? false });
  const httpSurface = await mountHttpSurface(app, { ...options, core, auth, basePath, log });
  const localBase = `${localBaseUrl}${basePath}`;
  let ops: RunningOps | null = null;
  const closeAll = async () => {
    // Stop accepting first: clients told to reconnect (1001) must find no listener here rather
    // than a TCP connection that the stopping endpoint resets (ECONNRESET).
    const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
    await ops?.close();
    await endpoint.close();
    await httpSurface.close();
    await apps?.close();
    await terminal?.close();
    await core.close();
    await serviceSearch?.close();
    await artifacts?.close();
    await queue.close();
    http.closeAllConnections();
    await stopped;
    if (ownsBus) await bus!.close();
  };
  try {
    ops = await startOps({ core, auth, login: httpSurface.login, endpoint, shared, serverId, localBaseUrl: localBase, settings: options, env: options.env ?? process.env, log });
  } catch (err) {
    await closeAll();
    throw err;
  }
  let closed = false;
  return {
    url: `http://${host}:${port}`,
    port,
    serverId,
    core,
    websocket: endpoint,
    artifacts,
    apps,
    ops: ops!,
    async close() {
      if (closed) return;
      closed = true;
      await closeAll();
    },
  };
}
