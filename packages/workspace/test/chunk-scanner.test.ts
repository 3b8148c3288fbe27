import { describe, expect, it } from 'vitest';
import { encodeMsgpack } from '@hypha/rpc';
import { ChunkScanner } from '../src/routing/chunk-scanner.js';
import { ChunkedMessageGuard, messageCacheOp } from '../src/routing/chunked-message-guard.js';

// A small deterministic generator (mulberry32), so a failure can be replayed.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TRUSTED = ['from', 'to', 'ws', 'user', 'ctx'];

/** A random value of every msgpack family, with the trusted names only where they do not count. */
function value(r: () => number, depth: number): unknown {
  const pick = Math.floor(r() * (depth > 3 ? 8 : 11));
  switch (pick) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return [0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32, -1, -32, -33, -129, -32769, -(2 ** 31) - 1][Math.floor(r() * 15)];
    case 3: return r() * 1e6;
    case 4: return 'x'.repeat([0, 3, 4, 31, 32, 255, 256, 5000][Math.floor(r() * 8)]!);
    case 5: return new TextEncoder().encode('from'.repeat(Math.floor(r() * 300)));
    case 6: return new Date(1_700_000_000_000 + Math.floor(r() * 1e9));
    case 7: return TRUSTED[Math.floor(r() * TRUSTED.length)];
    case 8: return Array.from({ length: Math.floor(r() * 20) }, () => value(r, depth + 1));
    case 9: return Object.fromEntries(Array.from({ length: Math.floor(r() * 20) }, (_, i) => [r() < 0.3 ? TRUSTED[i % TRUSTED.length]! : `k${i}`, value(r, depth + 1)]));
    default: return Array.from({ length: 17 + Math.floor(r() * 3) }, () => value(r, depth + 1));
  }
}

function split(bytes: Uint8Array, r: () => number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = r() < 0.3 ? 1 : 1 + Math.floor(r() * 4000);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

function scan(chunks: Uint8Array[]): { problem: string | null; finished: boolean } {
  const scanner = new ChunkScanner();
  let problem: string | null = null;
  for (const chunk of chunks) {
    problem = scanner.feed(chunk);
    if (problem) break;
  }
  return { problem, finished: scanner.finished };
}

describe('ChunkScanner', () => {
  it('walks random messages split at random bytes, and flags exactly the top-level routing keys of the second value', () => {
    let flagged = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const r = rng(seed);
      const main = { type: 'method', method: 'services.x.y', nested: value(r, 0) };
      const extra: Record<string, unknown> = {};
      const plant = r() < 0.4 ? TRUSTED[Math.floor(r() * TRUSTED.length)]! : null;
      const keys = Math.floor(r() * 12);
      for (let i = 0; i < keys; i++) extra[`k${i}`] = value(r, 1);
      extra.deep = { from: 'x', ctx: { to: 'y' } }; // nested: never merged, never flagged
      if (plant) extra[plant] = value(r, 1);
      const bytes = new Uint8Array([...encodeMsgpack(main), ...encodeMsgpack(extra), ...encodeMsgpack({ from: 'after the second value' })]);
      const { problem, finished } = scan(split(bytes, r));
      if (plant) {
        flagged++;
        expect(problem, `seed ${seed}`).toContain(`routing key '${plant}'`);
      } else {
        expect(problem, `seed ${seed}`).toBeNull();
        expect(finished, `seed ${seed}`).toBe(true);
      }
    }
    expect(flagged).toBeGreaterThan(40);
  });

  it('flags a key in any string encoding and refuses bytes that are not msgpack', () => {
    const head = encodeMsgpack({ type: 'method' });
    const str8From = new Uint8Array([0x81, 0xd9, 0x04, 0x66, 0x72, 0x6f, 0x6d, 0xc0]);
    expect(scan([head, str8From]).problem).toContain("routing key 'from'");
    const big = encodeMsgpack({ a: 'y'.repeat(70_000), b: new Uint8Array(70_000), c: [new Date(0)], from: 1 });
    const oneByteChunks = Array.from(big, (_, i) => big.subarray(i, i + 1));
    expect(scan([head, ...oneByteChunks]).problem).toContain("routing key 'from'");
    expect(scan([head, new Uint8Array([0xc1])]).problem).toMatch(/not valid msgpack \(byte 0xc1 at offset \d+\)/);
  });

  it('refuses nesting deeper than its limit', () => {
    const deep = new Uint8Array(20_001).fill(0x91);
    expect(scan([deep]).problem).toMatch(/nested deeper than/);
  });
});

describe('ChunkedMessageGuard', () => {
  const frame = (extra: Record<string, unknown>) => new Uint8Array([...encodeMsgpack({ type: 'method' }), ...encodeMsgpack(extra)]);

  it('recognises only the built-in message_cache methods', () => {
    expect(messageCacheOp('services.built-in.message_cache.set')).toBe('set');
    expect(messageCacheOp('built-in.message_cache.process')).toBe('process');
    expect(messageCacheOp('services.mine.message_cache.set')).toBeNull();
    expect(messageCacheOp('services.built-in.message_cache.explode')).toBeNull();
    expect(messageCacheOp('services.built-in.ping')).toBeNull();
  });

  it('follows append and set like the receiver, and forgets a departed sender', () => {
    const guard = new ChunkedMessageGuard();
    const bytes = frame({ from: 'x' });
    expect(guard.check('a', 't', 'create', { args: ['k'] })).toBeNull();
    expect(guard.check('a', 't', 'append', { args: ['k', bytes.subarray(0, 10)] })).toBeNull();
    expect(guard.check('a', 't', 'set', { args: ['k', 0, bytes] })).toMatch(/chunk 0 of chunked message k was already sent/);
    expect(guard.check('a', 't', 'set', { args: ['k', -1, bytes] })).toMatch(/non-negative integer index/);
    expect(guard.check('a', 't', 'append', { args: ['k', 'text'] })).toMatch(/data must be bytes/);
    expect(guard.check('a', 't', 'append', { args: ['k', bytes.subarray(10)] })).toMatch(/routing key 'from'/);
    expect(guard.check('a', 't', 'process', { args: ['k'] })).toMatch(/routing key 'from'/);
    expect(guard.check('a', 't', 'create', { args: ['k2'] })).toBeNull();
    expect(guard.size).toBe(2);
    guard.forgetSender('a');
    expect(guard.size).toBe(0);
    expect(guard.check('a', 't', 'append', { args: ['k2', bytes] })).toMatch(/was not created by this connection/);
  });

  it('lets a clean message through and closes it on process', () => {
    const guard = new ChunkedMessageGuard();
    const bytes = frame({ args: [1, 2, 3] });
    expect(guard.check('a', 't', 'create', { args: ['k', true] })).toBeNull();
    expect(guard.check('a', 't', 'set', { args: ['k', 1, bytes.subarray(5)] })).toBeNull();
    expect(guard.check('a', 't', 'set', { args: ['k', 0, bytes.subarray(0, 5)] })).toBeNull();
    expect(guard.check('a', 't', 'process', { args: ['k', true] })).toBeNull();
    expect(guard.size).toBe(0);
  });

  it('refuses encrypted calls it cannot read', () => {
    const guard = new ChunkedMessageGuard();
    expect(guard.check('a', 't', 'create', { _enc: { v: 2 }, data: new Uint8Array(4) })).toMatch(/cannot be end-to-end encrypted/);
  });
});
