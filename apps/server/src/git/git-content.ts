/** Encoding and decoding of file content for `write_file` / `read_file` (text, binary, base64, json). */
import { InvalidArgumentError } from '@hypha/service';

export function encodeContent(content: unknown, format: unknown, encoding: unknown): Uint8Array {
  const fmt = format ?? 'text';
  const enc = (encoding ?? 'utf-8') as string;
  if (!Buffer.isEncoding(enc)) throw new InvalidArgumentError(`Unknown encoding ${JSON.stringify(encoding)}`);
  if (fmt === 'text') {
    if (typeof content !== 'string') throw new InvalidArgumentError('content must be a string for format "text"');
    return Buffer.from(content, enc as BufferEncoding);
  }
  if (fmt === 'base64') {
    if (typeof content !== 'string') throw new InvalidArgumentError('content must be a base64 string for format "base64"');
    return Buffer.from(content, 'base64');
  }
  if (fmt === 'json') return Buffer.from(JSON.stringify(content), 'utf8');
  if (fmt === 'binary') {
    if (!(content instanceof Uint8Array)) throw new InvalidArgumentError('content must be bytes for format "binary"');
    return content;
  }
  throw new InvalidArgumentError('format must be "text", "binary", "base64" or "json"');
}

/** The `content` of a `read_file` answer; `partial` when the bytes are not the whole file. */
export function decodeContent(bytes: Buffer, fmt: string, enc: string, path: string, partial: boolean): unknown {
  if (fmt === 'binary') return new Uint8Array(bytes);
  if (fmt === 'base64') return bytes.toString('base64');
  if (fmt === 'json') {
    if (partial) throw new InvalidArgumentError('format "json" needs the whole file; raise limit or drop offset');
    try {
      return JSON.parse(bytes.toString(enc as BufferEncoding));
    } catch (err) {
      throw new InvalidArgumentError(`File '${path}' is not valid JSON: ${(err as Error).message}`);
    }
  }
  return bytes.toString(enc as BufferEncoding);
}
