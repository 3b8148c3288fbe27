/**
 * The one way to build an RPC peer that lives inside the server (the manager, built-in service
 * hosts, HTTP callers, the login service): a {@link RouterConnection} attached to the router as
 * client `<workspace>/<clientId>` of `user`, and an RPC peer speaking over it.
 */
import { RPC } from '@hypha/rpc';
import type { RPCConnection } from '@hypha/rpc';
import type { UserInfo } from '@hypha/auth';
import type { MessageRouter } from '../routing/message-router.js';
import { RouterConnection } from './router-connection.js';

/** The options an in-server peer's RPC is created with (hypha-rpc's names). */
export interface InServerRpcOptions {
  client_id: string;
  workspace: string;
  server_base_url: string;
  silent: boolean;
  method_timeout?: number;
  default_context?: Record<string, unknown>;
}

/** Creates the RPC of an in-server peer (our `RPC` by default; tests may pass hypha-rpc's). */
export type RpcFactory<R = unknown> = (connection: RPCConnection, options: InServerRpcOptions) => R;

export interface InServerPeerOptions<R> {
  router: MessageRouter;
  workspace: string;
  clientId: string;
  user: UserInfo;
  /** The manager id the peer reports (`null`: none, e.g. a transient HTTP caller). */
  managerId: string | null;
  serverBaseUrl: string;
  /** Seconds before an outgoing call times out (the RPC's default when omitted). */
  methodTimeout?: number;
  /** `connection_type` of the peer's default call context (none when omitted). */
  connectionType?: string;
  rpcFactory?: RpcFactory<R>;
}

export interface InServerPeer<R> {
  connection: RouterConnection;
  rpc: R;
}

const defaultFactory: RpcFactory<RPC> = (connection, options) => new RPC(connection, options);

/** Attaches a connection for the peer to the router, then creates its RPC over it. */
export async function openInServerPeer<R = RPC>(o: InServerPeerOptions<R>): Promise<InServerPeer<R>> {
  const connection = new RouterConnection(o.router, o.workspace, o.clientId, o.user, o.managerId);
  await connection.attach();
  const options: InServerRpcOptions = {
    client_id: o.clientId,
    workspace: o.workspace,
    server_base_url: o.serverBaseUrl,
    silent: true,
  };
  if (o.methodTimeout !== undefined) options.method_timeout = o.methodTimeout;
  if (o.connectionType !== undefined) options.default_context = { connection_type: o.connectionType };
  const factory = (o.rpcFactory ?? defaultFactory) as RpcFactory<R>;
  return { connection, rpc: factory(connection, options) };
}
