/**
 * Types of remote services as callers see them, derived from the provider's own service type
 * (`typeof service`), so a type-only import gives callers checked calls without codegen.
 */

type AnyFunction = (...args: any[]) => any;

/** Values that cross the wire unchanged (not walked into). */
type Opaque = Uint8Array | ArrayBuffer | ArrayBufferView | Date | RegExp | Error;

/** The caller's view of a remote function's result. */
export type RemoteResult<R> =
  Awaited<R> extends AsyncGenerator<infer Y, any, any> | Generator<infer Y, any, any>
    ? AsyncGenerator<RemoteValue<Y>, void, unknown>
    : RemoteValue<Awaited<R>>;

/** A function as the caller sees it: same parameters, always async. */
export type RemoteFunction<F extends AnyFunction> = (...args: Parameters<F>) => Promise<RemoteResult<ReturnType<F>>>;

/** A value as the caller sees it: functions become async, nested objects are mapped. */
export type RemoteValue<T> = T extends AnyFunction
  ? RemoteFunction<T>
  : T extends Opaque
    ? T
    : T extends readonly (infer E)[]
      ? RemoteValue<E>[]
      : T extends object
        ? { [K in keyof T]: RemoteValue<T[K]> }
        : T;

/** Fields every service returned by `getService` has, whatever its declaration. */
export interface RemoteServiceInfo {
  /** The full service id, `<workspace>/<client_id>:<service_id>[@<app_id>]`. */
  id: string;
  name?: string;
  type?: string;
  description?: string;
  config?: Record<string, unknown>;
}

/**
 * A remote service typed from the provider's service declaration. Without a type argument
 * (`T = any`) it stays `any`, as for untyped JavaScript callers.
 *
 * @example
 * // provider.ts
 * export const calculator = { id: 'calc', add: (a: number, b: number) => a + b };
 * // caller.ts
 * import type { calculator } from './provider.js';
 * const calc = await server.getService<typeof calculator>('calc');
 * const sum: number = await calc.add(1, 2);
 */
export type ServiceProxy<T> = 0 extends 1 & T
  ? any
  : Omit<{ [K in keyof T]: RemoteValue<T[K]> }, keyof RemoteServiceInfo> & RemoteServiceInfo;

/**
 * Identity helper that keeps a service declaration's literal type, for `typeof` exports.
 * Checks the declaration is an object with an optional string `id`.
 */
export function defineService<T extends { id?: string; config?: Record<string, unknown> }>(service: T): T {
  if (typeof service !== 'object' || service === null) throw new Error('defineService: service should be an object');
  return service;
}
