import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { build, type Options } from 'tsup';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import configs from '../tsup.config.js';
import { sendConnectionInfo, startHandshakePeer } from './client-handshake-peer.js';

// Build the two browser bundles exactly as `pnpm build` does, into a temporary directory.
let outDir = '';
let minJs = '';
let mjs = '';

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'hypha-rpc-bundle-'));
  const browserConfigs = (configs as Options[]).filter((c) => JSON.stringify(c.entry).includes('browser.ts'));
  expect(browserConfigs).toHaveLength(2);
  const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
  for (const config of browserConfigs) {
    const entry = { 'hypha-rpc-websocket': join(packageDir, 'src/browser.ts') };
    await build({ ...config, entry, outDir, silent: true, config: false, sourcemap: false });
  }
  minJs = await readFile(join(outDir, 'hypha-rpc-websocket.min.js'), 'utf8');
  mjs = await readFile(join(outDir, 'hypha-rpc-websocket.mjs'), 'utf8');
}, 60_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

/**
 * A plain JS context with only what a browser page offers (no require, no process). The JS
 * built-ins (Uint8Array, DataView, Promise, ...) are the context's own; only web APIs are lent.
 */
function browserContext() {
  const window: Record<string, unknown> = {
    console,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    TextEncoder,
    TextDecoder,
    WebSocket,
  };
  window.window = window;
  window.self = window;
  return createContext(window);
}

describe('browser bundle', () => {
  it('contains no Node built-ins or require calls', () => {
    for (const code of [minJs, mjs]) {
      expect(code).not.toMatch(/require\(["'][a-z:_/]+["']\)/);
      expect(code).not.toMatch(/["']node:[a-z]+["']/);
      expect(code).not.toMatch(/import\(["']ws["']\)/);
    }
  });

  it('exposes the global hyphaWebsocketClient in a plain script context', () => {
    const context = browserContext();
    runInContext(minJs, context);
    const client = (context as { hyphaWebsocketClient?: Record<string, unknown> }).hyphaWebsocketClient;
    expect(client).toBeDefined();
    for (const name of ['connectToServer', 'connect_to_server', 'connectToServerHTTP', 'login', 'logout', 'schemaFunction', 'typedFunction', 'getRemoteService', 'HTTPStreamingRPCConnection', 'RPC']) {
      expect(typeof client![name], name).toBe('function');
    }
    const fn = runInContext(
      `hyphaWebsocketClient.schemaFunction(function add(a, b) { return a + b }, {
        description: 'Add', parameters: { type: 'object', properties: { a: { type: 'number' } }, required: ['a'] } })`,
      context,
    );
    expect(fn.__schema__).toEqual({
      name: 'add',
      description: 'Add',
      parameters: { type: 'object', properties: { a: { type: 'number' } }, required: ['a'] },
    });
  });

  it("performs the handshake with the page's WebSocket", async () => {
    const peer = await startHandshakePeer((c) => sendConnectionInfo(c));
    try {
      const context = browserContext();
      runInContext(minJs, context);
      (context as Record<string, unknown>).serverUrl = peer.url;
      const info = await runInContext(
        `(async () => {
          const conn = new hyphaWebsocketClient.WebsocketRPCConnection({ server_url: serverUrl, client_id: 'page', logger: null });
          const info = await conn.open();
          await conn.disconnect();
          return info;
        })()`,
        context,
      );
      expect(info.manager_id).toBe('manager-test');
      expect(peer.connections[0]!.auth.client_id).toBe('page');
    } finally {
      await peer.close();
    }
  });
});
