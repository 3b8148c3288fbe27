/**
 * Server configuration from flags and environment (server-api §7): every flag `--foo-bar` can also
 * be given as `HYPHA_FOO_BAR`; explicit flags win. `JWT_SECRET`/`HYPHA_JWT_SECRET` set the secret.
 */
export interface ServerConfig {
  host: string;
  port: number;
  basePath: string;
  publicBaseUrl: string | null;
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
}

const FLAGS: Record<string, keyof ServerConfig> = {
  host: 'host',
  port: 'port',
  'base-path': 'basePath',
  'public-base-url': 'publicBaseUrl',
  'data-dir': 'dataDir',
  'redis-uri': 'redisUri',
  'root-token': 'rootToken',
  'server-id': 'serverId',
  'redis-key-prefix': 'redisKeyPrefix',
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function num(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new ConfigError(`${name} must be a number, got ${JSON.stringify(raw)}`);
  return n;
}

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const values: Record<string, string> = {};
  for (const [flag] of Object.entries(FLAGS)) {
    const envName = `HYPHA_${flag.toUpperCase().replace(/-/g, '_')}`;
    if (env[envName] !== undefined) values[flag] = env[envName]!;
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    if (!arg.startsWith('--')) throw new ConfigError(`Unexpected argument: ${arg}`);
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (name === 'from-env') continue;
    if (!(name in FLAGS)) throw new ConfigError(`Unknown flag: --${name} (known: ${Object.keys(FLAGS).map((f) => `--${f}`).join(', ')})`);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new ConfigError(`Flag --${name} needs a value`);
    values[name] = value;
  }
  const port = num('--port', values.port, 9527);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be an integer in 0..65535, got ${values.port}`);
  const rootToken = values['root-token'] ?? null;
  if (rootToken !== null && rootToken.length < 32) throw new ConfigError('--root-token must be at least 32 characters long');
  return {
    host: values.host ?? '127.0.0.1',
    port,
    basePath: values['base-path'] ?? '/',
    publicBaseUrl: values['public-base-url'] ?? null,
    dataDir: values['data-dir'] ?? null,
    redisUri: values['redis-uri'] ?? null,
    rootToken,
    serverId: values['server-id'] ?? env.HYPHA_SERVER_ID ?? null,
    jwtSecret: env.HYPHA_JWT_SECRET ?? env.JWT_SECRET ?? null,
    wsIdleTimeout: num('HYPHA_WS_IDLE_TIMEOUT', env.HYPHA_WS_IDLE_TIMEOUT, 600),
    reconnectionTokenLifeTime: num('RECONNECTION_TOKEN_LIFE_TIME', env.RECONNECTION_TOKEN_LIFE_TIME, 172_800),
    maxServicesPerClient: num('HYPHA_MAX_SERVICES_PER_CLIENT', env.HYPHA_MAX_SERVICES_PER_CLIENT, 1000),
    unloadGracePeriod: num('HYPHA_WORKSPACE_UNLOAD_GRACE_PERIOD', env.HYPHA_WORKSPACE_UNLOAD_GRACE_PERIOD, 0),
    redisKeyPrefix: values['redis-key-prefix'] ?? null,
  };
}
