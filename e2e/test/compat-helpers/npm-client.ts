/**
 * The unmodified npm `hypha-rpc` client against a fresh test server, for the compat-* suites:
 * every connection is silent and tracked so `closeAll()` can disconnect what a test opened.
 */
import { hyphaWebsocketClient } from 'hypha-rpc';
import { WebSocket } from 'ws';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

// hypha-rpc uses the global WebSocket and its OPEN/CLOSED constants; Node 20 has none.
if (!('WebSocket' in globalThis)) (globalThis as Record<string, unknown>).WebSocket = WebSocket;

/** The manager proxy hypha-rpc returns; its methods are looked up by name at run time. */
 
export type NpmServer = Record<string, any> & { config: Record<string, any>; disconnect(): Promise<void> };

export interface NpmHarness {
  server(): TestServer;
  connect(config?: Record<string, unknown>): Promise<NpmServer>;
  closeAll(): Promise<void>;
}

export function npmHarness(): NpmHarness & { start(): Promise<void>; stop(): Promise<void> } {
  let t: TestServer | null = null;
  const open: NpmServer[] = [];
  return {
    async start() {
      t = await startTestServer();
    },
    async stop() {
      await t?.close();
      t = null;
    },
    server() {
      if (!t) throw new Error('compat harness: server not started (call start() in beforeAll)');
      return t;
    },
    async connect(config = {}) {
      // `logger` and other options are read at run time but missing from hypha-rpc's typings.
      const full = { server_url: this.server().url, logger: null, ...config } as Parameters<typeof hyphaWebsocketClient.connectToServer>[0];
      const api = (await hyphaWebsocketClient.connectToServer(full)) as NpmServer;
      open.push(api);
      return api;
    },
    async closeAll() {
      const all = open.splice(0);
      await Promise.all(all.map((s) => s.disconnect()));
    },
  };
}
