/**
 * Connecting test clients: the unmodified npm `hypha-rpc` and `@hypha/rpc`'s `connectToServer`,
 * both silent (`logger: null`), tracked so every test can disconnect what it opened.
 */
import { connectToServer as connectTs } from '@hypha/rpc';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { WebSocket } from 'ws';

// hypha-rpc uses the global WebSocket and its OPEN/CLOSED constants; Node 20 has none.
if (!('WebSocket' in globalThis)) (globalThis as Record<string, unknown>).WebSocket = WebSocket;

export type ClientKind = 'hypha-rpc' | '@hypha/rpc';
export const CLIENT_KINDS: ClientKind[] = ['hypha-rpc', '@hypha/rpc'];

/** The manager proxy either client returns (both expose snake_case and camelCase names). */
// The manager's methods are looked up by name at run time; the tests call them as the docs show.
export type Server = Record<string, any> & { config: Record<string, any>; disconnect(): Promise<void> };

export class ClientPool {
  private readonly open: Server[] = [];

  constructor(private readonly url: () => string) {}

  async connect(kind: ClientKind, config: Record<string, unknown> = {}): Promise<Server> {
    const base = { server_url: this.url(), logger: null, ...config };
    const server = (kind === 'hypha-rpc'
      ? await hyphaWebsocketClient.connectToServer(base)
      : await connectTs(base as Parameters<typeof connectTs>[0])) as unknown as Server;
    this.open.push(server);
    return server;
  }

  /** Disconnect every client opened since the last call (afterEach). */
  async closeAll(): Promise<void> {
    const all = this.open.splice(0);
    await Promise.all(all.map((s) => s.disconnect()));
  }
}
