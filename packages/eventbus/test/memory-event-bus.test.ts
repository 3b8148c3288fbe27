import { describe, expect, it } from 'vitest';
import { MemoryEventBus, MemoryKeyValueStore } from '../src/index.js';
import { runEventBusContract } from './helpers/event-bus-contract.js';

runEventBusContract('MemoryEventBus', async (onError) => new MemoryEventBus({ onError }));

describe('MemoryEventBus', () => {
  it('never fires onReconnect and reports healthy', async () => {
    const bus = new MemoryEventBus();
    let calls = 0;
    const off = bus.onReconnect(() => {
      calls++;
    });
    off();
    expect(await bus.health()).toEqual({ healthy: true });
    expect(calls).toBe(0);
    await bus.close();
  });

  it('can share a MemoryKeyValueStore', async () => {
    const store = new MemoryKeyValueStore();
    const bus = new MemoryEventBus({ store });
    await bus.set('revoked_token:x', 'revoked');
    expect(await store.get('revoked_token:x')).toBe('revoked');
    await bus.close();
  });
});
