/** The unmodified npm `hypha-rpc` client, connected to one of the cluster's servers. */
import { randomBytes } from 'node:crypto';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { WebSocket } from 'ws';

// hypha-rpc reads `WebSocket.OPEN` from the global scope, which Node 20 lacks.
if (!('WebSocket' in globalThis)) (globalThis as Record<string, unknown>).WebSocket = WebSocket;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HyphaClient = any;

/** A random token that passes the root-token strength check. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

export class ClientPool {
  private readonly clients = new Set<HyphaClient>();

  async connect(serverUrl: string, config: { client_id: string; token: string; workspace?: string }): Promise<HyphaClient> {
    const client = await hyphaWebsocketClient.connectToServer({
      server_url: serverUrl,
      WebSocketClass: WebSocket,
      logger: null,
      method_timeout: 30,
      ...config,
    });
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
