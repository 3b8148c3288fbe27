/** The unmodified npm `hypha-rpc` client, connected to one of the cluster's servers. */
import { randomBytes } from 'node:crypto';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { WebSocket } from 'ws';

// hypha-rpc reads `WebSocket.OPEN` from the global scope, which Node 20 lacks.
if (!('WebSocket' in globalThis)) (globalThis as Record<string, unknown>).WebSocket = WebSocket;

/**
 * What hypha-rpc's `connectToServer` resolves to (its workspace-manager proxy). Its typings omit
 * several manager methods (createWorkspace, generateToken, getServiceInfo, echo), hence the index.
 */
 
export type HyphaClient = Awaited<ReturnType<typeof hyphaWebsocketClient.connectToServer>> & { [method: string]: any };
type ConnectConfig = Parameters<typeof hyphaWebsocketClient.connectToServer>[0];

/** A random token that passes the root-token strength check. */
export function randomSecret(): string {
  return randomBytes(48).toString('base64url'); // 64 chars: the reference skips its word check at that length
}

export class ClientPool {
  private readonly clients = new Set<HyphaClient>();

  async connect(serverUrl: string, config: { client_id: string; token?: string; workspace?: string; method_timeout?: number }): Promise<HyphaClient> {
    // `logger: null` silences the client; hypha-rpc's typings do not list that key.
    const options = { server_url: serverUrl, WebSocketClass: WebSocket, logger: null, method_timeout: 30, ...config };
    const client = (await hyphaWebsocketClient.connectToServer(options as ConnectConfig)) as HyphaClient;
    this.clients.add(client);
    return client;
  }

  /** Disconnects one client (its server then removes its services). */
  async disconnect(client: HyphaClient): Promise<void> {
    this.clients.delete(client);
    await client.disconnect();
  }

  async disconnectAll(): Promise<void> {
    for (const client of [...this.clients]) await this.disconnect(client);
  }
}
