import { assertStrongRootToken } from '@hypha/auth';
import { ConfigError } from './config-error.js';
import { LIST_FLAGS, OPS_BOOLEAN_FLAGS, OPS_FLAGS, opsConfig } from './ops-config.js';
import type { OpsConfig } from './ops-config.js';

/**
 * Server configuration from flags and environment (server-api §7): every flag `--foo-bar` can also
 * be given as `HYPHA_FOO_BAR`; explicit flags win. `JWT_SECRET`/`HYPHA_JWT_SECRET` set the secret.
 */
export interface ServerConfig extends OpsConfig {
  host: string;
  port: number;
  basePath: string;
  publicBaseUrl: string | null;
  /** Embedded state (the generated JWT secret); the CLI defaults to `./.data`. */
  dataDir: string | null;
  redisUri: string | null;
  rootToken: string | null;
  serverId: string | null;
  jwtSecret: string | null;
  wsIdleTimeout: number;
  reconnectionTokenLifeTime: number;
  maxServicesPerClient: number;
  unloadGracePeriod: number;
  /** Key prefix for a shared Redis (tests and multi-tenant deployments). */
  redisKeyPrefix: string | null;
  /** Seconds between cluster heartbeats (`HYPHA_CLUSTER_HEARTBEAT_INTERVAL`); liveness records live 3× as long. */
  clusterHeartbeatInterval: number;
  /** Artifact manager database (`--database-uri`, PostgreSQL); PGlite in `dataDir` when null. */
  databaseUri: string | null;
  /** Files in S3 (`--enable-s3` with the endpoint flags) instead of `<dataDir>/files`. */
  enableS3: boolean;
  endpointUrl: string | null;
  endpointUrlPublic: string | null;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  regionName: string | null;
  workspaceBucket: string;
  /** Anonymous users may write artifacts in their own workspace. */
  enableS3ForAnonymousUsers: boolean;
  /** `--enable-s3-proxy`: s3-storage URLs go through the server's `/s3` route (clients that cannot reach S3). */
  enableS3Proxy: boolean;
  /** Base URL of `publish(to="zenodo")` (`--zenodo-url`, default https://zenodo.org). */
  zenodoUrl: string | null;
  /** Base URL of `publish(to="sandbox_zenodo")` (`--sandbox-zenodo-url`, default https://sandbox.zenodo.org). */
  sandboxZenodoUrl: string | null;
  /** CORS origins for the HTTP routes (`--allow-origins a,b` or `ALLOW_ORIGINS`; default `*`). */
  allowOrigins: string[];
  /** Serve every service as an MCP server under `/{ws}/mcp/{service_id}/...` (`--enable-mcp`). */
  enableMcp: boolean;
  /** Serve `type: "a2a"` services as A2A agents under `/{ws}/a2a/{service_id}/...` (`--enable-a2a`). */
  enableA2a: boolean;
  /** Run `public/server-apps` and the built-in workers (python-eval, browser when Chromium is found). */
  enableServerApps: boolean;
  /** Register the terminal worker (needs server apps). */
  enableTerminalWorker: boolean;
  /** Directory of local ONNX embedding models, `<dir>/<org>/<name>` (`--embedding-model-dir`). */
  embeddingModelDir: string | null;
  /** `search_services` on a vector index of the services (`--enable-service-search`). */
  enableServiceSearch: boolean;
  /** The model that embeds services and text queries (`--service-embedding-model`; default `hashing-384`). */
  serviceEmbeddingModel: string;
}

/** Flags that take no value (`--enable-s3`, or `--enable-s3=false`). */
export const BOOLEAN_FLAGS = new Set(['enable-s3', 'enable-s3-for-anonymous-users', 'enable-s3-proxy', 'enable-mcp', 'enable-a2a', 'enable-server-apps', 'enable-terminal-worker', 'enable-service-search', ...OPS_BOOLEAN_FLAGS]);

export const FLAGS: Record<string, keyof ServerConfig> = {
  ...OPS_FLAGS,
  host: 'host',
  port: 'port',
  'base-path': 'basePath',
  'public-base-url': 'publicBaseUrl',
  'data-dir': 'dataDir',
  'redis-uri': 'redisUri',
  'root-token': 'rootToken',
  'server-id': 'serverId',
  'redis-key-prefix': 'redisKeyPrefix',
  'database-uri': 'databaseUri',
  'enable-s3': 'enableS3',
  'endpoint-url': 'endpointUrl',
  'endpoint-url-public': 'endpointUrlPublic',
  'access-key-id': 'accessKeyId',
  'secret-access-key': 'secretAccessKey',
  'region-name': 'regionName',
  'workspace-bucket': 'workspaceBucket',
  'enable-s3-for-anonymous-users': 'enableS3ForAnonymousUsers',
  'enable-s3-proxy': 'enableS3Proxy',
  'zenodo-url': 'zenodoUrl',
  'sandbox-zenodo-url': 'sandboxZenodoUrl',
  'allow-origins': 'allowOrigins',
  'enable-mcp': 'enableMcp',
  'enable-a2a': 'enableA2a',
  'enable-server-apps': 'enableServerApps',
  'enable-terminal-worker': 'enableTerminalWorker',
  'embedding-model-dir': 'embeddingModelDir',
  'enable-service-search': 'enableServiceSearch',
  'service-embedding-model': 'serviceEmbeddingModel',
};

function bool(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === '') return false;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`--${name} must be true or false, got ${JSON.stringify(raw)}`);
}

export { ConfigError };

function num(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new ConfigError(`${name} must be a number, got ${JSON.stringify(raw)}`);
  return n;
}

function positiveSeconds(name: string, raw: string | undefined, fallback: number): number {
  const n = num(name, raw, fallback);
  if (!(n > 0)) throw new ConfigError(`${name} must be a positive number of seconds, got ${JSON.stringify(raw)}`);
  return n;
}

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const values: Record<string, string> = {};
  for (const [flag] of Object.entries(FLAGS)) {
    const envName = `HYPHA_${flag.toUpperCase().replace(/-/g, '_')}`;
    if (env[envName] !== undefined) values[flag] = env[envName]!;
  }
  const explicit = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    if (!arg.startsWith('--')) throw new ConfigError(`Unexpected argument: ${arg}`);
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (name === 'from-env') continue;
    if (!(name in FLAGS)) throw new ConfigError(`Unknown flag: --${name} (known: ${Object.keys(FLAGS).map((f) => `--${f}`).join(', ')})`);
    if (LIST_FLAGS.has(name)) {
      // `--static-mounts /a:x /b:y` (nargs) or repeated flags; the values add up.
      const items = eq >= 0 ? [arg.slice(eq + 1)] : [];
      while (eq < 0 && i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) items.push(argv[++i]!);
      if (items.length === 0) throw new ConfigError(`Flag --${name} needs a value`);
      values[name] = explicit.has(name) ? `${values[name]} ${items.join(' ')}` : items.join(' ');
      explicit.add(name);
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : BOOLEAN_FLAGS.has(name) ? 'true' : argv[++i];
    if (value === undefined) throw new ConfigError(`Flag --${name} needs a value`);
    values[name] = value;
  }
  const port = num('--port', values.port, 9527);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be an integer in 0..65535, got ${values.port}`);
  const rootToken = values['root-token'] ?? null;
  if (rootToken !== null) {
    try {
      assertStrongRootToken(rootToken);
    } catch (err) {
      throw new ConfigError(`--root-token (HYPHA_ROOT_TOKEN) is not accepted: ${(err as Error).message}`);
    }
  }
  return {
    host: values.host ?? '127.0.0.1',
    port,
    basePath: values['base-path'] ?? '/',
    publicBaseUrl: values['public-base-url'] ?? null,
    dataDir: values['data-dir'] || './.data',
    redisUri: values['redis-uri'] ?? null,
    rootToken,
    serverId: values['server-id'] ?? env.HYPHA_SERVER_ID ?? null,
    jwtSecret: env.HYPHA_JWT_SECRET || env.JWT_SECRET || null,
    wsIdleTimeout: num('HYPHA_WS_IDLE_TIMEOUT', env.HYPHA_WS_IDLE_TIMEOUT, 600),
    reconnectionTokenLifeTime: num('RECONNECTION_TOKEN_LIFE_TIME', env.RECONNECTION_TOKEN_LIFE_TIME, 172_800),
    maxServicesPerClient: num('HYPHA_MAX_SERVICES_PER_CLIENT', env.HYPHA_MAX_SERVICES_PER_CLIENT, 1000),
    unloadGracePeriod: num('HYPHA_WORKSPACE_UNLOAD_GRACE_PERIOD', env.HYPHA_WORKSPACE_UNLOAD_GRACE_PERIOD, 0),
    redisKeyPrefix: values['redis-key-prefix'] ?? null,
    allowOrigins: (values['allow-origins'] ?? env.ALLOW_ORIGINS ?? '*')
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
    clusterHeartbeatInterval: positiveSeconds('HYPHA_CLUSTER_HEARTBEAT_INTERVAL', env.HYPHA_CLUSTER_HEARTBEAT_INTERVAL, 5),
    enableMcp: bool('enable-mcp', values['enable-mcp']),
    enableA2a: bool('enable-a2a', values['enable-a2a']),
    ...artifactConfig(values),
    enableServerApps: bool('enable-server-apps', values['enable-server-apps']),
    enableTerminalWorker: bool('enable-terminal-worker', values['enable-terminal-worker']),
    embeddingModelDir: values['embedding-model-dir'] || null,
    enableServiceSearch: bool('enable-service-search', values['enable-service-search']),
    serviceEmbeddingModel: values['service-embedding-model'] || 'hashing-384',
    ...opsConfig(values, bool, rootToken),
  };
}

function httpUrl(name: string, raw: string | undefined): string | null {
  if (raw === undefined || raw === '') return null;
  if (!/^https?:\/\/[^/]/.test(raw)) throw new ConfigError(`${name} must be an http(s) URL, got ${JSON.stringify(raw)}`);
  return raw.replace(/\/+$/, '');
}

function artifactConfig(values: Record<string, string>) {
  const enableS3 = bool('enable-s3', values['enable-s3']);
  const endpointUrl = values['endpoint-url'] ?? null;
  const accessKeyId = values['access-key-id'] ?? null;
  const secretAccessKey = values['secret-access-key'] ?? null;
  if (enableS3 && (!endpointUrl || !accessKeyId || !secretAccessKey)) {
    throw new ConfigError('--enable-s3 needs --endpoint-url, --access-key-id and --secret-access-key');
  }
  return {
    databaseUri: values['database-uri'] ?? null,
    enableS3,
    endpointUrl,
    endpointUrlPublic: values['endpoint-url-public'] ?? null,
    accessKeyId,
    secretAccessKey,
    regionName: values['region-name'] ?? null,
    workspaceBucket: values['workspace-bucket'] ?? 'hypha-workspaces',
    enableS3ForAnonymousUsers: bool('enable-s3-for-anonymous-users', values['enable-s3-for-anonymous-users']),
    enableS3Proxy: bool('enable-s3-proxy', values['enable-s3-proxy']),
    zenodoUrl: httpUrl('--zenodo-url', values['zenodo-url']),
    sandboxZenodoUrl: httpUrl('--sandbox-zenodo-url', values['sandbox-zenodo-url']),
  };
}
