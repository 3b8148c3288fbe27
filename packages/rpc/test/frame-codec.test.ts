/**
 * Frame codec: spec §3.1 layout, TV-4 bytes, header-only decoding and rewriting.
 */
import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import {
  decodeFrame,
  decodeFrameHeader,
  encodeFrame,
  FrameError,
  msgpackValueEnd,
  rewriteFrameHeader,
} from '../src/index.js';

// TV-4: say("bob") from call1, as sent by Python (98 + 32 bytes).
const TV4 = Buffer.from(
  [
    '85 a4 74 79 70 65 a6 6d 65 74 68 6f 64 a4 66 72 6f 6d b3 77 73 2d 75 73 65 72 2d 61 6c 69 63',
    '65 2f 63 61 6c 6c 31 a2 74 6f b3 77 73 2d 75 73 65 72 2d 61 6c 69 63 65 2f 70 72 6f 76 31 a6',
    '6d 65 74 68 6f 64 b2 73 65 72 76 69 63 65 73 2e 68 65 6c 6c 6f 2e 73 61 79 a7 73 65 73 73 69',
    '6f 6e a2 73 31 83 a4 61 72 67 73 91 a3 62 6f 62 a7 70 72 6f 6d 69 73 65 a1 2a a1 74 cb 40',
    '2e 00 00 00 00 00 00',
  ]
    .join(' ')
    .replace(/ /g, ''),
  'hex',
);

const TV4_MAIN = {
  type: 'method',
  from: 'ws-user-alice/call1',
  to: 'ws-user-alice/prov1',
  method: 'services.hello.say',
  session: 's1',
};

describe('frame codec', () => {
  it('decodes the TV-4 frame', () => {
    expect(TV4.byteLength).toBe(130);
    const { main, extra } = decodeFrame(new Uint8Array(TV4));
    expect(main).toEqual(TV4_MAIN);
    expect(extra).toEqual({ args: ['bob'], promise: '*', t: 15 });
  });

  it('encodes segment 1 of TV-4 byte for byte', () => {
    const frame = encodeFrame(TV4_MAIN, { args: ['bob'], promise: '*', t: 15 });
    expect(Buffer.from(frame.subarray(0, 98)).equals(TV4.subarray(0, 98))).toBe(true);
    // JS encodes the integer 15 as a fixint where Python wrote a float64.
    expect(Buffer.from(frame.subarray(98)).toString('hex')).toBe('83a46172677391a3626f62a770726f6d697365a12aa1740f');
  });

  it('decodes only segment 1 and reports where segment 2 starts', () => {
    const { header, headerEnd } = decodeFrameHeader(new Uint8Array(TV4));
    expect(header).toEqual(TV4_MAIN);
    expect(headerEnd).toBe(98);
  });

  it('rewrites segment 1 and keeps segment 2 byte for byte', () => {
    const frame = new Uint8Array(TV4);
    const { header, headerEnd } = decodeFrameHeader(frame);
    const out = rewriteFrameHeader(frame, { ...header, ws: 'ws-user-alice', user: { id: 'alice' } }, headerEnd);
    const again = decodeFrameHeader(out);
    expect(again.header).toMatchObject({ ...TV4_MAIN, ws: 'ws-user-alice', user: { id: 'alice' } });
    expect(Buffer.from(out.subarray(again.headerEnd)).equals(TV4.subarray(98))).toBe(true);
  });

  it('handles single-segment frames', () => {
    const frame = encodeFrame({ type: 'client_disconnected', to: '*', data: { id: 'x' } });
    expect(decodeFrame(frame)).toEqual({ main: { type: 'client_disconnected', to: '*', data: { id: 'x' } } });
  });

  it('measures every msgpack type without decoding', () => {
    const samples: unknown[] = [
      0, 127, 128, -1, -33, 65535, 2 ** 32, -(2 ** 40), 1.5, 'a', 'x'.repeat(40), 'y'.repeat(300), 'z'.repeat(70000),
      new Uint8Array(10), new Uint8Array(300), new Uint8Array(70000), null, true, false,
      Array.from({ length: 20 }, (_, i) => i), Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])),
      new Date(0), new Date(2 ** 40),
    ];
    for (const v of samples) {
      const bytes = encode(v);
      const padded = new Uint8Array(bytes.byteLength + 3);
      padded.set(bytes);
      expect(msgpackValueEnd(padded), String(v)).toBe(bytes.byteLength);
    }
  });

  it('rejects garbage with a FrameError naming the segment', () => {
    expect(() => decodeFrame(new Uint8Array([]))).toThrow(FrameError);
    expect(() => decodeFrame(new Uint8Array([0xc1]))).toThrow(/segment 1.*invalid msgpack type byte 0xc1/);
    expect(() => decodeFrame(new Uint8Array([0x85, 0xa4]))).toThrow(/segment 1: truncated/);
    expect(() => decodeFrame(encode([1, 2]))).toThrow(/segment 1 must be a map, got array/);
    const head = encode({ type: 'method' });
    const bad = new Uint8Array([...head, 0x92, 0x01]);
    expect(() => decodeFrame(bad)).toThrow(/segment 2: truncated/);
    const trailing = new Uint8Array([...head, ...encode({ a: 1 }), 0x01]);
    expect(() => decodeFrame(trailing)).toThrow(/1 unexpected byte\(s\) after segment 2/);
  });
});
