/** Generator / iterator detection (all are sent as `_rtype: "generator"`, spec §5.5). */
export function isIteratorLike(value: object): value is Iterator<unknown> | AsyncIterator<unknown> {
  if (typeof (value as { next?: unknown }).next !== 'function') return false;
  if (Array.isArray(value) || value instanceof Map || value instanceof Set) return false;
  return Symbol.asyncIterator in value || Symbol.iterator in value;
}

/** True for async generators and custom async iterators. */
export function isAsyncIteratorLike(value: object): boolean {
  return Symbol.asyncIterator in value;
}

/** A plain data object (object literal, decoded msgpack map, or null-prototype map). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isPrimitive(v: unknown): boolean {
  return v === null || v === undefined || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';
}

/**
 * True if a value tree holds only primitives, byte arrays and plain containers without
 * `_rtype`: such values need no encoding or decoding pass.
 */
export function isPlainData(value: unknown, depth = 0): boolean {
  if (isPrimitive(value) || value instanceof Uint8Array) return true;
  if (depth > 32) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainData(value[i], depth + 1)) return false;
    return true;
  }
  if (isPlainObject(value)) {
    if ('_rtype' in value || '_rintf' in value) return false;
    for (const k in value) if (!isPlainData(value[k], depth + 1)) return false;
    return true;
  }
  return false;
}
