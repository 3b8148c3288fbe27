/**
 * A real server on 127.0.0.1:0 for e2e tests, with a random JWT secret and a strong random root
 * token, plus helpers to mint tokens the way the server does.
 */
import { randomBytes } from 'node:crypto';
import { createAuthConfig, generateToken, type AuthConfig, type UserInfo } from '@hypha/auth';
import { startServer, type RunningServer, type StartServerOptions } from '@hypha/server';

export interface TestServer {
  server: RunningServer;
  url: string;
  /** `ws://…/ws` */
  wsUrl: string;
  rootToken: string;
  /** The server's token settings (same secret), for minting expired or hand-made tokens. */
  authConfig: AuthConfig;
  close(): Promise<void>;
}

/** A root token that always passes the strength check (random, 64 characters). */
export function strongRootToken(): string {
  return randomBytes(48).toString('base64url'); // 64 chars: the reference skips its word check at that length
}

export async function startTestServer(options: StartServerOptions = {}): Promise<TestServer> {
  const jwtSecret = options.jwtSecret ?? randomBytes(24).toString('base64url');
  const rootToken = options.rootToken ?? strongRootToken();
  const server = await startServer({ port: 0, quiet: true, ...options, jwtSecret, rootToken });
  return {
    server,
    url: server.url,
    wsUrl: `${server.url.replace(/^http/, 'ws')}/ws`,
    rootToken,
    authConfig: createAuthConfig({ jwtSecret }),
    close: () => server.close(),
  };
}

/** A registered (non-anonymous) user with the given workspace permissions. */
export function userWith(id: string, workspaces: UserInfo['scope']['workspaces'], current?: string): UserInfo {
  return {
    id,
    roles: [],
    is_anonymous: false,
    email: `${id}@example.com`,
    parent: null,
    expires_at: null,
    current_workspace: current ?? null,
    scope: { workspaces, current_workspace: current ?? null, client_id: null, extra_scopes: [] },
  };
}

/** Mint a token with the server's secret; `issuedSecondsAgo` makes expired tokens. */
export function mintToken(config: AuthConfig, user: UserInfo, expiresIn = 600, issuedSecondsAgo = 0): string {
  return generateToken(config, user, { expiresIn, now: Math.floor(Date.now() / 1000) - issuedSecondsAgo });
}

/** Closes the instances of one test cluster, then removes the Redis keys left under their prefix. */
export async function closeCluster(first: TestServer | undefined, ...others: Array<TestServer | undefined>): Promise<void> {
  for (const server of others) await server?.close();
  if (!first) return;
  const leftovers = await first.server.core.bus.scan('*');
  if (leftovers.length) await first.server.core.bus.del(...leftovers);
  await first.close();
}
