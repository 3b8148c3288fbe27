/** Byte/text conversions for ASGI values that may arrive as bytes, buffers or strings. */
import type { AsgiBytes, AsgiHttpScope } from './asgi-types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function asgiBytes(value: AsgiBytes | null | undefined, what: string): Uint8Array {
  if (value === undefined || value === null) return new Uint8Array(0);
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return encoder.encode(value);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) {
    const view = value as ArrayBufferView;
    return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  }
  throw new TypeError(`Invalid ASGI ${what}: expected bytes or a string, got ${typeof value}`);
}

export function asgiText(value: AsgiBytes | null | undefined, what: string): string {
  if (typeof value === 'string') return value;
  return decoder.decode(asgiBytes(value, what));
}

/** `[name, value]` header pairs of a scope as strings (names lower-cased). */
export function scopeHeaders(headers: unknown): Array<[string, string]> {
  if (headers === undefined || headers === null) return [];
  if (!Array.isArray(headers)) throw new TypeError('Invalid ASGI scope: headers must be a list of [name, value] pairs');
  return headers.map((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new TypeError(`Invalid ASGI scope: header ${i} is not a [name, value] pair`);
    }
    return [asgiText(pair[0] as AsgiBytes, 'header name').toLowerCase(), asgiText(pair[1] as AsgiBytes, 'header value')];
  });
}

/** Checks that the scope is an HTTP scope with a method and a path. */
export function assertHttpScope(scope: unknown): asserts scope is AsgiHttpScope {
  if (!scope || typeof scope !== 'object') throw new TypeError('Invalid ASGI call: scope is missing');
  const s = scope as Record<string, unknown>;
  if (s.type !== 'http') throw new TypeError(`Unsupported ASGI scope type: ${String(s.type)} (only "http" is served)`);
  if (typeof s.method !== 'string' || !s.method) throw new TypeError('Invalid ASGI scope: method is missing');
  if (typeof s.path !== 'string' || !s.path.startsWith('/')) throw new TypeError(`Invalid ASGI scope: path must start with "/", got ${JSON.stringify(s.path)}`);
}
