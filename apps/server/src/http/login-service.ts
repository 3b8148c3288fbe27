/**
 * The default `public/hypha-login` service (server-api §2.7) for internal auth, hosted by an
 * in-server peer in workspace `public`: `start()` opens a login keyed by a random key (kept in the
 * event bus's key-value store for 180 s), the login page `index` lets the user `report()` a
 * token, and `check()` waits for it.
 */
import { randId } from '@hypha/rpc';
import { declare } from './declared-function.js';
import type { RPC } from '@hypha/rpc';
import { createRootUser } from '@hypha/auth';
import type { AuthService, UserInfo } from '@hypha/auth';
import type { RouterConnection } from '@hypha/workspace/internal';
import { InvalidArgumentError } from '@hypha/service';
import type { HyphaCore } from '@hypha/workspace';
import { loginPageHtml } from './login-page.js';

/** Seconds a login may take (`MAXIMUM_LOGIN_TIME`). */
export const MAXIMUM_LOGIN_TIME = 180;
const keyOf = (key: string) => `login_key:${key}`;

interface Reported {
  token: string;
  workspace: string | null;
  expires_in: number | null;
  email: string | null;
  email_verified: boolean | null;
  name: string | null;
  nickname: string | null;
  user_id: string;
  picture: string | null;
}

export class LoginService {
  private rpc: RPC | null = null;
  private clientId: string | null = null;
  private connection: RouterConnection | null = null;

  constructor(
    private readonly core: HyphaCore,
    private readonly auth: AuthService,
    /** Poll interval of `check()` in ms. */
    private readonly pollMs = 1000,
  ) {}

  private get base(): string {
    return this.core.manager.serverInfo.public_base_url;
  }

  async start(): Promise<void> {
    const clientId = `hypha-login-${randId()}`;
    this.clientId = clientId;
    const peer = await this.core.openPeer({ workspace: 'public', clientId, user: createRootUser('public') });
    this.connection = peer.connection;
    this.rpc = peer.rpc;
    await this.rpc.register_service(this.service());
  }

  async stop(): Promise<void> {
    this.rpc?.close();
    this.rpc = null;
    await this.connection?.disconnect();
    this.connection = null;
    if (this.clientId) await this.core.manager.deleteClient('public', this.clientId);
    this.clientId = null;
  }

  service(): Record<string, unknown> {
    const bus = this.core.bus;
    return {
      id: 'hypha-login',
      name: 'Hypha Login',
      type: 'functions',
      description: 'Login service of the server (internal auth)',
      config: { visibility: 'public' },
      // Each function names a trailing `_context`: services that set `require_context` (local
      // accounts) pass the caller's context last, and it must not land in an optional parameter.
      index: declare((_scope?: unknown, _context?: unknown) => ({ status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: loginPageHtml(this.base) }), 'index', 'The login page.', {
        scope: { description: 'The HTTP request scope.' },
      }),
      start: declare(async (workspace?: string | null, expires_in?: number | null, _context?: unknown) => {
        const key = randId();
        await bus.set(keyOf(key), '', { ttlMs: MAXIMUM_LOGIN_TIME * 1000 });
        const q = workspace ? `&workspace=${encodeURIComponent(workspace)}` : '';
        void expires_in;
        return {
          login_url: `${this.base}/public/apps/hypha-login/?key=${key}${q}`,
          key,
          report_url: `${this.base}/public/services/hypha-login/report`,
          check_url: `${this.base}/public/services/hypha-login/check`,
          generate_url: `${this.base}/public/services/hypha-login/generate`,
        };
      }, 'start', 'Start a login session; returns its key and the login URL.', {
        workspace: { type: ['string', 'null'], description: 'Workspace the token should be for.' },
        expires_in: { type: ['number', 'null'], description: 'Seconds the token stays valid.' },
      }),
      check: declare(async (key: string, timeout?: number | null, profile?: boolean | null, _context?: unknown) => {
        const limit = Date.now() + (timeout ?? MAXIMUM_LOGIN_TIME) * 1000;
        for (;;) {
          const raw = await bus.get(keyOf(String(key)));
          if (raw === null) throw new InvalidArgumentError(`Invalid login key: ${key} (unknown or expired)`);
          if (raw !== '') {
            await bus.del(keyOf(String(key)));
            const info = JSON.parse(raw) as Reported;
            return profile ? info : info.token;
          }
          if ((timeout ?? MAXIMUM_LOGIN_TIME) <= 0) return null;
          if (Date.now() >= limit) throw new Error(`Login timeout: the login with key ${key} was not completed in time`);
          await new Promise((r) => setTimeout(r, this.pollMs));
        }
      }, 'check', 'Wait for the token of a login session.', {
        key: { type: 'string', description: 'The login key.' },
        timeout: { type: ['number', 'null'], description: 'Seconds to wait; 0 or less checks once.' },
        profile: { type: ['boolean', 'null'], description: 'Return the whole profile instead of the token.' },
      }, ['key']),
      report: declare(async (
        key: string,
        token: string,
        workspace?: string | null,
        expires_in?: number | null,
        email?: string | null,
        email_verified?: boolean | null,
        name?: string | null,
        nickname?: string | null,
        user_id?: string | null,
        picture?: string | null,
        _context?: unknown,
      ) => {
        const stored = await bus.get(keyOf(String(key)));
        if (stored === null) throw new InvalidArgumentError(`Invalid login key: ${key} (unknown or expired)`);
        if (typeof token !== 'string' || !token) throw new Error('report: token is required');
        const user: UserInfo = await this.auth.resolveToken(token);
        let finalToken = token;
        if (workspace) {
          finalToken = await this.auth.generateChildToken(
            user,
            { workspace, expires_in: expires_in ?? 3600, permission: 'admin' },
            { workspace: user.scope?.current_workspace ?? workspace },
          );
        }
        const info: Reported = {
          token: finalToken,
          workspace: workspace ?? null,
          expires_in: expires_in ?? null,
          email: email ?? user.email ?? null,
          email_verified: email_verified ?? null,
          name: name ?? null,
          nickname: nickname ?? null,
          user_id: user_id ?? user.id,
          picture: picture ?? null,
        };
        await bus.set(keyOf(String(key)), JSON.stringify(info), { ttlMs: MAXIMUM_LOGIN_TIME * 1000 });
        return null;
      }, 'report', 'Report the token (and profile) of a login session.', {
        key: { type: 'string', description: 'The login key.' },
        token: { type: 'string', description: 'A token of this server.' },
        workspace: { type: ['string', 'null'], description: 'Make the token a scoped token for this workspace.' },
        expires_in: { type: ['number', 'null'], description: 'Seconds the scoped token stays valid.' },
        email: { type: ['string', 'null'] },
        email_verified: { type: ['boolean', 'null'] },
        name: { type: ['string', 'null'] },
        nickname: { type: ['string', 'null'] },
        user_id: { type: ['string', 'null'] },
        picture: { type: ['string', 'null'] },
      }, ['key', 'token']),
    };
  }
}
