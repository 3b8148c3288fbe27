/**
 * (Re)connection: fetching the manager, registering all services, waiting for it, retargeting
 * after a manager change, and `client_disconnected` cleanup — for our peer and hypha-rpc's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame, RPC } from '../src/index.js';
import { captureLogger } from './helpers/capture-logger.js';
import { startManager } from './helpers/manager.js';
import { refPeer, WS } from './helpers/peers.js';
import { TestRouter } from './helpers/router.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function client(router: TestRouter, id: string, managerId: string) {
  const conn = router.attach(WS, id, managerId);
  const rpc = new RPC(conn, { client_id: id, workspace: WS, logger: captureLogger().logger });
  cleanups.push(() => rpc.close());
  return { conn, rpc };
}

describe('registration on connection', () => {
  it('registers built-in at construction and user services through the manager', async () => {
    const router = new TestRouter();
    const manager = startManager(router, 'manager-a');
    cleanups.push(manager.close);
    const { rpc } = client(router, 'c1', 'manager-a');
    expect(await rpc.waitForServicesRegistered()).toEqual({ total: 1, registered: 1, failed: [] });
    expect([...manager.registered.keys()]).toEqual([`${WS}/c1:built-in`]);
    expect(manager.subscriptions).toEqual([{ from: `${WS}/c1`, events: ['client_disconnected'] }]);
    const info = await rpc.registerService({ id: 'hello', config: { visibility: 'public' }, hi: () => 'hi' });
    expect(info.id).toBe(`${WS}/c1:hello`);
    expect(manager.registered.get(`${WS}/c1:hello`)?.service_schema).toEqual({ hi: { type: 'function', function: { name: 'hi' } } });
    await rpc.unregisterService('hello');
    expect(manager.registered.has(`${WS}/c1:hello`)).toBe(false);
  });

  it('re-registers every service after a reconnection to a new manager', async () => {
    const router = new TestRouter();
    const first = startManager(router, 'manager-a');
    cleanups.push(first.close);
    const { rpc, conn } = client(router, 'c1', 'manager-a');
    await rpc.waitForServicesRegistered();
    await rpc.registerService({ id: 'hello', hi: () => 'hi' });
    const events: string[] = [];
    rpc.on('manager_refreshed', () => events.push('manager_refreshed'));
    rpc.on('services_registered', () => events.push('services_registered'));
    rpc.on('connected', () => events.push('connected'));

    const second = startManager(router, 'manager-b');
    cleanups.push(second.close);
    await conn.connect({ manager_id: 'manager-b', public_base_url: 'https://hypha.example.org' });
    expect(await rpc.waitForServicesRegistered()).toEqual({ total: 2, registered: 2, failed: [] });
    expect([...second.registered.keys()].sort()).toEqual([`${WS}/c1:built-in`, `${WS}/c1:hello`]);
    expect(events).toEqual(['manager_refreshed', 'services_registered', 'connected']);
  });

  it('reports a manager that cannot be reached', async () => {
    const router = new TestRouter();
    const conn = router.attach(WS, 'c1', null);
    const log = captureLogger();
    const rpc = new RPC(conn, { client_id: 'c1', workspace: WS, logger: log.logger });
    cleanups.push(() => rpc.close());
    expect(await rpc.waitForServicesRegistered()).toBeNull();
    const run = conn.connect({ manager_id: 'manager-gone' });
    // get_manager_service retries with backoff; stop it by closing.
    await new Promise((r) => setTimeout(r, 50));
    rpc.close();
    await run;
    await expect(rpc.waitForServicesRegistered()).rejects.toThrow('RPC connection closed');
    expect(log.messages('warn').some((m) => m.includes('Target peer */manager-gone is not connected'))).toBe(true);
    expect(log.messages('error')).toContain('Failed to get manager service for registering services: RpcError: RPC connection closed');
  });

  it('hypha-rpc registers with our RPC acting as the manager', async () => {
    const router = new TestRouter();
    const manager = startManager(router, 'manager-a');
    cleanups.push(manager.close);
    const ref = refPeer(router, 'refc', {});
    router.peers.get(`${WS}/refc`)!.manager_id = 'manager-a';
    cleanups.push(() => ref.close());
    await ref.register_service({ id: 'svc', config: { visibility: 'public' }, f: () => 1 });
    expect(manager.registered.has(`${WS}/refc:svc`)).toBe(true);
  });
});

describe('client_disconnected', () => {
  it('rejects calls waiting on a peer that disconnected', async () => {
    const router = new TestRouter();
    const manager = startManager(router, 'manager-a');
    cleanups.push(manager.close);
    const { rpc, conn } = client(router, 'c1', 'manager-a');
    await rpc.waitForServicesRegistered();
    const provider = new RPC(router.attach(WS, 'prov'), { client_id: 'prov', workspace: WS, logger: captureLogger().logger });
    cleanups.push(() => provider.close());
    provider.add_service({ id: 'slow', config: { visibility: 'public' }, wait: () => new Promise(() => {}) });
    const svc = await rpc.get_remote_service(`${WS}/prov:slow`, { _no_retry: true });
    const pending = svc.wait();
    await new Promise((r) => setTimeout(r, 5));
    const seen: unknown[] = [];
    rpc.on('remote_client_disconnected', (e) => seen.push(e));
    conn.deliver(encodeFrame({ type: 'client_disconnected', to: '*', data: { id: 'prov', workspace: WS } }));
    await expect(pending).rejects.toThrow(`Client disconnected: ${WS}/prov`);
    expect(seen).toEqual([{ client_id: `${WS}/prov`, sessions_cleaned: 1, rintf_cleaned: 0 }]);
  });
});
