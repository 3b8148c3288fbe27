/**
 * Encoding oracle: the same value encoded by our RPC and by hypha-rpc's RPC must give the same
 * msgpack bytes once the random object ids are normalised; and each side decodes the other's.
 */
import { decode, encode } from '@msgpack/msgpack';
import * as hyphaRpc from 'hypha-rpc';

/** hypha-rpc's RPC class (its type declarations do not list it). */
const RefRPC = (hyphaRpc as unknown as { RPC: new (...args: any[]) => any }).RPC;
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RPC } from '../src/index.js';

let ours: RPC;
let ref: any;
beforeEach(() => {
  ours = new RPC(null, { client_id: 'peer', workspace: 'ws', server_base_url: 'https://hypha.example.org' });
  ref = new RefRPC(null, { client_id: 'peer', workspace: 'ws', server_base_url: 'https://hypha.example.org', logger: null });
});
afterEach(() => {
  ours.close();
  ref.close();
});

/** Replaces random object ids in `_rmethod`/`_rclose_method` paths with `<id>`. */
function normalise(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/^(sess(?:\.[\w]+)*?)\.[a-z0-9]+(#|:close|$)/, '$1.<id>$2');
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  }
  return value;
}

async function bothEncodings(make: () => unknown): Promise<{ mine: unknown; theirs: unknown }> {
  const mine = await ours.encode(make(), 'sess');
  const theirs = await ref._encode(make(), 'sess');
  return { mine, theirs };
}

const fixedError = new Error('boom');
const cases: Array<[string, () => unknown]> = [
  ['primitives', () => [1, -2.5, 'x', true, null, 2 ** 40]],
  ['bytes', () => new Uint8Array([1, 2, 3])],
  ['nested plain data', () => ({ a: [1, { b: new Uint8Array([4]) }], c: 'd' })],
  ['ArrayBuffer → memoryview', () => new Uint8Array([5, 6]).buffer],
  ['Float64Array → typedarray', () => new Float64Array([1.25, 2])],
  ['Int32Array → typedarray', () => new Int32Array([-1, 7])],
  ['Uint16Array → typedarray', () => new Uint16Array([65535])],
  ['Set', () => new Set([1, 'a'])],
  ['Map → orderedmap', () => new Map<unknown, unknown>([['a', 1], [2, 'b']])],
  ['Error', () => fixedError],
  ['pre-encoded ndarray', () => ({ _rtype: 'ndarray', _rvalue: new Uint8Array(8), _rshape: [2], _rdtype: 'float32' })],
  ['unknown _rtype', () => ({ _rtype: 'custom-thing', x: 1 })],
  ['callback', () => function onProgress(i: number) { return i; }],
  ['callback with __name__', () => Object.assign((x: number) => x, { __name__: 'named', __doc__: 'docs' })],
  ['callbacks nested in data', () => ({ list: [(x: number) => x], deep: { f: (y: number) => y } })],
  ['sync generator', () => (function* gen() { yield 1; })()],
  ['async generator', () => (async function* agen() { yield 1; })()],
];

describe('encoding agrees with hypha-rpc', () => {
  for (const [name, make] of cases) {
    it(`encodes ${name} to the same bytes`, async () => {
      const { mine, theirs } = await bothEncodings(make);
      expect(normalise(decode(encode(mine)))).toEqual(normalise(decode(encode(theirs))));
      expect(Buffer.from(encode(normalise(mine))).toString('hex')).toBe(
        Buffer.from(encode(normalise(theirs))).toString('hex'),
      );
    });
  }

  it('encodes service functions as service methods in both', async () => {
    const api = { id: 'svc', config: { visibility: 'public' }, hello: function hello() { return 1; } };
    const mineSvc = ours.add_service(api);
    const theirSvc = ref.add_service(api);
    const mine = await ours.encode(mineSvc.hello, 'sess');
    const theirs = await ref._encode(theirSvc.hello, 'sess');
    expect(encode(mine)).toEqual(encode(theirs));
  });

  it('encodes _rintf objects with the same shape', async () => {
    const make = () => ({ _rintf: true, ping: () => 'pong', value: 3 });
    const mine = (await ours.encode(make(), 'sess')) as Record<string, any>;
    const theirs = (await ref._encode(make(), 'sess')) as Record<string, any>;
    expect(Object.keys(mine).sort()).toEqual(Object.keys(theirs).sort());
    expect(mine.ping._rmethod).toMatch(/^services\._rintf_[a-z0-9]+\.ping$/);
    expect(theirs.ping._rmethod).toMatch(/^services\._rintf_[a-z0-9]+\.ping$/);
    expect(mine._dispose._rmethod).toMatch(/^services\._rintf_[a-z0-9]+\._dispose$/);
    expect({ ...mine, ping: 0, _dispose: 0, _rintf_service_id: 0 }).toEqual({ ...theirs, ping: 0, _dispose: 0, _rintf_service_id: 0 });
  });

  it('sends only the bytes of a typed-array view (hypha-rpc sends the whole buffer)', async () => {
    const whole = new Float32Array([1, 2, 3, 4]);
    const view = whole.subarray(1, 3);
    const mine = (await ours.encode(view, 'sess')) as { _rvalue: Uint8Array };
    expect(Array.from(new Float32Array(mine._rvalue.slice().buffer))).toEqual([2, 3]);
  });
});

describe('decoding agrees with hypha-rpc', () => {
  const decodable: Array<[string, unknown]> = [
    ['typedarray', { _rtype: 'typedarray', _rvalue: new Uint8Array(new Float32Array([1, 2]).buffer), _rdtype: 'float32' }],
    ['memoryview', { _rtype: 'memoryview', _rvalue: new Uint8Array([1, 2]) }],
    ['set', { _rtype: 'set', _rvalue: [1, 2] }],
    ['orderedmap', { _rtype: 'orderedmap', _rvalue: [['a', 1]] }],
    ['ndarray (kept as a map)', { _rtype: 'ndarray', _rvalue: new Uint8Array(4), _rshape: [1], _rdtype: 'float32' }],
    ['unknown _rtype (kept)', { _rtype: 'pydantic-model', name: 'x' }],
    ['plain', { a: [1, 'b', null] }],
  ];
  for (const [name, wire] of decodable) {
    it(`decodes ${name} like hypha-rpc`, async () => {
      const mine = await ours.decode(decode(encode(wire)));
      const theirs = await ref._decode(decode(encode(wire)));
      expect(mine).toEqual(theirs);
    });
  }

  it('decodes errors to the same message', async () => {
    const wire = { _rtype: 'error', _rvalue: 'Error: boom', _rtrace: 'Error: boom\n    at f (x.js:1:1)' };
    const mine = await ours.decode({ ...wire });
    const theirs = await ref._decode({ ...wire });
    expect(mine.message).toBe(theirs.message);
    expect(mine.remoteStack).toBe(wire._rtrace);
  });
});
