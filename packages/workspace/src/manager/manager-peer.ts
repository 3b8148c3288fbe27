/**
 * The workspace-manager RPC peer: client `manager-<serverId>` in workspace `*`, attached to the
 * router through a {@link RouterConnection}, serving the `default` service.
 */
import { RPC } from '@hypha/rpc';
import type { RPCConnection } from '@hypha/rpc';
import type { UserInfo } from '@hypha/auth';
import type { MessageRouter } from '../routing/message-router.js';
import { RouterConnection } from './router-connection.js';
import { createManagerService } from './manager-service.js';
import type { PeerCaller, WorkspaceManager } from './workspace-manager.js';
import type { CallContext } from './context.js';

/** The subset of the RPC peer the manager uses (our `RPC` and the hypha-rpc one both fit). */
export interface ManagerRpc {
  register_service(api: Record<string, unknown>, config?: Record<string, unknown>): Promise<unknown>;
  get_remote_service(id: string, config?: Record<string, unknown>): Promise<any>;
  disconnect?(): Promise<void> | void;
  close?(): Promise<void> | void;
}

export interface ManagerRpcOptions {
  client_id: string;
  workspace: string;
  server_base_url: string;
  silent: boolean;
  method_timeout: number;
  default_context: Record<string, unknown>;
}

export type RpcFactory = (connection: RPCConnection, options: ManagerRpcOptions) => ManagerRpc;

export const defaultRpcFactory: RpcFactory = (connection, options) =>
  new RPC(connection, options) as unknown as ManagerRpc;

export class ManagerPeer implements PeerCaller {
  private connection: RouterConnection | null = null;
  private rpc: ManagerRpc | null = null;
  private service: Record<string, unknown> | null = null;

  constructor(
    private readonly router: MessageRouter,
    private readonly manager: WorkspaceManager,
    private readonly rootUser: UserInfo,
    private readonly rpcFactory: RpcFactory = defaultRpcFactory,
  ) {}

  async start(): Promise<void> {
    const managerId = this.manager.managerId;
    this.connection = new RouterConnection(this.router, '*', managerId, this.rootUser, managerId);
    await this.connection.attach();
    this.rpc = this.rpcFactory(this.connection, {
      client_id: managerId,
      workspace: '*',
      server_base_url: this.manager.serverInfo.public_base_url,
      silent: true,
      method_timeout: 30,
      default_context: { connection_type: 'websocket' },
    });
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
