/**
 * The transport contract between an RPC peer and whatever carries its frames (WebSocket, HTTP
 * streaming, an in-memory pair, the server's router).
 *
 * Method names are snake_case on purpose: they match the duck-typed connection object that the
 * `hypha-rpc` 0.21 RPC class uses, so one transport serves both our peer and the reference peer.
 */
export interface ConnectionInfo {
  manager_id?: string | null;
  workspace?: string;
  client_id?: string;
  public_base_url?: string;
  reconnection_token?: string | null;
  reconnection_token_life_time?: number;
  hypha_version?: string;
  user?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface RPCConnection {
  /** Id of the server's workspace manager peer (`*\/<manager_id>`), once known. */
  manager_id?: string | null;
  /** Each inbound binary frame, whole (two concatenated msgpack objects, spec §3.1). */
  on_message(handler: (data: Uint8Array) => void): void;
  /** Fired on the first connection and after every successful reconnection. */
  on_connected(handler: (info: ConnectionInfo) => void | Promise<void>): void;
  on_disconnected(handler: (reason?: string) => void): void;
  emit_message(data: Uint8Array): Promise<void> | void;
  /** Set by the RPC after each (re)registration: false when a service could not be registered. */
  _services_registered_ok?: boolean;
  disconnect(reason?: string): Promise<void> | void;
}
