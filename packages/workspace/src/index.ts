export { HyphaCore } from './hypha-core.js';
export type { HyphaCoreOptions } from './hypha-core.js';
export { MessageRouter, RouteHandle, presenceKey } from './routing/message-router.js';
export type { RouteEndpoint, MessageRouterOptions } from './routing/message-router.js';
export { syntheticReject } from './routing/synthetic-reject.js';
export { ServiceRegistry, splitFullServiceId } from './registry/service-registry.js';
export { serviceKey, serviceKeyPattern, parseServiceKey, escapeGlob } from './registry/service-key.js';
export type { ServiceKeyParts } from './registry/service-key.js';
export type { ServiceInfo, ServiceConfig, Visibility } from './registry/service-info.js';
export { WorkspaceStore } from './workspaces/workspace-store.js';
export { newWorkspaceInfo, ownedBy, validateWorkspaceId, PROTECTED_WORKSPACES } from './workspaces/workspace-info.js';
export type { WorkspaceInfo } from './workspaces/workspace-info.js';
export { WorkspaceManager } from './manager/workspace-manager.js';
export type { PeerCaller, ServerInfo, WorkspaceManagerOptions } from './manager/workspace-manager.js';
export { createManagerService, MANAGER_METHODS } from './manager/manager-service.js';
export { ManagerPeer, defaultRpcFactory } from './manager/manager-peer.js';
export type { ManagerRpc, ManagerRpcOptions, RpcFactory } from './manager/manager-peer.js';
export { RouterConnection } from './manager/router-connection.js';
export { resolveServiceId, normaliseListQuery, isManagerServiceId } from './manager/service-query.js';
export type { CallContext } from './manager/context.js';
export { ClientGateway, ClientSession, ConnectionRejectedError } from './clients/client-gateway.js';
export type { ClientHello, ClientTransport, ClientGatewayOptions } from './clients/client-gateway.js';
export type { AuthService } from './auth/auth-service.js';
export { getPermission, checkPermission, personalWorkspace, toPermissionCode } from './auth/permissions.js';
export {
  PermissionDeniedError,
  NotFoundError,
  InvalidInputError,
  RoutingError,
  isPermissionDeniedError,
  isNotFoundError,
} from './errors.js';
