/**
 * The frame codec's fast msgpack reader/writer against `@msgpack/msgpack` as the oracle: same
 * bytes for every value, same decoded values, and the same outcome for damaged frames.
 */
import { decode, Decoder, encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeFrameHeader, encodeFrame, encodeMsgpack, msgpackValueEnd, rewriteFrameHeader } from '../src/index.js';

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INT_EDGES = [
  0, -0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER,
  -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, -(2 ** 40) - 5, Number.MIN_SAFE_INTEGER,
  2 ** 53, -(2 ** 60), 1.5, -2.25, NaN, Infinity, -Infinity, 1e300,
];
const STRING_PIECES = ['', 'a', 'type', 'services.echo.echo', 'é', '中文', '😀', '\ud800', '\udc00x', 'x\ud83d', '\u07ff', '\u0800'];

function randomString(rand: () => number): string {
  const parts: string[] = [];
  const n = Math.floor(rand() * 12);
  for (let i = 0; i < n; i++) parts.push(STRING_PIECES[Math.floor(rand() * STRING_PIECES.length)]!);
  let s = parts.join('');
  if (rand() < 0.1) s = s.repeat(20 + Math.floor(rand() * 30)); // crosses the 50/200 thresholds
  return s;
}

function randomValue(rand: () => number, depth: number): unknown {
  const r = rand();
  if (depth > 3 || r < 0.45) {
    const k = Math.floor(rand() * 7);
    if (k === 0) return null;
    if (k === 1) return rand() < 0.5;
    if (k === 2) return INT_EDGES[Math.floor(rand() * INT_EDGES.length)];
    if (k === 3) return Math.floor((rand() - 0.5) * 2 ** Math.floor(rand() * 54));
    if (k === 4) return new Uint8Array(Math.floor(rand() * (rand() < 0.01 ? 70_000 : 300))).fill(7);
    return randomString(rand);
  }
  if (r < 0.7) {
    const n = rand() < 0.1 ? 16 + Math.floor(rand() * 10) : Math.floor(rand() * 5);
    return Array.from({ length: n }, () => randomValue(rand, depth + 1));
  }
  const n = rand() < 0.1 ? 16 + Math.floor(rand() * 10) : Math.floor(rand() * 6);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) out[randomString(rand) || `k${i}`] = randomValue(rand, depth + 1);
  return out;
}

/** The reference decoding of a frame: measure segment 1, decode both segments with the library. */
function oracleDecodeFrame(frame: Uint8Array): { main: unknown; extra?: unknown } {
  const headerEnd = msgpackValueEnd(frame, 0);
  // No key cache: with malformed UTF-8 the library's cache makes results depend on history.
  const main = new Decoder({ keyDecoder: null }).decode(frame.subarray(0, headerEnd));
  if (headerEnd === frame.byteLength) return { main };
  return { main, extra: new Decoder({ keyDecoder: null }).decode(frame.subarray(headerEnd)) };
}

describe('fast msgpack codec', () => {
  it('encodes every value to the same bytes as @msgpack/msgpack', () => {
    const rand = prng(42);
    for (let i = 0; i < 600; i++) {
      const value = randomValue(rand, 0);
      expect(Buffer.from(encodeMsgpack(value)).toString('hex')).toBe(Buffer.from(encode(value)).toString('hex'));
    }
  });

  it('encodes frames as the two values concatenated and decodes them back like the library', () => {
    const rand = prng(7);
    for (let i = 0; i < 100; i++) {
      const main = { type: 'method', from: randomString(rand), n: randomValue(rand, 2) };
      const extra = { args: [randomValue(rand, 1)], promise: '*', t: 15 };
      const frame = encodeFrame(main, extra);
      const expected = Buffer.concat([encode(main), encode(extra)]);
      expect(Buffer.from(frame).equals(expected)).toBe(true);
      expect(decodeFrame(frame)).toEqual({ main: decode(encode(main)), extra: decode(encode(extra)) });
      const { header, headerEnd } = decodeFrameHeader(frame);
      expect(header).toEqual(decode(encode(main)));
      expect(headerEnd).toBe(encode(main).byteLength);
    }
  });

  it('leaves dates, bigints and functions to the library (same bytes or same error)', () => {
    const date = new Date(1_700_000_000_123);
    expect(Buffer.from(encodeMsgpack({ at: date })).equals(Buffer.from(encode({ at: date })))).toBe(true);
    expect(decodeFrame(encodeFrame({ type: 'x', at: date }))).toEqual({ main: { type: 'x', at: date } });
    expect(() => encodeMsgpack({ n: 10n })).toThrow(/Unrecognized object/);
    expect(() => encodeFrame({ type: 'x' }, { f: () => 1 })).toThrow(/Unrecognized object/);
  });

  it('copies large byte arrays straight into the output, with the same bytes as the library', () => {
    const rand = prng(99);
    const randomBytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
    const backing = randomBytes(300_000);
    const view = backing.subarray(1234, 1234 + 262_144); // a chunk-sized view with an offset
    const floats = new Float32Array(2048).map(() => rand());
    for (let i = 0; i < 20; i++) {
      const main = { type: 'method', to: 'ws/c1', method: 'services.built-in.message_cache.set' };
      const extra = {
        args: ['key', i, view, randomBytes(4095), randomBytes(4096), 'between', randomBytes(70_000 + i)],
        floats,
        small: new Uint8Array([i]),
        last: randomBytes(5000),
      };
      const frame = encodeFrame(main, extra);
      const expected = Buffer.concat([encode(main), encode(extra)]);
      expect(Buffer.from(frame).equals(expected)).toBe(true);
      expect(frame.buffer).not.toBe(backing.buffer);
      // The header rewrite appends segment 2 after the new header, still byte for byte.
      const { headerEnd } = decodeFrameHeader(frame);
      const rewritten = rewriteFrameHeader(frame, { ...main, from: 'ws/c2' }, headerEnd);
      expect(Buffer.from(rewritten).equals(Buffer.concat([encode({ ...main, from: 'ws/c2' }), encode(extra)]))).toBe(true);
    }
    // A value the fast writer leaves to the library, after a large byte array in the same frame.
    const date = new Date(1_700_000_000_123);
    const mixed = { data: randomBytes(10_000), at: date };
    expect(Buffer.from(encodeFrame({ type: 'x' }, mixed)).equals(Buffer.concat([encode({ type: 'x' }), encode(mixed)]))).toBe(true);
    const after = { data: randomBytes(9000) };
    expect(Buffer.from(encodeMsgpack(after)).equals(Buffer.from(encode(after)))).toBe(true);
  });

  it('returns binary values as views into the frame, as the library does', () => {
    const frame = encodeFrame({ type: 'x' }, { data: new Uint8Array([1, 2, 3]) });
    const bytes = decodeFrame(frame).extra!.data as Uint8Array;
    expect(bytes.buffer).toBe(frame.buffer);
    expect([...bytes]).toEqual([1, 2, 3]);
  });

  it('treats damaged frames exactly as the reference decoding does', () => {
    const rand = prng(99);
    for (let i = 0; i < 1500; i++) {
      const frame = encodeFrame({ type: 'method', to: 'ws/c', k: randomValue(rand, 2) }, { args: [randomValue(rand, 2)] });
      const damaged = frame.slice(0, Math.max(1, Math.floor(rand() * (frame.byteLength + 2))));
      for (let j = 0; j < 2; j++) damaged[Math.floor(rand() * damaged.byteLength)] = Math.floor(rand() * 256);
      let expected: unknown;
      let expectedError: string | null = null;
      try {
        const r = oracleDecodeFrame(damaged);
        const isMap = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
        if (!isMap(r.main) || ('extra' in r && !isMap(r.extra))) throw new Error('not a map');
        expected = r;
      } catch (err) {
        expectedError = String(err);
      }
      if (expectedError === null) {
        expect(decodeFrame(damaged)).toEqual(expected);
      } else {
        expect(() => decodeFrame(damaged)).toThrow();
      }
    }
  });

  it('rejects __proto__ keys like the library', () => {
    const bytes = new Uint8Array([0x81, 0xa9, ...Buffer.from('__proto__'), 0x01]);
    expect(() => decodeFrame(bytes)).toThrow(/__proto__/);
  });

  it('rewrites the header into one new buffer and keeps segment 2 byte for byte', () => {
    const frame = encodeFrame({ type: 'method', to: 'ws/b' }, { args: [new Uint8Array(300).fill(3)] });
    const { header, headerEnd } = decodeFrameHeader(frame);
    const out = rewriteFrameHeader(frame, { ...header, from: 'ws/a', ws: 'ws' }, headerEnd);
    const head = encode({ ...header, from: 'ws/a', ws: 'ws' });
    expect(Buffer.from(out.subarray(0, head.byteLength)).equals(Buffer.from(head))).toBe(true);
    expect(Buffer.from(out.subarray(head.byteLength)).equals(Buffer.from(frame.subarray(headerEnd)))).toBe(true);
    expect(out.buffer).not.toBe(frame.buffer);
  });
});
