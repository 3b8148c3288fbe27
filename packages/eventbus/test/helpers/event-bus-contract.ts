import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BusPayload, EventBus } from '../../src/index.js';
import { Inbox, waitFor } from './wait.js';

export interface ContractContext {
  /** Errors reported by the bus (failing handlers). */
  errors: { error: unknown; event: string }[];
}

/** Creates a fresh, isolated bus; `onError` must be passed to the bus as its error reporter. */
export type BusFactory = (onError: (error: unknown, event: string) => void) => Promise<EventBus>;

/** The behaviour every EventBus implementation must have. */
export function runEventBusContract(name: string, factory: BusFactory): void {
  describe(`EventBus contract: ${name}`, () => {
    let bus: EventBus;
    let errors: { error: unknown; event: string }[];

    beforeEach(async () => {
      errors = [];
      bus = await factory((error, event) => errors.push({ error, event }));
    });
    afterEach(async () => {
      await bus.close();
    });

    describe('key-value', () => {
      it('gets, sets and deletes strings', async () => {
        expect(await bus.get('k1')).toBeNull();
        expect(await bus.set('k1', 'v1')).toBe(true);
        expect(await bus.get('k1')).toBe('v1');
        expect(await bus.set('k1', 'v2')).toBe(true);
        expect(await bus.get('k1')).toBe('v2');
        expect(await bus.del('k1', 'missing')).toBe(1);
        expect(await bus.get('k1')).toBeNull();
      });

      it('honours onlyIfAbsent', async () => {
        expect(await bus.set('lock', 'a', { onlyIfAbsent: true })).toBe(true);
        expect(await bus.set('lock', 'b', { onlyIfAbsent: true })).toBe(false);
        expect(await bus.get('lock')).toBe('a');
      });

      it('expires keys after ttlMs, and a plain set clears the ttl', async () => {
        await bus.set('short', 'x', { ttlMs: 50 });
        await bus.set('kept', 'x', { ttlMs: 50 });
        await bus.set('kept', 'y');
        expect(await bus.get('short')).toBe('x');
        await waitFor(async () => (await bus.get('short')) === null, 'key expiry');
        expect(await bus.set('short', 'again', { onlyIfAbsent: true })).toBe(true);
        expect(await bus.get('kept')).toBe('y');
      });

      it('rejects an invalid ttl with a clear error', async () => {
        await expect(bus.set('k', 'v', { ttlMs: -5 })).rejects.toThrow(/Invalid ttlMs -5 for key 'k'/);
      });

      it('stores hashes', async () => {
        await bus.hSet('h', { a: '1', b: '2' });
        await bus.hSet('h', { b: '3' });
        expect(await bus.hGet('h', 'a')).toBe('1');
        expect(await bus.hGet('h', 'zz')).toBeNull();
        expect(await bus.hGetAll('h')).toEqual({ a: '1', b: '3' });
        expect(await bus.hGetAll('nothing')).toEqual({});
        expect(await bus.hDel('h', 'a', 'zz')).toBe(1);
        expect(await bus.hDel('h', 'b')).toBe(1);
        expect(await bus.scan('h')).toEqual([]);
      });

      it('rejects string commands on hashes (WRONGTYPE)', async () => {
        await bus.hSet('hash', { a: '1' });
        await expect(bus.get('hash')).rejects.toThrow(/WRONGTYPE/);
      });

      it('scans with Redis glob patterns', async () => {
        const keys = [
          'services:public|generic:ws1/c1:built-in@*',
          'services:protected|generic:ws1/c1:echo@app',
          'services:public|generic:ws2/c9:built-in@*',
          'workspaces',
          'a*b',
          'axb',
        ];
        for (const k of keys) await bus.hSet(k, { id: k });
        const sorted = async (p: string) => (await bus.scan(p)).sort();
        expect(await sorted('services:*|*:ws1/*:built-in@*')).toEqual(['services:public|generic:ws1/c1:built-in@*']);
        expect(await sorted('services:*|*:ws1/c1:*@*')).toEqual([keys[0], keys[1]].sort());
        expect(await sorted('services:*|*:ws?/*:built-in@*')).toEqual([keys[0], keys[2]].sort());
        expect(await sorted('services:*|*:ws[2-3]/*')).toEqual([keys[2]]);
        expect(await sorted('services:*|*:ws[^2]/*:built-in*')).toEqual([keys[0]]);
        expect(await sorted('a\\*b')).toEqual(['a*b']);
        expect(await sorted('a*b')).toEqual(['a*b', 'axb']);
        expect(await sorted('nomatch*')).toEqual([]);
      });
    });

    describe('messaging', () => {
      it('delivers broadcasts with every payload kind intact', async () => {
        const inbox = new Inbox<BusPayload>();
        bus.on('ws1/*:msg', inbox.handler);
        const bytes = new Uint8Array([0, 1, 2, 255, 0x64]);
        await bus.emit('ws1/*:msg', bytes);
        await bus.emit('ws1/*:msg', 'héllo');
        await bus.emit('ws1/*:msg', { type: 'x', n: [1, null, { a: true }] });
        await bus.emit('ws1/*:msg', [1, 'two']);
        const got = await inbox.next(4);
        expect(got.map((g) => g.event)).toEqual(Array(4).fill('ws1/*:msg'));
        expect(got[0]!.data).toBeInstanceOf(Uint8Array);
        expect([...(got[0]!.data as Uint8Array)]).toEqual([...bytes]);
        expect(got[1]!.data).toBe('héllo');
        expect(got[2]!.data).toEqual({ type: 'x', n: [1, null, { a: true }] });
        expect(got[3]!.data).toEqual([1, 'two']);
      });

      it('keeps emit order', async () => {
        const inbox = new Inbox<BusPayload>();
        bus.on('ordered', inbox.handler);
        for (let i = 0; i < 50; i++) await bus.emit('ordered', `m${i}`);
        const got = await inbox.next(50);
        expect(got.map((g) => g.data)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
      });

      it('once fires once and unsubscribe stops delivery', async () => {
        const onceBox = new Inbox<BusPayload>();
        const onBox = new Inbox<BusPayload>();
        bus.once('e', onceBox.handler);
        const off = bus.on('e', onBox.handler);
        await bus.emit('e', 'first');
        await onBox.next(1);
        off();
        await bus.emit('e', 'second');
        const barrier = new Inbox<BusPayload>();
        bus.on('barrier', barrier.handler);
        await bus.emit('barrier', 'b');
        await barrier.next(1);
        expect(onceBox.items.map((i) => i.data)).toEqual(['first']);
        expect(onBox.items.map((i) => i.data)).toEqual(['first']);
      });

      it('delivers targeted messages to local clients, including the manager glob', async () => {
        await bus.addLocalClient('ws1/client-a');
        await bus.addLocalClient('*/manager-s1');
        expect(bus.isLocalClient('ws1/client-a')).toBe(true);
        expect(bus.isLocalClient('ws2/client-a')).toBe(false);
        expect(bus.isLocalClient('any-ws/manager-s1')).toBe(true);
        const direct = new Inbox<BusPayload>();
        const manager = new Inbox<BusPayload>();
        bus.on('ws1/client-a:msg', direct.handler);
        bus.on('ws7/manager-s1:msg', manager.handler);
        await bus.emit('ws1/client-a:msg', new Uint8Array([7]));
        await bus.emit('ws7/manager-s1:msg', new Uint8Array([8]));
        expect([...((await direct.next(1))[0]!.data as Uint8Array)]).toEqual([7]);
        expect([...((await manager.next(1))[0]!.data as Uint8Array)]).toEqual([8]);
        await bus.removeLocalClient('ws1/client-a');
        expect(bus.isLocalClient('ws1/client-a')).toBe(false);
      });

      it('rejects malformed client ids and payloads with clear errors', async () => {
        await expect(bus.addLocalClient('no-slash')).rejects.toThrow(/Invalid client id 'no-slash'/);
        await expect(bus.emit('e', 42 as unknown as BusPayload)).rejects.toThrow(/Invalid payload for event 'e'.*got number/);
        await expect(bus.emit('e', null as unknown as BusPayload)).rejects.toThrow(/got null/);
      });

      it('keeps local events apart from bus events', async () => {
        const local: unknown[] = [];
        const remote = new Inbox<BusPayload>();
        bus.onLocal('client_connected', (d) => local.push(d));
        bus.on('client_connected', remote.handler);
        bus.emitLocal('client_connected', { id: 'c1' });
        expect(local).toEqual([{ id: 'c1' }]);
        await bus.emit('barrier', 'x');
        expect(remote.items).toEqual([]);
      });

      it('reports a failing handler without starving the others', async () => {
        const inbox = new Inbox<BusPayload>();
        bus.on('boom', () => {
          throw new Error('handler exploded');
        });
        bus.on('boom', async () => {
          throw new Error('async handler exploded');
        });
        bus.on('boom', inbox.handler);
        await bus.emit('boom', 'x');
        await inbox.next(1);
        await waitFor(() => errors.length === 2, 'two reported handler errors');
        expect(errors.map((e) => (e.error as Error).message).sort()).toEqual(['async handler exploded', 'handler exploded']);
        expect(errors.every((e) => e.event === 'boom')).toBe(true);
      });
    });

    describe('lifecycle', () => {
      it('is healthy while open, and refuses work once closed', async () => {
        expect(await bus.health()).toEqual({ healthy: true });
        await bus.close();
        await bus.close();
        expect((await bus.health()).healthy).toBe(false);
        await expect(bus.emit('e', 'x')).rejects.toThrow(/closed/);
        await expect(bus.get('k')).rejects.toThrow(/closed/);
      });
    });
  });
}
