/**
 * Two hypha clients on one server: a provider registering an `echo` service and a caller holding
 * a proxy to it. Built with our `@hypha/rpc` or with the npm `hypha-rpc` package.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import WebSocket from 'ws';
import { benchRoot } from '../harness/child.js';
import { unavailable, type Outcome } from '../harness/not-available.js';

export type ClientKind = 'ours' | 'npm';

/** The subset of the connected-server API (the workspace manager proxy) the benchmarks use. */
export interface HyphaServerApi {
  config: Record<string, unknown>;
  registerService(service: Record<string, unknown>): Promise<{ id: string }>;
  getService(id: string): Promise<Record<string, (...args: unknown[]) => Promise<unknown>>>;
  disconnect(): Promise<void>;
}

type ConnectFn = (config: Record<string, unknown>) => Promise<HyphaServerApi>;

const noop = (): void => undefined;
/**
 * hypha-rpc logs its progress with console.log/info and warns "Connection lost … rejecting all
 * pending RPC calls" on every deliberate disconnect; the bench keeps only its errors.
 */
const errorsOnly = { debug: noop, info: noop, log: noop, warn: noop, error: (...args: unknown[]) => console.error(...args) };

// A variable specifier: the package may not have its sources yet when this is typechecked.
const rpcSpecifier = '@hypha/rpc';
const rpcIndex = resolve(benchRoot, '..', 'packages', 'rpc', 'src', 'index.ts');

/** `connectToServer` of the chosen client, or the reason it is not available yet. */
export async function loadConnect(kind: ClientKind): Promise<Outcome<ConnectFn>> {
  if (kind === 'npm') {
    // hypha-rpc 0.21 reads the global WebSocket, which Node 20 lacks.
    const g = globalThis as { WebSocket?: unknown };
    if (!g.WebSocket) g.WebSocket = WebSocket;
    const mod = (await import('hypha-rpc')) as unknown as { connectToServer: ConnectFn };
    return { ok: true, value: (config) => mod.connectToServer({ WebSocketClass: WebSocket, logger: errorsOnly, ...config }) };
  }
  if (!existsSync(rpcIndex)) return unavailable('packages/rpc/src/index.ts does not exist yet');
  const mod = (await import(rpcSpecifier)) as Record<string, unknown>;
  if (typeof mod.connectToServer !== 'function') return unavailable('@hypha/rpc does not export connectToServer yet');
  return { ok: true, value: mod.connectToServer as ConnectFn };
}

export interface EchoPair {
  provider: HyphaServerApi;
  caller: HyphaServerApi;
  echo(value: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/** Connects a provider and a caller and resolves the caller's proxy to the provider's service. */
export async function echoPair(
  connect: ConnectFn,
  serverUrl: string,
  service: Record<string, (...args: never[]) => unknown> = { echo: (x: never) => x },
  callerUrl: string = serverUrl,
): Promise<EchoPair> {
  const provider = await connect({ server_url: serverUrl, client_id: `bench-provider-${process.pid}-${Date.now()}` });
  const info = await provider.registerService({ id: 'echo', name: 'echo', config: { visibility: 'public' }, ...service });
  const caller = await connect({ server_url: callerUrl, client_id: `bench-caller-${process.pid}-${Date.now()}` });
  const proxy = await caller.getService(info.id);
  const fn = proxy.echo;
  if (typeof fn !== 'function') throw new Error(`echoPair: service ${info.id} has no echo function on the caller side`);
  return {
    provider,
    caller,
    echo: (value) => fn(value),
    async close() {
      await caller.disconnect();
      await provider.disconnect();
    },
  };
}
