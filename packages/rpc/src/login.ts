import { connectToServer } from './client/connect-to-server.js';
import type { ServerConfig } from './client/client-config.js';
import type { Logger } from './utils/logger.js';

/** What the login service's `start()` returns (server-api §2.7). */
export interface LoginContext {
  login_url: string;
  key: string;
  report_url?: string;
  check_url?: string;
  generate_url?: string;
  [key: string]: unknown;
}

/** The profile `check(key, {profile: true})` returns. */
export interface UserTokenInfo {
  token: string;
  workspace?: string;
  expires_in?: number;
  email?: string;
  email_verified?: boolean;
  name?: string;
  nickname?: string;
  user_id?: string;
  picture?: string;
  [key: string]: unknown;
}

/** Options of {@link login}; hypha-rpc's keys. */
export interface LoginConfig {
  server_url: string;
  /** Mint a token for this workspace. */
  workspace?: string;
  /** Default `public/hypha-login`. */
  login_service_id?: string;
  expires_in?: number;
  /** Seconds to wait for the user to finish. Default 60. */
  login_timeout?: number;
  /** Receives `{login_url, key, ...}`; default prints the URL (to `logger.info` if given, nothing with `logger: null`). */
  login_callback?: (context: LoginContext) => unknown;
  /** Resolve with the whole {@link UserTokenInfo} instead of the token. */
  profile?: boolean;
  transport?: 'websocket' | 'http';
  WebSocketClass?: ServerConfig['WebSocketClass'];
  logger?: Logger | null;
}

/**
 * Log in through the server's `hypha-login` service: connect anonymously, `start()` a login,
 * hand `login_url` to `login_callback` (or print it), then `check()` until the user finished.
 * Resolves with the token (or the profile with `profile: true`).
 *
 * @example
 * const token = await login({ server_url: 'https://hypha.aicell.io', login_callback: ({ login_url }) => open(login_url) });
 * const server = await connectToServer({ server_url: 'https://hypha.aicell.io', token });
 */
export async function login(config: LoginConfig & { profile: true }): Promise<UserTokenInfo>;
export async function login(config: LoginConfig): Promise<string>;
export async function login(config: LoginConfig): Promise<string | UserTokenInfo> {
  if (!config?.server_url) throw new Error('login: server_url is required');
  const serviceId = config.login_service_id || 'public/hypha-login';
  const server = await connectToServer({
    name: 'initial login client',
    server_url: config.server_url,
    transport: config.transport,
    WebSocketClass: config.WebSocketClass,
    logger: config.logger,
  });
  try {
    const svc = await server.getService(serviceId);
    if (!svc) throw new Error(`Failed to get the login service: ${serviceId}`);
    const context: LoginContext = config.workspace
      ? await svc.start({ workspace: config.workspace, expires_in: config.expires_in, _rkwargs: true })
      : await svc.start();
    if (config.login_callback) await config.login_callback(context);
    else tell(config.logger, `Please open your browser and login at ${context.login_url}`);
    return await svc.check(context.key, { timeout: config.login_timeout || 60, profile: config.profile, _rkwargs: true });
  } finally {
    await server.disconnect();
  }
}

/** Shows the user a URL without a callback: like hypha-rpc, silent with `logger: null`. */
function tell(logger: Logger | null | undefined, message: string): void {
  if (logger === null) return;
  if (logger) logger.info(message);
  else console.log(message);
}

/** Options of {@link logout}. */
export interface LogoutConfig {
  server_url: string;
  login_service_id?: string;
  /** Receives `{logout_url}`; default prints it. */
  logout_callback?: (context: { logout_url: string; [key: string]: unknown }) => unknown;
  transport?: 'websocket' | 'http';
  WebSocketClass?: ServerConfig['WebSocketClass'];
  logger?: Logger | null;
}

/** Log out through `hypha-login`'s `logout()`; resolves with `{logout_url, ...}`. */
export async function logout(config: LogoutConfig): Promise<{ logout_url: string; [key: string]: unknown }> {
  if (!config?.server_url) throw new Error('logout: server_url is required');
  const serviceId = config.login_service_id || 'public/hypha-login';
  const server = await connectToServer({
    name: 'initial logout client',
    server_url: config.server_url,
    transport: config.transport,
    WebSocketClass: config.WebSocketClass,
    logger: config.logger,
  });
  try {
    const svc = await server.getService(serviceId);
    if (!svc) throw new Error(`Failed to get the login service: ${serviceId}`);
    if (typeof svc.logout !== 'function') {
      throw new Error('Logout is not supported by this server. Please upgrade the Hypha server to a version that supports logout.');
    }
    const context = await svc.logout({});
    if (config.logout_callback) await config.logout_callback(context);
    else tell(config.logger, `Please open your browser to logout at ${context.logout_url}`);
    return context;
  } finally {
    await server.disconnect();
  }
}
