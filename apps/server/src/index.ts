export { startServer } from './start-server.js';
export type { StartServerOptions, RunningServer } from './start-server.js';
export { loadConfig, ConfigError, FLAGS, BOOLEAN_FLAGS } from './config.js';
export type { ServerConfig } from './config.js';
export { WebsocketEndpoint } from './websocket-endpoint.js';
export { resolveJwtSecret, JWT_SECRET_FILE } from './jwt-secret.js';
export type { JwtSecretSource, ResolvedJwtSecret } from './jwt-secret.js';
export { acquireDataDirLock, DataDirLockedError, DATA_DIR_LOCK_FILE } from './data-dir-lock.js';
export type { DataDirLock } from './data-dir-lock.js';
