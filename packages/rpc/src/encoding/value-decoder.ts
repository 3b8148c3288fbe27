/**
 * Value decoding (spec §5): rebuilds JS values from received data; encoded functions become
 * callable remote functions bound to the message they arrived in.
 */
import type { RpcInternals } from '../rpc-internals.js';
import type { EncodedMethod } from '../rpc-types.js';
import { RemoteError, RpcError } from '../errors.js';
import { typedArrayByDtype, type Dtype } from '../utils/dtype.js';
import { isPlainData, isPlainObject } from './guards.js';

/** Where a value came from: needed to bind decoded functions (spec §5.7, §5.10). */
export interface DecodeScope {
  remoteParent?: string | null;
  localParent?: string | null;
  remoteWorkspace?: string | null;
  localWorkspace?: string | null;
}

function copyBytes(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function requireBytes(value: unknown, rtype: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new RpcError('DECODE_FAILED', `Invalid ${rtype} value: _rvalue must be binary, got ${typeof value}`);
  }
  return value;
}

/** How deeply received values may nest; deeper ones are refused instead of exhausting the stack. */
export const MAX_DECODE_DEPTH = 1000;

/** Decodes a received value; throws {@link RpcError} `DECODE_FAILED` for malformed `_rtype` maps. */
export async function decodeValue(rpc: RpcInternals, value: unknown, scope: DecodeScope, depth = 0): Promise<any> {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return value;
  if (depth >= MAX_DECODE_DEPTH) {
    throw new RpcError('DECODE_FAILED', `Invalid value: arguments nested deeper than ${MAX_DECODE_DEPTH} levels are refused`);
  }
  if (Array.isArray(value)) {
    if (isPlainData(value)) return value;
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = await decodeValue(rpc, value[i], scope, depth + 1);
    return out;
  }
  if (!isPlainObject(value)) return value;
  const rtype = value._rtype;
  if (typeof rtype !== 'string') {
    if (isPlainData(value)) return value;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = await decodeValue(rpc, value[key], scope, depth + 1);
    return out;
  }

  const codec = rpc.codecs.get(rtype);
  if (codec?.decoder) {
    const inner = await decodeFields(rpc, value, scope, depth);
    return await codec.decoder({ ...inner, _rtype: rtype });
  }
  switch (rtype) {
    case 'method':
      return makeMethod(rpc, value, scope);
    case 'generator':
      return decodeGenerator(rpc, value, scope);
    case 'error':
      return new RemoteError(String(value._rvalue), value._rtrace as string | null | undefined);
    case 'typedarray': {
      const dtype = value._rdtype as string;
      const ctor = typedArrayByDtype[dtype as Dtype];
      if (!ctor) throw new RpcError('DECODE_FAILED', `Invalid typedarray value: unsupported dtype ${String(dtype)}`);
      const bytes = requireBytes(value._rvalue, 'typedarray');
      if (bytes.byteLength % ctor.BYTES_PER_ELEMENT !== 0) {
        throw new RpcError(
          'DECODE_FAILED',
          `Invalid typedarray value: ${bytes.byteLength} bytes is not a multiple of ${ctor.BYTES_PER_ELEMENT} for ${dtype}`,
        );
      }
      return new ctor(copyBytes(bytes));
    }
    case 'memoryview':
      return copyBytes(requireBytes(value._rvalue, 'memoryview'));
    case 'set': {
      if (!Array.isArray(value._rvalue)) throw new RpcError('DECODE_FAILED', 'Invalid set value: _rvalue must be an array');
      return new Set(await decodeValue(rpc, value._rvalue, scope, depth + 1));
    }
    case 'orderedmap': {
      if (!Array.isArray(value._rvalue)) {
        throw new RpcError('DECODE_FAILED', 'Invalid orderedmap value: _rvalue must be an array');
      }
      const entries = (await decodeValue(rpc, value._rvalue, scope, depth + 1)) as unknown[];
      entries.forEach((e, i) => {
        if (!Array.isArray(e) || e.length !== 2) {
          throw new RpcError('DECODE_FAILED', `Invalid orderedmap value: entry ${i} is not a [key, value] pair`);
        }
      });
      return new Map(entries as Array<[unknown, unknown]>);
    }
    case 'iostream':
      return decodeIostream(rpc, value, scope);
    default: {
      // ndarray, stop_iteration, pydantic-model and unknown types: keep the map, decode its fields.
      const inner = await decodeFields(rpc, value, scope, depth);
      return { ...inner, _rtype: rtype };
    }
  }
}

async function decodeFields(
  rpc: RpcInternals,
  value: Record<string, unknown>,
  scope: DecodeScope,
  depth: number,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key !== '_rtype') out[key] = await decodeValue(rpc, value[key], scope, depth + 1);
  }
  return out;
}

function checkMethodMap(value: Record<string, unknown>, field: '_rmethod' | '_rclose_method' = '_rmethod'): void {
  if (typeof value._rtarget !== 'string' || !value._rtarget) {
    throw new RpcError('DECODE_FAILED', `Invalid ${String(value._rtype)} value: _rtarget must be a non-empty string`);
  }
  if (typeof value[field] !== 'string' || !value[field]) {
    throw new RpcError('DECODE_FAILED', `Invalid ${String(value._rtype)} value: ${field} must be a non-empty string`);
  }
}

function makeMethod(rpc: RpcInternals, value: Record<string, unknown>, scope: DecodeScope) {
  checkMethodMap(value);
  return rpc.makeRemoteMethod(
    value as EncodedMethod,
    scope.remoteParent,
    scope.localParent,
    scope.remoteWorkspace,
    scope.localWorkspace,
  );
}

function decodeGenerator(rpc: RpcInternals, value: Record<string, unknown>, scope: DecodeScope): AsyncGenerator<any> {
  checkMethodMap(value);
  const next = makeMethod(rpc, { ...value, _rtype: 'method' }, scope);
  const close =
    typeof value._rclose_method === 'string'
      ? makeMethod(
          rpc,
          {
            _rtype: 'method',
            _rserver: value._rserver,
            _rtarget: value._rtarget,
            _rmethod: value._rclose_method,
            _rpromise: '*',
          },
          scope,
        )
      : null;
  async function* remoteGenerator(): AsyncGenerator<any> {
    let finished = false;
    try {
      while (true) {
        const item = await next();
        if (item && typeof item === 'object' && (item as { _rtype?: unknown })._rtype === 'stop_iteration') {
          finished = true;
          return;
        }
        yield item;
      }
    } finally {
      // Stopped early (break or error): let the owner release the generator.
      if (!finished && close) {
        await close().catch((err: unknown) => rpc.logger.warn(`Failed to close remote generator ${String(value._rmethod)}`, err));
      }
    }
  }
  return remoteGenerator();
}

async function decodeIostream(rpc: RpcInternals, value: Record<string, unknown>, scope: DecodeScope): Promise<any> {
  let out: any;
  if (value._rnative === 'js:blob') {
    if (!isPlainObject(value.read)) throw new RpcError('DECODE_FAILED', 'Invalid iostream value: read must be a method');
    const read = makeMethod(rpc, value.read, scope);
    const bytes = (await read()) as Uint8Array;
    out = new Blob([bytes], { type: typeof value.type === 'string' ? value.type : '' });
  } else {
    out = {};
    for (const key of Object.keys(value)) {
      if (!key.startsWith('_')) out[key] = await decodeValue(rpc, value[key], scope);
    }
  }
  out.__rpc_object__ = value;
  return out;
}
