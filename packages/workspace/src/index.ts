export { HyphaCore } from './hypha-core.js';
export type { HyphaCoreOptions } from './hypha-core.js';
export { MessageRouter, RouteHandle, presenceKey } from './routing/message-router.js';
export type { RouteEndpoint, EndpointFlow, MessageRouterOptions } from './routing/message-router.js';
export { syntheticReject } from './routing/synthetic-reject.js';
export { ServiceRegistry, splitFullServiceId } from './registry/service-registry.js';
export type { RegistryObserver } from './registry/service-registry.js';
export { serviceKey, serviceKeyPattern, parseServiceKey, escapeGlob } from './registry/service-key.js';
export type { ServiceKeyParts } from './registry/service-key.js';
export type { ServiceInfo, ServiceConfig, Visibility } from './registry/service-info.js';
export { WorkspaceStore } from './workspaces/workspace-store.js';
export type { WorkspaceObserver } from './workspaces/workspace-store.js';
export { ClusterNode } from './cluster/cluster-node.js';
export type { ClusterNodeOptions, ReannounceResult } from './cluster/cluster-node.js';
export { resolveClusterOptions } from './cluster/cluster-options.js';
export type { ClusterOptions, ResolvedClusterOptions } from './cluster/cluster-options.js';
export { LEADER_KEY, serverAliveKey, SERVER_ALIVE_PATTERN } from './cluster/cluster-keys.js';
export { LeaderLease } from './cluster/leader-lease.js';
export { LocalLedger } from './cluster/local-ledger.js';
export type { LedgerService } from './cluster/local-ledger.js';
export { OrphanReaper } from './cluster/orphan-reaper.js';
export type { ReapedServer } from './cluster/orphan-reaper.js';
export { newWorkspaceInfo, ownedBy, validateWorkspaceId, PROTECTED_WORKSPACES } from './workspaces/workspace-info.js';
export type { WorkspaceInfo } from './workspaces/workspace-info.js';
export { WorkspaceManager } from './manager/workspace-manager.js';
export type { AppServiceLauncher, PeerCaller, ServerInfo, WorkspaceManagerOptions } from './manager/workspace-manager.js';
export { createManagerService, MANAGER_METHODS } from './manager/manager-service.js';
export { ManagerPeer, defaultRpcFactory } from './manager/manager-peer.js';
export type { ManagerRpc, ManagerRpcOptions, RpcFactory } from './manager/manager-peer.js';
export { RouterConnection } from './manager/router-connection.js';
export { BuiltinServiceHost } from './manager/builtin-services.js';
export type { BuiltinServiceOptions } from './manager/builtin-services.js';
export { resolveServiceId, normaliseListQuery, isManagerServiceId } from './manager/service-query.js';
export type { CallContext } from './manager/context.js';
export { ClientGateway, ClientSession, ConnectionRejectedError } from './clients/client-gateway.js';
export type { ClientHello, ClientTransport, ClientGatewayOptions } from './clients/client-gateway.js';
/** Re-exported from `@hypha/auth` (the one implementation) for existing importers; prefer `@hypha/auth`. */
export type { AuthService } from '@hypha/auth';
export { checkPermission, getPermission, getUserWorkspace as personalWorkspace } from '@hypha/auth';
export {
  PermissionDeniedError,
  NotFoundError,
  InvalidInputError,
  RoutingError,
  isPermissionDeniedError,
  isNotFoundError,
} from './errors.js';
