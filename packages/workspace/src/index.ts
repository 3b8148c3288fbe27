/**
 * `@hypha/workspace`: the server core an embedder uses — build a {@link HyphaCore}, connect
 * clients through its gateway, read the manager's declaration. apps/server reaches further in
 * through `@hypha/workspace/internal`.
 */
export { HyphaCore } from './hypha-core.js';
export type { HyphaCoreOptions, ServerPeerOptions } from './hypha-core.js';
export { ClientGateway, ClientSession, ConnectionRejectedError } from './clients/client-gateway.js';
export type { ClientHello, ClientTransport, ClientGatewayOptions } from './clients/client-gateway.js';
export type { ClusterOptions } from './cluster/cluster-options.js';
export type { ServiceInfo, ServiceConfig, Visibility } from './registry/service-info.js';
export type { WorkspaceInfo } from './workspaces/workspace-info.js';
export type { CallContext } from './manager/context.js';
export type { AppServiceLauncher, ServerInfo } from './manager/workspace-manager.js';
export type { ServiceSearch, ServiceSearchParams } from './manager/service-search.js';
export { MANAGER_METHODS, managerServiceDef } from './manager/manager-service.js';
export { RoutingError } from './errors.js';
