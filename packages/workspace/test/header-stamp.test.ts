import { describe, expect, it } from 'vitest';
import { encode } from '@msgpack/msgpack';
import { decodeFrame, decodeFrameHeader } from '@hypha/rpc';
import { SenderStamp, methodOf, readRoutingFields, stampFrame, stampHeader } from '../src/routing/header-stamp.js';

const user = { id: 'u1', roles: ['r'], is_anonymous: false, scope: { workspaces: { 'ws-1': 'rw' }, current_workspace: 'ws-1' } };

function frameOf(main: Record<string, unknown>, extra?: Record<string, unknown>): Uint8Array {
  const head = encode(main);
  if (!extra) return head;
  const tail = encode(extra);
  const out = new Uint8Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}

function stamp(frame: Uint8Array, target: string, ws = 'ws-1'): Uint8Array {
  const { headerEnd } = decodeFrameHeader(frame);
  return stampFrame(frame, headerEnd, target, new SenderStamp('ws-1/c1', user).pairs(ws));
}

describe('stampFrame', () => {
  it('replaces to/from/ws/user, keeps the other fields and segment 2 byte for byte', () => {
    const extra = { args: [new Uint8Array([1, 2, 3])], nested: { a: [1, 'x', null] } };
    const frame = frameOf({ type: 'method', from: 'c1', to: 'c2', method: 'svc.fn', session: 's1', ws: 'forged', user: { id: 'x' } }, extra);
    const out = stamp(frame, 'ws-1/c2');
    const { main, extra: gotExtra } = decodeFrame(out);
    expect(main).toEqual({ type: 'method', method: 'svc.fn', session: 's1', to: 'ws-1/c2', from: 'ws-1/c1', ws: 'ws-1', user });
    expect(gotExtra).toEqual(extra);
    const tail = encode(extra);
    expect(Buffer.from(out.subarray(out.length - tail.length)).equals(Buffer.from(tail))).toBe(true);
  });

  it('adds the stamped fields to a header that has none of them and no segment 2', () => {
    const out = stamp(frameOf({ type: 'log', data: 'hello' }), 'ws-2/*', 'ws-2');
    expect(decodeFrame(out)).toEqual({ main: { type: 'log', data: 'hello', to: 'ws-2/*', from: 'ws-1/c1', ws: 'ws-2', user } });
  });

  it('writes every string length form for the target (fixstr, str8, str16) as msgpack reads it', () => {
    for (const length of [20, 31, 32, 200, 255, 256, 5000]) {
      const target = `ws-1/${'t'.repeat(length - 5)}`;
      const out = stamp(frameOf({ type: 'method', to: 'x' }, { n: length }), target);
      expect(decodeFrame(out)).toEqual({ main: { type: 'method', to: target, from: 'ws-1/c1', ws: 'ws-1', user }, extra: { n: length } });
    }
  });

  it('handles map16 headers, long and non-ASCII targets', () => {
    const main: Record<string, unknown> = { to: 'x' };
    for (let i = 0; i < 20; i++) main[`k${i}`] = i;
    const target = `ws-1/${'é'.repeat(40)}😀${'z'.repeat(300)}`;
    const out = stamp(frameOf(main, { ok: true }), target);
    expect(out[0]).toBe(0xde);
    const decoded = decodeFrame(out);
    const expected: Record<string, unknown> = {};
    for (let i = 0; i < 20; i++) expected[`k${i}`] = i;
    expect(decoded.main).toEqual({ ...expected, to: target, from: 'ws-1/c1', ws: 'ws-1', user });
    expect(decoded.extra).toEqual({ ok: true });
  });

  it('refuses a segment 1 that is not a map', () => {
    const frame = encode([1, 2]);
    expect(() => stampFrame(frame, frame.length, 'ws-1/c2', new SenderStamp('ws-1/c1', user).pairs('ws-1'))).toThrow(/not a msgpack map/);
  });
});

describe('readRoutingFields', () => {
  it('reads type/to/from/session and where segment 1 ends, ignoring other fields', () => {
    const frame = frameOf({ type: 'method', from: 'c1', to: 'ws-1/ü', session: 's'.repeat(80), args: [1, { x: 'y' }], n: 5 }, { z: 1 });
    expect(readRoutingFields(frame)).toEqual({ type: 'method', from: 'c1', to: 'ws-1/ü', session: 's'.repeat(80), methodStart: -1, methodEnd: -1, headerEnd: decodeFrameHeader(frame).headerEnd });
  });

  it('records where the method is, and decodes it only on demand', () => {
    const frame = frameOf({ type: 'method', to: 'c2', method: 'services.built-in.message_cache.set' }, { args: [] });
    const fields = readRoutingFields(frame)!;
    expect(fields.methodStart).toBeGreaterThan(0);
    expect(fields.methodEnd).toBeGreaterThan(fields.methodStart);
    expect(methodOf(frame, fields)).toBe('services.built-in.message_cache.set');
    expect(methodOf(frameOf({ type: 'x' }), readRoutingFields(frameOf({ type: 'x' }))!)).toBeUndefined();
  });

  it('leaves non-string routing fields undefined', () => {
    expect(readRoutingFields(frameOf({ to: 5, from: null }))).toEqual({ type: undefined, to: undefined, from: undefined, session: undefined, methodStart: -1, methodEnd: -1, headerEnd: 11 });
  });

  it('returns null for segment 1 that is not a complete map', () => {
    expect(readRoutingFields(encode([1]))).toBeNull();
    expect(readRoutingFields(encode({ to: 'abc' }).subarray(0, 4))).toBeNull();
    expect(readRoutingFields(new Uint8Array(0))).toBeNull();
  });
});

describe('stampHeader', () => {
  it('is stampFrame without the payload: header + rest joined equals the stamped frame', () => {
    const frame = frameOf({ type: 'method', to: 'c2', session: 's' }, { data: new Uint8Array(100_000).fill(3) });
    const { headerEnd } = decodeFrameHeader(frame);
    const pairs = new SenderStamp('ws-1/c1', user).pairs('ws-1');
    const head = stampHeader(frame, headerEnd, 'ws-1/c2', pairs);
    const joined = Buffer.concat([head, frame.subarray(headerEnd)]);
    expect(joined.equals(Buffer.from(stampFrame(frame, headerEnd, 'ws-1/c2', pairs)))).toBe(true);
    expect(decodeFrame(head).main).toMatchObject({ type: 'method', to: 'ws-1/c2', from: 'ws-1/c1', session: 's' });
  });
});
