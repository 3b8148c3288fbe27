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
import type { RpcFactory } from '@hypha/workspace';
import { JwtAuthService, generateSecret, readableId } from './jwt-auth.js';
import { WebsocketEndpoint } from './websocket-endpoint.js';
import type { ServerConfig } from './config.js';

export interface StartServerOptions extends Partial<ServerConfig> {
  /** Use this bus instead of creating one (tests). */
  bus?: EventBus;
  /** Peer implementation for the manager (default: @hypha/rpc's RPC). */
  rpcFactory?: RpcFactory;
  /** Milliseconds to wait for the hello frame (default 5000). */
  authTimeoutMs?: number;
  /** Largest inbound frame in bytes (default 16 MiB). */
  maxPayload?: number;
  /** Silence the structured log. */
  quiet?: boolean;
}

export interface RunningServer {
  url: string;
  port: number;
  serverId: string;
  core: HyphaCore;
  close(): Promise<void>;
}

export type LogFn = (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const quiet = options.quiet ?? false;
  const log: LogFn = (level, msg, extra) => {
    if (quiet && level !== 'error') return;
    if (level === 'info') return;
    console.error(JSON.stringify({ level, msg, ...(extra ?? {}) }));
  };
  const serverId = options.serverId ?? readableId();
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
  const auth = new JwtAuthService({
    secret: options.jwtSecret ?? generateSecret(),
    kv: bus,
    rootToken: options.rootToken ?? null,
  });
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
    onError: (msg, err) => log('error', msg, { error: err instanceof Error ? err.message : String(err) }),
  });
  await core.start();
  const endpoint = new WebsocketEndpoint({
    gateway: core.gateway,
    idleTimeout: options.wsIdleTimeout,
    authTimeoutMs: options.authTimeoutMs,
    maxPayload: options.maxPayload,
    log,
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
    endpoint.handleUpgrade(req, socket, head);
  });
  app.get(`${basePath}/health/liveness`, (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get(`${basePath}/health/readiness`, async (_req, res) => {
    const health = await bus!.health();
    if (health.healthy) res.json({ status: 'ok' });
    else res.status(503).json({ status: 'unavailable', reason: health.reason ?? 'event bus unhealthy' });
  });
  let closed = false;
  return {
    url: `http://${host}:${port}`,
    port,
    serverId,
    core,
    async close() {
      if (closed) return;
      closed = true;
      await endpoint.close();
      await core.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      if (ownsBus) await bus!.close();
    },
  };
}
