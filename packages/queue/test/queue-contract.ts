/** One suite for every QueueBackend: order, waiting, peek, and acknowledged delivery. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueBackend } from '../src/index.js';

export function queueContract(name: string, open: () => Promise<QueueBackend>): void {
  describe(`${name} queue backend`, () => {
    let q: QueueBackend;
    const key = () => `ws-test:q:${randomUUID()}`;

    beforeAll(async () => {
      q = await open();
    });
    afterAll(async () => {
      await q.close();
    });

    it('returns tasks in the order they were pushed, and null at once on an empty queue with timeout 0', async () => {
      const k = key();
      for (const n of [1, 2, 3]) await q.push(k, JSON.stringify({ n }));
      expect(await q.length(k)).toBe(3);
      expect(await q.pop(k, 0)).toBe('{"n":1}');
      expect(await q.pop(k, 1)).toBe('{"n":2}');
      expect(await q.pop(k, 0)).toBe('{"n":3}');
      const t0 = Date.now();
      expect(await q.pop(k, 0)).toBeNull();
      expect(Date.now() - t0).toBeLessThan(200);
      expect(await q.length(k)).toBe(0);
    });

    it('peeks the next n tasks in pop order without removing them', async () => {
      const k = key();
      for (const n of [1, 2, 3, 4]) await q.push(k, String(n));
      expect(await q.peek(k, 2)).toEqual(['1', '2']);
      expect(await q.peek(k, 10)).toEqual(['1', '2', '3', '4']);
      expect(await q.length(k)).toBe(4);
      expect(await q.peek(key(), 3)).toEqual([]);
    });

    it('a waiting pop receives a task pushed later; one that waits in vain returns null after its timeout', async () => {
      const k = key();
      const waiting = q.pop(k, 5);
      await new Promise((r) => setTimeout(r, 100));
      await q.push(k, 'late');
      expect(await waiting).toBe('late');
      const t0 = Date.now();
      expect(await q.pop(k, 0.3)).toBeNull();
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    });

    it('a reserved and acknowledged task is gone for good', async () => {
      const k = key();
      await q.push(k, 'a');
      const r = await q.reserve(k, 0, 1);
      expect(r?.payload).toBe('a');
      expect(await q.length(k)).toBe(0);
      expect(await q.ack(k, r!.id)).toBe(true);
      expect(await q.ack(k, r!.id)).toBe(false);
      await new Promise((res) => setTimeout(res, 1500));
      expect(await q.pop(k, 0)).toBeNull();
    });

    it('a reservation not acknowledged in time is delivered again, ahead of newer tasks', async () => {
      const k = key();
      await q.push(k, 'first');
      const r = await q.reserve(k, 0, 0.5);
      await q.push(k, 'second');
      await new Promise((res) => setTimeout(res, 900));
      expect(await q.length(k)).toBe(2);
      const again = await q.reserve(k, 5, 10);
      expect(again?.payload).toBe('first');
      expect(again?.id).not.toBe(r!.id);
      expect(await q.ack(k, r!.id)).toBe(false);
      expect(await q.ack(k, again!.id)).toBe(true);
      expect(await q.pop(k, 0)).toBe('second');
    });

    it('nack gives a task back at the head of the queue', async () => {
      const k = key();
      await q.push(k, 'x');
      await q.push(k, 'y');
      const r = await q.reserve(k, 0, 30);
      expect(r?.payload).toBe('x');
      expect(await q.nack(k, r!.id)).toBe(true);
      expect(await q.nack(k, r!.id)).toBe(false);
      expect(await q.peek(k, 2)).toEqual(['x', 'y']);
    });

    it('a waiting reserve receives a task pushed later; an id is only valid for its own queue', async () => {
      const k = key();
      const waiting = q.reserve(k, 5, 30);
      await new Promise((r) => setTimeout(r, 100));
      await q.push(k, 'job');
      const r = await waiting;
      expect(r?.payload).toBe('job');
      expect(await q.ack(key(), r!.id)).toBe(false);
      expect(await q.ack(k, r!.id)).toBe(true);
      expect(await q.reserve(k, 0.2, 30)).toBeNull();
    });
  });
}
