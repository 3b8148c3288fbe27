/**
 * Built-in services registered by the server itself (the artifact manager, …): one in-server RPC
 * peer per workspace (client `builtin-<serverId>`), attached to the router like the manager peer,
 * whose services are entered in the registry directly by the manager.
 */
import type { UserInfo } from '@hypha/auth';
import type { MessageRouter } from '../routing/message-router.js';
import { RouterConnection } from './router-connection.js';
import { defaultRpcFactory } from './manager-peer.js';
import type { ManagerRpc, RpcFactory } from './manager-peer.js';
import type { WorkspaceManager } from './workspace-manager.js';
import { registerService } from './methods/service-registration.js';

interface HostedPeer {
  connection: RouterConnection;
  rpc: ManagerRpc;
}

export interface BuiltinServiceOptions {
  /** Workspace the service lives in. @default 'public' */
  workspace?: string;
}

export class BuiltinServiceHost {
  private readonly peers = new Map<string, Promise<HostedPeer>>();
  readonly clientId: string;

  constructor(
    private readonly router: MessageRouter,
    private readonly manager: WorkspaceManager,
    private readonly rootUser: UserInfo,
    serverId: string,
    private readonly rpcFactory: RpcFactory = defaultRpcFactory,
  ) {
    this.clientId = `builtin-${serverId}`;
  }

  private peer(workspace: string): Promise<HostedPeer> {
    let p = this.peers.get(workspace);
    if (!p) {
      p = (async () => {
        const connection = new RouterConnection(this.router, workspace, this.clientId, this.rootUser, this.manager.managerId);
        await connection.attach();
        const rpc = this.rpcFactory(connection, {
          client_id: this.clientId,
          workspace,
          server_base_url: this.manager.serverInfo.public_base_url,
          silent: true,
          method_timeout: 30,
          default_context: { connection_type: 'websocket' },
        });
        return { connection, rpc };
      })();
      this.peers.set(workspace, p);
      p.catch(() => this.peers.delete(workspace));
    }
    return p;
  }

  /**
   * Serves `service` (an object with `id`, `config` and functions) from the workspace's built-in
   * peer and lists it in the registry as `<ws>/builtin-<serverId>:<id>`.
   * @returns the full service id.
   */
  async register(service: Record<string, unknown>, options: BuiltinServiceOptions = {}): Promise<string> {
    const workspace = options.workspace ?? 'public';
    const { rpc } = await this.peer(workspace);
    const info = (await rpc.register_service(service, { notify: false, overwrite: true })) as Record<string, unknown>;
    await registerService(this.manager, { ws: workspace, from: `${workspace}/${this.clientId}`, user: this.rootUser }, info);
    return `${workspace}/${this.clientId}:${String(service.id)}`;
  }

  async stop(): Promise<void> {
    const peers = [...this.peers.values()];
    this.peers.clear();
    for (const p of peers) {
      const { rpc, connection } = await p;
      if (rpc.close) await rpc.close();
      await connection.disconnect();
    }
  }
}
