/**
 * Writes a service call's result (server-api §3.2): JSON, or msgpack when the request was msgpack;
 * generators stream as SSE (`data: <json>\n\n` … `data: [DONE]\n\n`) or as concatenated msgpack
 * objects; an error while streaming is sent as an `{error, traceback}` item.
 */
import type { Response } from 'express';
import { encode as msgpackEncode } from '@msgpack/msgpack';
import type { BodyFormat } from './call-args.js';
import { detailOf } from './http-errors.js';

type AnyFn = ((...args: unknown[]) => unknown) & { __schema__?: unknown; __name__?: string };

/** A value that can travel as JSON/msgpack: functions become `{type: "function", function}` descriptors. */
export function toPlain(value: unknown, forJson: boolean, seen = new Set<object>()): unknown {
  if (value === undefined) return null;
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function') {
      const fn = value as AnyFn;
      return { type: 'function', function: fn.__schema__ ?? { name: fn.__name__ ?? fn.name } };
    }
    if (typeof value === 'bigint') return Number(value);
    return value;
  }
  if (ArrayBuffer.isView(value)) {
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    return forJson ? Buffer.from(bytes).toString('utf8') : bytes;
  }
  if (value instanceof ArrayBuffer) return forJson ? Buffer.from(value).toString('utf8') : new Uint8Array(value);
  if (value instanceof Date) return value.toISOString();
  if (seen.has(value)) throw new TypeError('Cannot serialise a cyclic result');
  seen.add(value);
  try {
    if (Array.isArray(value) || value instanceof Set) return [...value].map((v) => toPlain(v, forJson, seen));
    if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toPlain(v, forJson, seen)]));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlain(v, forJson, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return !!value && typeof value === 'object' && typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function';
}

export function writeResult(res: Response, result: unknown, format: BodyFormat): void {
  if (format === 'msgpack') {
    res.status(200).type('application/msgpack').send(Buffer.from(msgpackEncode(toPlain(result, false))));
  } else {
    res.status(200).type('application/json').send(JSON.stringify(toPlain(result, true)));
  }
}

function waitDrain(res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', closed);
      resolve();
    };
    const closed = () => {
      res.off('drain', done);
      reject(new Error('client went away'));
    };
    res.once('drain', done);
    res.once('close', closed);
  });
}

/** Streams a generator; stops pulling (and closes the generator) when the client goes away. */
export async function streamResult(res: Response, gen: AsyncIterable<unknown>, format: BodyFormat): Promise<void> {
  const sse = format === 'json';
  res.status(200);
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('X-Accel-Buffering', 'no');
  res.setHeader('Content-Type', sse ? 'text/event-stream' : 'application/msgpack');
  res.flushHeaders();
  const write = async (chunk: string | Uint8Array): Promise<boolean> => {
    if (res.destroyed) return false;
    if (!res.write(chunk)) {
      try {
        await waitDrain(res);
      } catch {
        return false;
      }
    }
    return true;
  };
  const encode = (item: unknown) => (sse ? `data: ${JSON.stringify(toPlain(item, true))}\n\n` : msgpackEncode(toPlain(item, false)));
  try {
    for await (const item of gen) {
      if (!(await write(encode(item)))) return;
    }
  } catch (err) {
    await write(encode({ error: detailOf(err), traceback: '' }));
  }
  if (sse) await write('data: [DONE]\n\n');
  res.end();
}
