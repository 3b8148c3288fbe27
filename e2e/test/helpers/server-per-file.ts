/**
 * One server for a test file, plus the clients a test opens (disconnected after each test).
 * npm hypha-rpc reads `WebSocket.OPEN` from the global scope, which Node 20 lacks, so the `ws`
 * class is installed globally for the file and removed afterwards.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { WebSocket } from 'ws';
import { startServer, type RunningServer } from '@hypha/server';

export interface ServerPerFile {
  readonly server: RunningServer;
  /** Clients to disconnect after the current test. */
  readonly opened: Array<{ disconnect(): Promise<void> }>;
}

export function serverPerFile(): ServerPerFile {
  let server: RunningServer | undefined;
  const opened: Array<{ disconnect(): Promise<void> }> = [];
  const hadGlobalWebSocket = 'WebSocket' in globalThis;
  beforeAll(async () => {
    if (!hadGlobalWebSocket) (globalThis as Record<string, unknown>).WebSocket = WebSocket;
    server = await startServer({ port: 0, quiet: true });
  });
  afterEach(async () => {
    for (const client of opened.splice(0)) await client.disconnect();
  });
  afterAll(async () => {
    await server?.close();
    if (!hadGlobalWebSocket) delete (globalThis as Record<string, unknown>).WebSocket;
  });
  return {
    get server() {
      if (!server) throw new Error('the server starts in beforeAll; use it inside a test');
      return server;
    },
    opened,
  };
}
