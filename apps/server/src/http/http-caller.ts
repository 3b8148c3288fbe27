/**
 * The HTTP caller as an RPC peer: a short-lived in-server peer attached to the router in the
 * caller's workspace with the caller's user, so HTTP calls are stamped and routed exactly like a
 * connected client's (rpc-protocol §3.3). It registers nothing; the router delivers replies and
 * callback invocations to it by its id.
 */
import { randId } from '@hypha/rpc';
import type { RPC } from '@hypha/rpc';
import type { RemoteService } from '@hypha/rpc';
import type { UserInfo } from '@hypha/auth';
import { checkPermission, getPermission, getUserWorkspace as personalWorkspace } from '@hypha/auth';
import { ownedBy } from '@hypha/workspace/internal';
import type { RouterConnection } from '@hypha/workspace/internal';
import type { CallContext, HyphaCore } from '@hypha/workspace';
import { HttpError } from './http-errors.js';

/**
 * The workspace an HTTP caller acts from (server-api §2.6 "HTTP workspace selection"): a
 * workspace-scoped token runs in its `wid`; otherwise the URL workspace when readable (or
 * `public`), else the user's own. Anonymous callers act from `ws-anonymous` (their token-less user's `wid`).
 */
export function callerWorkspace(user: UserInfo, urlWorkspace: string): string {
  const wid = user.scope?.current_workspace;
  if (wid && wid !== '*') return wid;
  if (urlWorkspace === 'public' || checkPermission(user, urlWorkspace, 'r')) return urlWorkspace;
  return personalWorkspace(user);
}

/**
 * The user an HTTP request acts as in the URL workspace (reference `update_user_scope` in its
 * service route): a generic token (no `wid`, e.g. an Auth0 cookie) of a signed-in user names a
 * workspace that must exist, and counts as admin there when its user owns it; otherwise the user
 * is unchanged and service visibility decides. Workspace-scoped tokens and anonymous callers are
 * returned as they are.
 */
export async function actingUser(core: HyphaCore, user: UserInfo, urlWorkspace: string): Promise<UserInfo> {
  const wid = user.scope?.current_workspace;
  if ((wid && wid !== '*') || user.is_anonymous || urlWorkspace === personalWorkspace(user)) return user;
  const info = await core.workspaces.get(urlWorkspace);
  if (!info) throw new HttpError(404, `Workspace '${urlWorkspace}' not found`);
  if (urlWorkspace === 'public' || getPermission(user, urlWorkspace) || !ownedBy(info, user)) return user;
  return {
    ...user,
    current_workspace: urlWorkspace,
    scope: { ...user.scope, workspaces: { ...user.scope.workspaces, [urlWorkspace]: 'a' }, current_workspace: urlWorkspace },
  };
}

export class HttpCallerPeer {
  private closed = false;

  private constructor(
    readonly workspace: string,
    readonly clientId: string,
    readonly user: UserInfo,
    readonly rpc: RPC,
    private readonly connection: RouterConnection,
  ) {}

  static async open(core: HyphaCore, user: UserInfo, workspace: string, methodTimeout = 30): Promise<HttpCallerPeer> {
    const clientId = `http-${randId()}`;
    const { rpc, connection } = await core.openPeer({
      workspace,
      clientId,
      user,
      withManagerId: false,
      methodTimeout,
      connectionType: 'http',
    });
    return new HttpCallerPeer(workspace, clientId, user, rpc, connection);
  }

  get id(): string {
    return `${this.workspace}/${this.clientId}`;
  }

  /** The context the router would stamp on this peer's calls (for in-process manager calls). */
  context(managerId: string): CallContext {
    return { ws: this.workspace, from: this.id, to: `*/${managerId}:default`, user: this.user, connection_type: 'http' };
  }

  getService(fullServiceId: string, timeoutSeconds = 10): Promise<RemoteService> {
    return this.rpc.get_remote_service(fullServiceId, { timeout: timeoutSeconds, _no_retry: true });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.rpc.close();
    await this.connection.disconnect();
  }
}
