/**
 * The workspace-manager RPC peer: client `manager-<serverId>` in workspace `*`, an in-server peer
 * serving the `default` service.
 */
import type { UserInfo } from '@hypha/auth';
import type { MessageRouter } from '../routing/message-router.js';
import type { RouterConnection } from './router-connection.js';
import { openInServerPeer } from './in-server-peer.js';
import type { RpcFactory } from './in-server-peer.js';
import { createManagerService } from './manager-service.js';
import type { PeerCaller, WorkspaceManager } from './workspace-manager.js';
import type { CallContext } from './context.js';

/** The subset of an RPC peer the server's own peers use (our `RPC` and the hypha-rpc one both fit). */
export interface ManagerRpc {
  register_service(api: Record<string, unknown>, config?: Record<string, unknown>): Promise<unknown>;
  get_remote_service(id: string, config?: Record<string, unknown>): Promise<any>;
  disconnect?(): Promise<void> | void;
  close?(): Promise<void> | void;
}

/** Seconds before a call made by the manager or a built-in service host times out. */
export const SERVER_PEER_METHOD_TIMEOUT = 30;

export class ManagerPeer implements PeerCaller {
  private connection: RouterConnection | null = null;
  private rpc: ManagerRpc | null = null;
  private service: Record<string, unknown> | null = null;

  constructor(
    private readonly router: MessageRouter,
    private readonly manager: WorkspaceManager,
    private readonly rootUser: UserInfo,
    private readonly rpcFactory?: RpcFactory<ManagerRpc>,
  ) {}

  async start(): Promise<void> {
    const managerId = this.manager.managerId;
    const peer = await openInServerPeer<ManagerRpc>({
      router: this.router,
      workspace: '*',
      clientId: managerId,
      user: this.rootUser,
      managerId,
      serverBaseUrl: this.manager.serverInfo.public_base_url,
      methodTimeout: SERVER_PEER_METHOD_TIMEOUT,
      connectionType: 'websocket',
      rpcFactory: this.rpcFactory,
    });
    this.connection = peer.connection;
    this.rpc = peer.rpc;
    this.service = createManagerService(this.manager);
    await this.rpc.register_service(this.service, { notify: false });
    this.manager.setPeer(this);
  }

  async getRemoteService(id: string, config?: { timeout?: number; case_conversion?: string | null }): Promise<any> {
    if (!this.rpc) throw new Error('Workspace manager RPC peer is not started');
    return this.rpc.get_remote_service(id, { ...(config ?? {}) });
  }

  getManagerService(_context: CallContext): unknown {
    if (!this.service) throw new Error('Workspace manager RPC peer is not started');
    return this.service;
  }

  async stop(): Promise<void> {
    const rpc = this.rpc;
    this.rpc = null;
    if (rpc?.close) await rpc.close();
    await this.connection?.disconnect();
    this.connection = null;
  }
}
