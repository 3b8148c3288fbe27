import { startServer, type RunningServer } from '@hypha/server';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { chromium, type Browser } from 'playwright-core';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A page loads the server's /assets/hypha-rpc-websocket.js in headless Chromium and calls a
// service registered by a Node client.

let srv: RunningServer;
let browser: Browser;
let provider: any;

beforeAll(async () => {
  if (!('WebSocket' in globalThis)) (globalThis as Record<string, unknown>).WebSocket = WebSocket;
  srv = await startServer({ port: 0, quiet: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  provider = await hyphaWebsocketClient.connectToServer({ server_url: srv.url, client_id: 'node-provider' });
  await provider.registerService({
    id: 'greeter',
    config: { visibility: 'public' },
    greet: (name: string) => `hello ${name} from node`,
    sum: (xs: number[]) => xs.reduce((a, b) => a + b, 0),
  });
});

afterAll(async () => {
  await browser?.close();
  await provider?.disconnect();
  await srv?.close();
});

describe('the browser bundle served at /assets', () => {
  it('lets a page connect with hyphaWebsocketClient and call a Node service', async () => {
    const page = await browser.newPage();
    try {
      // an HTML page of the server itself so the script and the WebSocket are same-origin
      await page.goto(`${srv.url}/public`);
      await page.addScriptTag({ url: `${srv.url}/assets/hypha-rpc-websocket.js` });
      const out = await page.evaluate(
        async ({ url, ws }) => {
          const client = (globalThis as any).hyphaWebsocketClient;
          const server = await client.connectToServer({ server_url: url });
          const svc = await server.getService(`${ws}/node-provider:greeter`);
          const result = { greet: await svc.greet('chromium'), sum: await svc.sum([1, 2, 3]), hasConnect: typeof client.connectToServer };
          await server.disconnect();
          return result;
        },
        { url: srv.url, ws: provider.config.workspace },
      );
      expect(out).toEqual({ greet: 'hello chromium from node', sum: 6, hasConnect: 'function' });
    } finally {
      await page.close();
    }
  });

  it('serves the ESM bundle for import()', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${srv.url}/public`);
      // a source string: vitest would rewrite an import() inside a function argument
      const names = await page.evaluate(`(async () => {
        const mod = await import(${JSON.stringify(`${srv.url}/assets/hypha-rpc-websocket.mjs`)});
        return ['connectToServer', 'RPC', 'login'].filter((n) => typeof mod[n] === 'function');
      })()`);
      expect(names).toEqual(['connectToServer', 'RPC', 'login']);
    } finally {
      await page.close();
    }
  });
});
