export { startServer } from './start-server.js';
export type { StartServerOptions, RunningServer } from './start-server.js';
export { loadConfig, ConfigError } from './config.js';
export type { ServerConfig } from './config.js';
export { JwtAuthService } from './jwt-auth.js';
export { WebsocketEndpoint } from './websocket-endpoint.js';
