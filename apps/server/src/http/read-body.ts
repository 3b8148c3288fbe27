/**
 * Reads a request body as a stream with a size cap (413 as soon as the cap is passed, so an
 * oversized upload is never held whole) and transparent `Content-Encoding: gzip`.
 */
import type { Request } from 'express';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { HttpError } from './http-errors.js';

export function bodyStream(req: Request): Readable {
  const enc = String(req.headers['content-encoding'] ?? '').toLowerCase();
  if (!enc || enc === 'identity') return req;
  if (enc === 'gzip') return req.pipe(createGunzip());
  throw new HttpError(415, `Unsupported Content-Encoding: ${enc} (supported: gzip)`);
}

export function tooLarge(limit: number): HttpError {
  return new HttpError(413, `Request body exceeds the limit of ${limit} bytes`);
}

export async function readBody(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  const stream = bodyStream(req);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      // Discard the rest without keeping it, so the client can still read the 413.
      if (stream !== req) {
        req.unpipe();
        stream.destroy();
      }
      req.resume();
      throw tooLarge(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
