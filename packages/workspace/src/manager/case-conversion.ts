/**
 * Server-side key case conversion of a fetched service (`get_service` config.case_conversion,
 * rpc-protocol §8.6): `camel`, `snake` or `camel+snake` (both spellings present).
 */
export function toCamel(s: string): string {
  return s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function toSnake(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && Object.getPrototypeOf(v) === Object.prototype;
}

function convert(value: Record<string, unknown>, fns: Array<(s: string) => string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const child = isPlainObject(v) && k !== 'config' ? convert(v, fns) : v;
    for (const fn of fns) out[fn(k)] = child;
  }
  return out;
}

export function toCaseConverted(service: Record<string, unknown>, mode: string | null): Record<string, unknown> {
  if (!mode) return { ...service };
  if (mode === 'camel') return convert(service, [toCamel]);
  if (mode === 'snake') return convert(service, [toSnake]);
  if (mode === 'camel+snake') return convert(service, [toCamel, toSnake]);
  throw new Error(`Invalid case_conversion: ${mode} (expected camel, snake or camel+snake)`);
}
