import { afterEach, describe, expect, it } from 'vitest';
import { RPC, type CallContext, type MemoryConnection, type ServiceInfo } from '../src/index.js';
import { captureLogger } from './helpers/capture-logger.js';
import { WS } from './helpers/peers.js';
import { TestRouter } from './helpers/router.js';

// What the RPC tells its transport about service re-registration (the reconnection loop retries
// when it failed), and that fetching the manager stops once the transport is closed.

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** A manager whose register_service refuses the ids in `refuse`. */
function startRefusingManager(router: TestRouter, managerId: string, refuse: Set<string>) {
  const registered: string[] = [];
  const rpc = new RPC(router.attach('*', managerId), { client_id: managerId, workspace: '*', logger: null });
  rpc.add_service({
    id: 'default',
    config: { visibility: 'public', require_context: true },
    register_service: (service: ServiceInfo, _config: unknown, _context: CallContext) => {
      const id = service.id.split(':')[1]!;
      if (refuse.has(id)) throw new Error(`refusing ${id}`);
      registered.push(id);
    },
    subscribe: () => true,
  });
  cleanups.push(() => rpc.close());
  return { registered };
}

type Flagged = MemoryConnection & { _services_registered_ok?: boolean };

function client(router: TestRouter, managerId: string | null) {
  const conn = router.attach(WS, 'c1', managerId) as Flagged;
  const log = captureLogger();
  const rpc = new RPC(conn, { client_id: 'c1', workspace: WS, logger: log.logger });
  cleanups.push(() => rpc.close());
  return { conn, rpc, log };
}

describe('RPC registration outcome on the connection', () => {
  it('sets _services_registered_ok: true when all registered, false when one failed', async () => {
    const router = new TestRouter();
    const refuse = new Set<string>();
    startRefusingManager(router, 'manager-a', refuse);
    const { conn, rpc } = client(router, 'manager-a');
    await rpc.waitForServicesRegistered();
    expect(conn._services_registered_ok).toBe(true);
    await rpc.registerService({ id: 'flaky', config: { visibility: 'public' }, f: () => 1 });

    refuse.add('flaky');
    await conn.connect({ manager_id: 'manager-a' });
    expect(await rpc.waitForServicesRegistered()).toEqual({ total: 2, registered: 1, failed: ['flaky'] });
    expect(conn._services_registered_ok).toBe(false);

    refuse.clear();
    await conn.connect({ manager_id: 'manager-a' });
    expect(conn._services_registered_ok).toBe(true);
  });

  it('sets _services_registered_ok: false when the manager cannot be fetched', async () => {
    const router = new TestRouter();
    startRefusingManager(router, 'manager-a', new Set());
    const { conn, rpc } = client(router, 'manager-a');
    await rpc.waitForServicesRegistered();
    // reconnected to a manager that never answers: closing the transport ends the attempt
    const run = conn.connect({ manager_id: 'manager-gone' });
    await new Promise((r) => setTimeout(r, 20));
    conn.close('transport gave up');
    await run;
    await expect(rpc.waitForServicesRegistered()).rejects.toThrow(/closed/);
    expect(conn._services_registered_ok).toBe(false);
  });

  it('get_manager_service stops retrying once the connection is closed', async () => {
    const router = new TestRouter();
    const { conn, rpc, log } = client(router, null);
    await rpc.waitForServicesRegistered();
    conn.manager_id = 'manager-gone'; // never attached: every lookup is rejected
    const fetching = rpc.get_manager_service({ timeout: 5 });
    const outcome = fetching.then(
      () => 'resolved',
      (err: Error) => err.message,
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(log.messages('warn').some((m) => m.includes('Failed to get manager service (attempt 1/20)'))).toBe(true);
    conn.close('gone for good');
    // without the check it keeps retrying for minutes (20 attempts, up to 10 s apart)
    expect(await outcome).toMatch(/Connection (is )?closed/);
  });
});
