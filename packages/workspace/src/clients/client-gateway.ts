/**
 * Turns a transport's hello (`{client_id, workspace, token, reconnection_token}`) into an
 * authenticated, routed client (rpc-protocol §2.2–§2.4, §9.3). Transport-neutral: the WebSocket
 * endpoint and the HTTP stream both use it.
 */
import { assertGeneralAccess, checkPermission, getPermission, getUserWorkspace, isTokenValidationError } from '@hypha/auth';
import type { AuthService, UserInfo } from '@hypha/auth';
import { NotFoundError } from '@hypha/service';
import type { MessageRouter, RouteHandle } from '../routing/message-router.js';
import type { WorkspaceManager } from '../manager/workspace-manager.js';
import { ownedBy } from '../workspaces/workspace-info.js';

export interface ClientHello {
  client_id?: unknown;
  workspace?: unknown;
  token?: unknown;
  reconnection_token?: unknown;
}

/** A refused handshake; `code`/`reason` are what the WebSocket close should carry. */
export class ConnectionRejectedError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'ConnectionRejectedError';
  }
}

export interface ClientTransport {
  /** Returns `false` when the transport is closing or closed and did not take the frame. */
  deliver(frame: Uint8Array): boolean | void;
  /** Optional: sends a frame given as stamped header + payload as one message (see `RouteEndpoint.deliverParts`). */
  deliverParts?(head: Uint8Array, rest: Uint8Array): boolean | void;
  /** Closes the transport (superseded, workspace unloaded, ...). */
  close(code: number, reason: string): void;
}

export interface ClientGatewayOptions {
  router: MessageRouter;
  manager: WorkspaceManager;
  auth: AuthService;
  /** Seconds. @default auth.config.reconnectionTokenLifetime */
  reconnectionTokenLifetime?: number;
}

const fail = (message: string) => new ConnectionRejectedError(1001, `Failed to establish connection: ${message}`);

function strOrNull(v: unknown, what: string): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw new ConnectionRejectedError(1003, `Failed to decode authentication information: ${what} must be a string`);
  return v;
}

export class ClientGateway {
  private readonly router: MessageRouter;
  private readonly manager: WorkspaceManager;
  private readonly auth: AuthService;
  readonly reconnectionTokenLifetime: number;
  private readonly sessions = new Map<string, ClientSession>();

  constructor(o: ClientGatewayOptions) {
    this.router = o.router;
    this.manager = o.manager;
    this.auth = o.auth;
    this.reconnectionTokenLifetime = o.reconnectionTokenLifetime ?? o.auth.config.reconnectionTokenLifetime;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Running totals for metrics and /health: sessions admitted and released since start. */
  readonly totals = { opened: 0, closed: 0 };

  allSessions(): ClientSession[] {
    return [...this.sessions.values()];
  }

  /**
   * The user behind a token (root token, internal HS256 or OIDC RS256; revocation checked).
   * Validation failures become close 1008 `Authentication error: …`; a specialized token
   * (`resource:action` extra scopes) is refused for a connection with 1001.
   */
  private async resolveToken(token: string, workspace: string | null): Promise<UserInfo> {
    let user: UserInfo;
    try {
      user = await this.auth.resolveToken(token, { workspace });
    } catch (err) {
      if (isTokenValidationError(err)) throw new ConnectionRejectedError(1008, `Authentication error: ${(err as Error).message}`);
      throw err;
    }
    try {
      assertGeneralAccess(user);
    } catch (err) {
      throw fail(`Failed to authenticate user: ${(err as Error).message}`);
    }
    return user;
  }

  /** Authentication and workspace resolution (rpc-protocol §2.3). */
  async authenticate(hello: ClientHello): Promise<{ user: UserInfo; workspace: string; reconnecting: boolean }> {
    const clientId = strOrNull(hello.client_id, 'client_id');
    if (!clientId) throw new ConnectionRejectedError(1003, 'Failed to decode authentication information: client_id is required');
    if (clientId.length > 256) throw fail(`Invalid client id: ${JSON.stringify(clientId.slice(0, 32))}… is longer than 256 characters`);
    if (/[/:@*\s\u0000-\u001f\u007f]/.test(clientId)) {
      throw fail(`Invalid client id: ${JSON.stringify(clientId)}; it must not contain '/', ':', '@', '*', spaces or control characters`);
    }
    const workspace = strOrNull(hello.workspace, 'workspace');
    const token = strOrNull(hello.token, 'token');
    const reconnectionToken = strOrNull(hello.reconnection_token, 'reconnection_token');
    if (workspace !== null && !/^[a-zA-Z0-9\-_|]+$/.test(workspace)) {
      throw fail(`Invalid workspace name: ${JSON.stringify(workspace)}`);
    }
    let user: UserInfo;
    if (reconnectionToken) {
      user = await this.resolveToken(reconnectionToken, workspace);
      const wid = user.scope?.current_workspace;
      const cid = user.scope?.client_id;
      if (!wid || !cid) throw fail('Failed to authenticate user: Invalid reconnection token, missing workspace or client id');
      if (workspace && workspace !== wid) {
        throw fail(`Failed to authenticate user: Invalid scope, workspace mismatch: ${workspace} != ${wid}`);
      }
      if (cid !== clientId) throw fail('Failed to authenticate user: Client id mismatch, disconnecting');
      return { user, workspace: wid, reconnecting: true };
    }
    if (token) {
      user = await this.resolveToken(token, workspace);
      const cid = user.scope?.client_id;
      if (cid && cid !== clientId) {
        throw fail(`Failed to authenticate user: Client id mismatch: this token is restricted to client with client_id='${cid}'`);
      }
      const wid = user.scope?.current_workspace ?? null;
      if (wid && wid !== '*' && workspace && wid !== workspace) {
        throw fail(
          `Failed to authenticate user: Current workspace encoded in the token (${wid}) does not match the specified workspace (${workspace})`,
        );
      }
      let resolved: string = workspace ?? (wid && wid !== '*' ? wid : getUserWorkspace(user));
      if (resolved === 'public' && wid !== 'public') resolved = wid && wid !== '*' ? wid : getUserWorkspace(user);
      user = { ...user, scope: { ...user.scope, client_id: clientId } };
      return { user, workspace: resolved, reconnecting: false };
    }
    user = await this.auth.resolveToken(null, { workspace });
    user = { ...user, scope: { ...user.scope, client_id: clientId } };
    return { user, workspace: user.scope.current_workspace ?? getUserWorkspace(user), reconnecting: false };
  }

  /**
   * Runs the whole handshake after the hello was parsed and returns the routed session.
   * @throws ConnectionRejectedError with the close code and reason for the transport.
   */
  async connect(hello: ClientHello, transport: ClientTransport): Promise<ClientSession> {
    const { user: authUser, workspace, reconnecting } = await this.authenticate(hello);
    const clientId = hello.client_id as string;
    let info;
    try {
      info = await this.manager.loadOrCreateWorkspace(authUser, workspace);
    } catch (err) {
      if (err instanceof NotFoundError) throw fail(err.message);
      throw err;
    }
    let user = authUser;
    const workspaces = { ...(user.scope?.workspaces ?? {}) };
    if (!getPermission(user, workspace) && ownedBy(info, user)) workspaces[workspace] = 'a';
    user = { ...user, scope: { ...user.scope, workspaces, current_workspace: workspace, client_id: clientId } };
    if (!checkPermission(user, workspace, 'r')) throw fail(`Permission denied for workspace: ${workspace}`);
    const fullId = `${workspace}/${clientId}`;
    if (!reconnecting) {
      const existing = await this.manager.registry.find({ workspace, clientId, serviceId: 'built-in' });
      if (existing.length > 0) {
        const answer = await this.manager.pingClient(fullId, 3);
        if (answer === 'pong') throw fail(`Client already exists and is active: ${fullId}`);
        const stale = await this.manager.registry.clientKeys(workspace, clientId);
        if (stale.length) await this.manager.registry.delete(...stale);
      }
    }
    const readOnly = getPermission(user, workspace) === 'r';
    const session = new ClientSession(this, transport, workspace, clientId, user);
    // The token this connection was opened with: revoking it also ends the reconnection tokens.
    const presented = strOrNull(hello.reconnection_token, 'reconnection_token') ?? strOrNull(hello.token, 'token');
    session.tokenOrigin = presented ? this.auth.tokenOrigin(presented) : null;
    const { handle, superseded } = await this.router.attach({
      workspace,
      clientId,
      user,
      readOnly,
      deliver: (frame) => transport.deliver(frame),
      close: (code, reason) => transport.close(code, reason),
      ...(transport.deliverParts ? { deliverParts: (head: Uint8Array, rest: Uint8Array) => transport.deliverParts!(head, rest) } : {}),
    });
    session.handle = handle;
    const previous = this.sessions.get(fullId);
    this.sessions.set(fullId, session);
    this.totals.opened++;
    if (previous && superseded) previous.supersede();
    return session;
  }

  async connectionInfo(session: ClientSession): Promise<Record<string, unknown>> {
    const s = this.manager.serverInfo;
    return {
      type: 'connection_info',
      hypha_version: s.hypha_version,
      public_base_url: s.public_base_url,
      local_base_url: s.local_base_url,
      manager_id: this.manager.managerId,
      workspace: session.workspace,
      client_id: session.clientId,
      user: session.user,
      reconnection_token: await this.reconnectionToken(session),
      reconnection_token_life_time: this.reconnectionTokenLifetime,
    };
  }

  /** A token that lets this client reconnect as itself (scope binds `wid` and `cid`). */
  async reconnectionToken(session: ClientSession): Promise<string> {
    return this.auth.generateReconnectionToken(session.user, this.reconnectionTokenLifetime, session.tokenOrigin);
  }

  /** @internal */
  async release(session: ClientSession): Promise<void> {
    const fullId = `${session.workspace}/${session.clientId}`;
    const handle = session.handle;
    if (!handle) return;
    const current = this.router.getLocal(fullId) === handle;
    if (this.sessions.get(fullId) === session) this.sessions.delete(fullId);
    this.totals.closed++;
    await handle.detach(true);
    if (current) await this.manager.deleteClient(session.workspace, session.clientId);
  }

  /** Closes every client of a workspace (e.g. when it is deleted). */
  closeWorkspace(workspace: string, reason: string): void {
    for (const s of this.sessions.values()) if (s.workspace === workspace) s.transport.close(1001, reason);
  }
}

/** One connected client. */
export class ClientSession {
  handle: RouteHandle | null = null;
  /** Lineage of the token the connection was opened with (see `AuthService.tokenOrigin`). */
  tokenOrigin: string | null = null;
  private closed = false;

  constructor(
    private readonly gateway: ClientGateway,
    readonly transport: ClientTransport,
    readonly workspace: string,
    readonly clientId: string,
    readonly user: UserInfo,
  ) {}

  get id(): string {
    return `${this.workspace}/${this.clientId}`;
  }

  /** Routes one binary frame from the client; throws FrameError for malformed frames. */
  route(frame: Uint8Array): void {
    if (!this.handle) throw new Error(`Client ${this.id} is not attached`);
    this.handle.route(frame);
  }

  refreshReconnectionToken(): Promise<string> {
    return this.gateway.reconnectionToken(this);
  }

  /** @internal a newer connection took over this client id. */
  supersede(): void {
    this.closed = true;
    this.transport.close(1001, `Old connection for ${this.id} superseded`);
  }

  /** Called by the transport when it ended; removes the client's services unless superseded. */
  async disconnected(): Promise<void> {
    if (this.closed && !this.handle) return;
    this.closed = true;
    await this.gateway.release(this);
  }
}
