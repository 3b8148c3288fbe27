/**
 * Assembles the server core: router, registry, workspace records, the manager and its RPC peer,
 * and the client gateway. Transports (WebSocket, HTTP) only talk to `gateway`.
 */
import type { EventBus } from '@hypha/eventbus';
import { createRootUser } from '@hypha/auth';
import type { AuthService, UserInfo } from '@hypha/auth';
import { ClientGateway } from './clients/client-gateway.js';
import { ClusterNode } from './cluster/cluster-node.js';
import type { ClusterOptions } from './cluster/cluster-options.js';
import { BuiltinServiceHost } from './manager/builtin-services.js';
import type { RPC } from '@hypha/rpc';
import { openInServerPeer } from './manager/in-server-peer.js';
import type { InServerPeer, RpcFactory } from './manager/in-server-peer.js';
import { ManagerPeer } from './manager/manager-peer.js';
import type { ManagerRpc } from './manager/manager-peer.js';
import { WorkspaceManager } from './manager/workspace-manager.js';
import type { ServerInfo } from './manager/workspace-manager.js';
import { ServiceRegistry } from './registry/service-registry.js';
import { MessageRouter } from './routing/message-router.js';
import { newWorkspaceInfo } from './workspaces/workspace-info.js';
import { WorkspaceStore } from './workspaces/workspace-store.js';

export interface HyphaCoreOptions {
  bus: EventBus;
  auth: AuthService;
  serverId: string;
  publicBaseUrl: string;
  localBaseUrl?: string;
  hyphaVersion?: string;
  reconnectionTokenLifetime?: number;
  maxServicesPerClient?: number;
  unloadGracePeriodMs?: number;
  /** How often idle temporary workspaces are removed (ms; 0 disables; default 60 s). */
  idleWorkspaceSweepMs?: number;
  /** Creates the RPC of the manager and built-in service peers (tests pass hypha-rpc's). */
  rpcFactory?: RpcFactory<ManagerRpc>;
  /** Join a cluster on the shared bus (liveness, leader-gated reaper, re-announcement); Redis only. */
  cluster?: ClusterOptions;
  extraServerInfo?: Record<string, unknown>;
  onError?: (message: string, err: unknown) => void;
}

/** A peer of the server itself: client `<workspace>/<clientId>` acting as `user`. */
export interface ServerPeerOptions {
  workspace: string;
  clientId: string;
  user: UserInfo;
  /** Report this server's manager id to the peer (default); `false` for a transient caller. */
  withManagerId?: boolean;
  /** Seconds before an outgoing call times out (the RPC's default when omitted). */
  methodTimeout?: number;
  /** `connection_type` of the peer's default call context (none when omitted). */
  connectionType?: string;
}

export class HyphaCore {
  readonly bus: EventBus;
  readonly router: MessageRouter;
  readonly registry: ServiceRegistry;
  readonly workspaces: WorkspaceStore;
  readonly manager: WorkspaceManager;
  readonly gateway: ClientGateway;
  readonly managerId: string;
  /** Cluster membership, when `cluster` was given. */
  readonly cluster: ClusterNode | null;
  /** Services the server itself provides (`registerBuiltin`), e.g. `public/artifact-manager`. */
  readonly builtins: BuiltinServiceHost;
  private readonly peer: ManagerPeer;
  private readonly rootUser: UserInfo;
  private readonly sweepMs: number;
  private sweepTimer: ReturnType<typeof setInterval> | null = null;

  constructor(o: HyphaCoreOptions) {
    this.bus = o.bus;
    this.managerId = `manager-${o.serverId}`;
    this.router = new MessageRouter({ bus: o.bus, serverId: o.serverId, onError: o.onError });
    this.registry = new ServiceRegistry(o.bus);
    this.workspaces = new WorkspaceStore(o.bus);
    const serverInfo: ServerInfo = {
      server_id: o.serverId,
      hypha_version: o.hyphaVersion ?? '0.21.135',
      public_base_url: o.publicBaseUrl,
      local_base_url: o.localBaseUrl ?? o.publicBaseUrl,
      ...(o.extraServerInfo ?? {}),
    };
    this.manager = new WorkspaceManager({
      bus: o.bus,
      router: this.router,
      registry: this.registry,
      workspaces: this.workspaces,
      auth: o.auth,
      serverInfo,
      managerId: this.managerId,
      maxServicesPerClient: o.maxServicesPerClient,
      unloadGracePeriodMs: o.unloadGracePeriodMs,
    });
    this.rootUser = createRootUser();
    this.peer = new ManagerPeer(this.router, this.manager, this.rootUser, o.rpcFactory);
    this.builtins = new BuiltinServiceHost(this.router, this.manager, this.rootUser, o.serverId, o.rpcFactory);
    this.gateway = new ClientGateway({
      router: this.router,
      manager: this.manager,
      auth: o.auth,
      reconnectionTokenLifetime: o.reconnectionTokenLifetime,
    });
    this.sweepMs = o.idleWorkspaceSweepMs ?? 60_000;
    this.cluster = o.cluster
      ? new ClusterNode({ ...o.cluster, bus: o.bus, router: this.router, registry: this.registry, workspaces: this.workspaces, manager: this.manager, serverId: o.serverId })
      : null;
  }

  /** Creates the system workspaces (idempotent) and attaches the manager peer. */
  async start(): Promise<void> {
    const system = [
      newWorkspaceInfo({ id: 'ws-user-root', persistent: true, owners: ['root'], description: 'Workspace for user root' }),
      newWorkspaceInfo({ id: 'public', persistent: true, read_only: true, owners: ['root'], description: 'Public workspace' }),
      newWorkspaceInfo({ id: 'ws-anonymous', name: 'Anonymous Workspace', persistent: true, read_only: true, owners: ['root'], description: 'Anonymous Workspace' }),
    ];
    for (const info of system) if (!(await this.workspaces.get(info.id))) await this.workspaces.put(info);
    await this.cluster?.start();
    await this.peer.start();
    if (this.sweepMs > 0) {
      this.sweepTimer = setInterval(() => {
        this.manager.cleanupIdleWorkspaces().catch((err) => this.router.onError('idle workspace sweep failed', err));
      }, this.sweepMs);
      this.sweepTimer.unref?.();
    }
  }

  /** Attaches an RPC peer of the server itself to the router (close: `rpc.close()`, `connection.disconnect()`). */
  openPeer(o: ServerPeerOptions): Promise<InServerPeer<RPC>> {
    return openInServerPeer<RPC>({
      router: this.router,
      workspace: o.workspace,
      clientId: o.clientId,
      user: o.user,
      managerId: o.withManagerId === false ? null : this.managerId,
      serverBaseUrl: this.manager.serverInfo.public_base_url,
      methodTimeout: o.methodTimeout,
      connectionType: o.connectionType,
    });
  }

  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    await this.cluster?.stop();
    await this.builtins.stop();
    await this.peer.stop();
    await this.router.close();
  }
}
