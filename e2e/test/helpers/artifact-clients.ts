/** Clients for the artifact suites: hypha-rpc connections and the artifact manager proxy. */
import { hyphaWebsocketClient } from 'hypha-rpc';
import { WebSocket } from 'ws';

if (!('WebSocket' in globalThis)) (globalThis as Record<string, unknown>).WebSocket = WebSocket;

// Proxies are looked up by name at run time.
export type Proxy = Record<string, any>;

/** Keyword arguments for a hypha-rpc call (what a Python client's `f(a=1)` sends). */
export const kw = <T extends Record<string, unknown>>(args: T) => ({ ...args, _rkwargs: true });

export class ArtifactClients {
  private readonly open: Proxy[] = [];

  constructor(private readonly url: () => string) {}

  async connect(token?: string, workspace?: string): Promise<{ server: Proxy; am: Proxy }> {
    const config = { server_url: this.url(), logger: null, ...(token ? { token } : {}), ...(workspace ? { workspace } : {}) };
    const server = (await hyphaWebsocketClient.connectToServer(config)) as Proxy;
    this.open.push(server);
    const am = await server.getService('public/artifact-manager');
    return { server, am };
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.open.splice(0).map((s) => s.disconnect()));
  }
}

/** Reads a fetch response body as a Buffer. */
export async function bytes(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer());
}
