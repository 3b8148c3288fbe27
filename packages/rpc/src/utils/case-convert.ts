import type { AnyFunction } from './any-function.js';
/** `snake_case` → `camelCase` (strings already without `_` are kept). */
export function toCamelCase(str: string): string {
  return str.includes('_') ? str.replace(/_./g, (m) => m[1]!.toUpperCase()) : str;
}

/** `camelCase` → `snake_case`. */
export function toSnakeCase(str: string): string {
  return str.replace(/([A-Z])/g, '_$1').toLowerCase();
}

type FnMeta = { __name__?: string; __schema__?: Record<string, unknown> } & AnyFunction;

/**
 * Copies a (decoded) service with its keys converted: `"camel"`, `"snake"`, or both
 * (`"camel+snake"`); functions keep their remote identity (`__rpc_object__`).
 */
export function convertCase<T>(obj: T, caseType: string): T {
  if (typeof obj !== 'object' || obj === null || !caseType) return obj;
  if (obj instanceof Uint8Array) return obj;
  const out: any = Array.isArray(obj) ? [] : {};
  for (const key of Object.keys(obj)) {
    const value = (obj as any)[key];
    const keys = new Set<string>();
    if (caseType.includes('camel')) keys.add(toCamelCase(key));
    if (caseType.includes('snake')) keys.add(toSnakeCase(key));
    for (const k of keys) {
      out[k] = typeof value === 'function' ? renamed(value, k) : convertCase(value, caseType);
    }
  }
  return out;
}

function renamed(fn: FnMeta, name: string): FnMeta {
  if (fn.__name__ === name) return fn;
  const copy = ((...args: unknown[]) => fn(...args)) as unknown as FnMeta & Record<string, unknown>;
  for (const k of Object.keys(fn)) copy[k] = (fn as any)[k];
  copy.__name__ = name;
  if (fn.__schema__) copy.__schema__ = { ...fn.__schema__, name };
  return copy;
}
