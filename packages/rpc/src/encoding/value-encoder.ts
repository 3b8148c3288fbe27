/**
 * Value encoding (spec §5): turns JS values into msgpack-ready data, storing local functions
 * and generators in the current session so the peer can call them back.
 */
import type { RpcInternals } from '../rpc-internals.js';
import type { EncodedGenerator, EncodedMethod } from '../rpc-types.js';
import { RpcError } from '../errors.js';
import { dtypeOf } from '../utils/dtype.js';
import { randId } from '../utils/rand-id.js';
import { functionDoc } from './function-doc.js';
import { isAsyncIteratorLike, isIteratorLike, isPlainData, isPlainObject } from './guards.js';
import { RemoteService } from './remote-service.js';
import type { AnyFunction } from '../utils/any-function.js';

type Fn = AnyFunction & { __name__?: string; __doc__?: string; __schema__?: unknown; __rpc_object__?: EncodedMethod };

/**
 * Encodes `value` for sending. Functions and generators are stored under `sessionId`;
 * `localWorkspace` only affects promise callbacks (see the call module).
 */
export async function encodeValue(
  rpc: RpcInternals,
  value: unknown,
  sessionId: string | null,
  localWorkspace?: string | null,
): Promise<unknown> {
  if (value === null || value === undefined) return value;
  const t = typeof value;
  if (t === 'number' || t === 'string' || t === 'boolean' || value instanceof Uint8Array) return value;
  if (t === 'bigint') return value;
  if (value instanceof ArrayBuffer) return { _rtype: 'memoryview', _rvalue: new Uint8Array(value) };

  const remote = (value as Fn).__rpc_object__;
  if (remote && typeof remote === 'object') {
    const server = remote._rserver || rpc.serverBaseUrl;
    if (server === rpc.serverBaseUrl) return remote;
  }

  if (t === 'function') return encodeFunction(rpc, value as Fn, sessionId);
  const obj = value as object;

  if (isPlainObject(obj) && typeof obj._rtype === 'string') {
    // Pre-encoded map: keep `_rtype`, encode the other fields.
    const { _rtype, ...rest } = obj;
    const encoded = (await encodeValue(rpc, rest, sessionId, localWorkspace)) as Record<string, unknown>;
    return { ...encoded, _rtype };
  }

  for (const codec of rpc.codecs.values()) {
    if (codec.encoder && codec.type && obj instanceof codec.type) {
      let encoded = (await codec.encoder(obj)) as Record<string, unknown> | unknown;
      if (encoded && typeof encoded === 'object') {
        const rec = encoded as Record<string, unknown>;
        const rtype = (rec._rtype as string | undefined) ?? codec.name;
        const { _rtype: _drop, ...rest } = rec;
        encoded = { ...((await encodeValue(rpc, rest, sessionId, localWorkspace)) as object), _rtype: rtype };
      }
      return encoded;
    }
  }

  if (obj instanceof Error) {
    return { _rtype: 'error', _rvalue: String(obj), _rtrace: obj.stack ?? null };
  }
  if (obj instanceof Date) return obj;
  if (ArrayBuffer.isView(obj)) {
    const bytes = new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength);
    if (obj instanceof DataView) return { _rtype: 'memoryview', _rvalue: bytes };
    const dtype = dtypeOf(obj);
    if (!dtype) throw new RpcError('INVALID_ARGUMENT', `Unsupported typed array: ${obj.constructor.name}`);
    return { _rtype: 'typedarray', _rvalue: bytes, _rdtype: dtype };
  }
  if (obj instanceof Set) {
    return { _rtype: 'set', _rvalue: await encodeValue(rpc, Array.from(obj), sessionId, localWorkspace) };
  }
  if (obj instanceof Map) {
    return { _rtype: 'orderedmap', _rvalue: await encodeValue(rpc, Array.from(obj), sessionId, localWorkspace) };
  }
  if (typeof Blob !== 'undefined' && obj instanceof Blob) return encodeBlob(rpc, obj, sessionId, localWorkspace);
  if (isIteratorLike(obj)) return encodeGenerator(rpc, obj, sessionId);

  const isArray = Array.isArray(obj);
  if (isArray || isPlainObject(obj) || obj instanceof RemoteService) {
    if (isPlainData(obj)) return obj;
    const record = obj as Record<string, unknown>;
    if (!isArray && record._rintf === true && hasPublicFunction(record)) {
      return encodeRintf(rpc, record, sessionId, localWorkspace);
    }
    const out: any = isArray ? new Array((obj as unknown[]).length) : {};
    for (const key of Object.keys(record)) {
      out[key] = await encodeValue(rpc, record[key], sessionId, localWorkspace);
    }
    return out;
  }
  throw new RpcError(
    'INVALID_ARGUMENT',
    `hypha-rpc: Unsupported data type: ${(obj as object).constructor?.name ?? typeof obj}, you can register a custom codec to encode/decode the object.`,
  );
}

function hasPublicFunction(record: Record<string, unknown>): boolean {
  return Object.keys(record).some((k) => !k.startsWith('_') && typeof record[k] === 'function');
}

function encodeFunction(rpc: RpcInternals, fn: Fn, sessionId: string | null): EncodedMethod {
  const annotation = rpc.annotations.get(fn);
  let encoded: EncodedMethod;
  if (annotation) {
    encoded = {
      _rtype: 'method',
      _rserver: rpc.serverBaseUrl,
      _rtarget: rpc.clientId,
      _rmethod: annotation.method_id,
      _rpromise: '*',
      _rname: fn.name,
    };
  } else {
    if (!sessionId) {
      throw new RpcError('INVALID_ARGUMENT', 'A session is required to encode a callback function');
    }
    const objectId = fn.__name__ ? `${randId()}#${fn.__name__}` : randId();
    rpc.store.getSession(sessionId, true)[objectId] = fn;
    encoded = {
      _rtype: 'method',
      _rserver: rpc.serverBaseUrl,
      _rtarget: rpc.clientId,
      _rmethod: `${sessionId}.${objectId}`,
      _rpromise: '*',
      _rname: fn.name,
    };
  }
  encoded._rdoc = fn.__doc__ ?? functionDoc(fn);
  encoded._rschema = fn.__schema__ ?? null;
  return encoded;
}

function encodeGenerator(
  rpc: RpcInternals,
  gen: Iterator<unknown> | AsyncIterator<unknown>,
  sessionId: string | null,
): EncodedGenerator {
  if (!sessionId) throw new RpcError('INVALID_ARGUMENT', 'A session is required to encode a generator');
  const store = rpc.store.getSession(sessionId, true);
  const objectId = randId();
  const closeId = `${objectId}:close`;
  const isAsync = isAsyncIteratorLike(gen);
  const drop = (): void => {
    delete store[objectId];
    delete store[closeId];
  };
  store[objectId] = async () => {
    const step = isAsync ? await (gen as AsyncIterator<unknown>).next() : (gen as Iterator<unknown>).next();
    if (step.done) {
      drop();
      return { _rtype: 'stop_iteration' };
    }
    return step.value;
  };
  store[closeId] = async () => {
    drop();
    if (typeof gen.return === 'function') await gen.return(undefined);
    return true;
  };
  return {
    _rtype: 'generator',
    _rserver: rpc.serverBaseUrl,
    _rtarget: rpc.clientId,
    _rmethod: `${sessionId}.${objectId}`,
    _rclose_method: `${sessionId}.${closeId}`,
    _rpromise: '*',
    _rdoc: 'Remote generator',
  };
}

async function encodeRintf(
  rpc: RpcInternals,
  record: Record<string, unknown>,
  sessionId: string | null,
  localWorkspace?: string | null,
): Promise<Record<string, unknown>> {
  // Only the peer this object is sent to may call it back.
  let allowedCaller: string | null = null;
  if (sessionId) {
    const top = rpc.store.getSession(sessionId.split('.')[0], false);
    allowedCaller = top?.target_id ?? null;
  }
  const functions: Record<string, AnyFunction> = {};
  for (const k of Object.keys(record)) {
    const v = record[k];
    if (!k.startsWith('_') && typeof v === 'function') functions[k] = v as AnyFunction;
  }
  const serviceId = rpc.addRintfService(functions, allowedCaller);
  // The reference writes the id back so the owner can unregister it later.
  record._rintf_service_id = serviceId;
  const service = rpc.store.services[serviceId] as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    const v = record[key];
    out[key] = await encodeValue(rpc, typeof v === 'function' ? service[key] : v, sessionId, localWorkspace);
  }
  out._dispose = await encodeValue(rpc, service._dispose, sessionId, localWorkspace);
  out._rintf_service_id = serviceId;
  return out;
}

async function encodeBlob(
  rpc: RpcInternals,
  blob: Blob,
  sessionId: string | null,
  localWorkspace?: string | null,
): Promise<Record<string, unknown>> {
  let position = 0;
  const read = async (length?: number): Promise<Uint8Array> => {
    const part = length ? blob.slice(position, position + length) : blob.slice(position);
    const bytes = new Uint8Array(await part.arrayBuffer());
    position += bytes.byteLength;
    return bytes;
  };
  const seek = (pos: number): void => {
    position = pos;
  };
  const file = blob as Blob & { name?: string; webkitRelativePath?: string; _path?: string };
  return {
    _rtype: 'iostream',
    _rnative: 'js:blob',
    type: blob.type,
    name: file.name ?? null,
    size: blob.size,
    path: file._path ?? file.webkitRelativePath ?? null,
    read: await encodeValue(rpc, read, sessionId, localWorkspace),
    seek: await encodeValue(rpc, seek, sessionId, localWorkspace),
  };
}
