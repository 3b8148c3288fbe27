/** OID of the Postgres `int8` (bigint) type. */
export const INT8_OID = 20;

/**
 * Parses an int8 column into a JS number. Epoch times and counters fit easily; a value beyond
 * 2^53 would silently lose digits, so it is an error instead.
 */
export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`int8 value ${text} does not fit a JS number exactly`);
  }
  return value;
}
