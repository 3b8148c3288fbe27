/**
 * Server-side key case conversion of a fetched service (`get_service` config.case_conversion,
 * rpc-protocol §8.6). The reference server runs Python hypha-rpc's `convert_case`, whose rules
 * differ from the JS client's `convertCase` (@hypha/rpc's, which follows hypha-rpc JS):
 * - camel: a key without `_` keeps its letters but starts lower-case (`HelloWorld` → `helloWorld`);
 *   otherwise the first `_`-part is kept and every later part is title-cased
 *   (`get_HTTP_url` → `getHttpUrl`);
 * - snake: every capital becomes `_` + its lower-case, then leading `_`s are stripped
 *   (`HelloWorld` → `hello_world`);
 * - maps (including `config`) are converted recursively, lists and other values are kept;
 * - in `camel` or `snake` mode a function gets `__name__` and a copy of `__schema__` named after
 *   its new key; `camel+snake` (or `snake+camel`) puts both spellings, converting each side alone.
 */

const UPPER = /\p{Lu}/u;
const CASED = /[\p{Lu}\p{Ll}\p{Lt}]/u;

/** Python's `str.title()`: a cased letter after a cased letter is lower-cased, others upper-cased. */
function titleCase(word: string): string {
  let out = '';
  let prevCased = false;
  for (const ch of word) {
    const cased = CASED.test(ch);
    out += cased ? (prevCased ? ch.toLowerCase() : ch.toUpperCase()) : ch;
    prevCased = cased;
  }
  return out;
}

export function toCamel(key: string): string {
  if (!key.includes('_')) return key.slice(0, 1).toLowerCase() + key.slice(1);
  const [first, ...rest] = key.split('_');
  return first + rest.map(titleCase).join('');
}

export function toSnake(key: string): string {
  let out = '';
  for (const ch of key) out += UPPER.test(ch) ? `_${ch.toLowerCase()}` : ch;
  return out.replace(/^_+/, '');
}

type Mode = 'camel' | 'snake' | 'both';

type NamedFn = ((...args: unknown[]) => unknown) & { __name__?: string; __schema__?: unknown };

/** A plain map to convert; decoded remote objects (`__rpc_object__`) are passed through whole. */
function isConvertibleMap(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  return !('__rpc_object__' in v);
}

function convert(value: unknown, mode: Mode): unknown {
  return isConvertibleMap(value) ? convertEntries(value, mode) : value;
}

function convertEntries(value: Record<string, unknown>, mode: Mode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (mode === 'both') {
      out[toCamel(key)] = convert(child, 'camel');
      out[toSnake(key)] = convert(child, 'snake');
      continue;
    }
    const newKey = mode === 'camel' ? toCamel(key) : toSnake(key);
    const converted = convert(child, mode);
    if (typeof converted === 'function') rename(converted as NamedFn, newKey);
    out[newKey] = converted;
  }
  return out;
}

function rename(fn: NamedFn, name: string): void {
  fn.__name__ = name;
  const schema = fn.__schema__;
  if (schema && typeof schema === 'object' && !Array.isArray(schema)) fn.__schema__ = { ...schema, name };
}

function parseMode(mode: string): Mode {
  if (mode === 'camel' || mode === 'snake') return mode;
  if (mode.includes('camel') && mode.includes('snake')) return 'both';
  throw new Error(`Invalid case_conversion: ${mode} (expected camel, snake or camel+snake)`);
}

/**
 * A copy of `service` (own enumerable keys, whatever its prototype) with its keys converted;
 * `mode` null/empty keeps them as they are.
 */
export function toCaseConverted(service: Record<string, unknown>, mode: unknown): Record<string, unknown> {
  if (mode === null || mode === undefined || mode === '') return { ...service };
  if (typeof mode !== 'string') throw new Error(`Invalid case_conversion: ${JSON.stringify(mode)} (expected a string)`);
  return convertEntries(service, parseMode(mode));
}
