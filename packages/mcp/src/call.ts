import type { ServiceFunction } from './types.js';

/** Calls a service function with keyword arguments. */
export type KwargsCaller = (fn: ServiceFunction, kwargs: Record<string, unknown>) => Promise<unknown>;

/**
 * hypha-rpc's convention: a trailing map marked `_rkwargs` travels as keyword arguments
 * (`with_kwargs`), so Python providers get `**kwargs` and JS providers their named parameters.
 */
export const rpcKwargsCaller: KwargsCaller = async (fn, kwargs) =>
  Object.keys(kwargs).length === 0 ? await fn() : await fn({ ...kwargs, _rkwargs: true });
