/**
 * What apps/server (and this package's tests) use beyond the public entry: the manager's RPC
 * object and lookups called in-process, the router's types, in-server peers, service ids and
 * keys. Not a stable API.
 */
export { createManagerService, authorizeInWorkspace } from './manager/manager-service.js';
export { getServiceInfo, getService, listServices, startAppFor } from './manager/methods/service-lookup.js';
export { registerService } from './manager/methods/service-registration.js';
export { WorkspaceManager } from './manager/workspace-manager.js';
export type { PeerCaller } from './manager/workspace-manager.js';
export { openInServerPeer } from './manager/in-server-peer.js';
export type { InServerPeer, InServerPeerOptions, InServerRpcOptions, RpcFactory } from './manager/in-server-peer.js';
export type { ManagerRpc } from './manager/manager-peer.js';
export type { RouterConnection } from './manager/router-connection.js';
export { MessageRouter } from './routing/message-router.js';
export type { RouteEndpoint, RouteHandle } from './routing/message-router.js';
export { ownedBy } from './workspaces/workspace-info.js';
export { splitFullServiceId } from './registry/service-registry.js';
export { serviceKey, serviceKeyPattern, parseServiceKey } from './registry/service-key.js';
export { resolveServiceId, normaliseListQuery } from './manager/service-query.js';
