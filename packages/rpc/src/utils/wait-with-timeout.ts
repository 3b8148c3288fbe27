import { RpcError } from '../errors.js';

/** `promise`, or a `TIMEOUT` RpcError with `message` after `seconds`. */
export function waitWithTimeout<T>(promise: Promise<T>, seconds: number, message: string): Promise<T> {
  let handle: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    handle = setTimeout(() => reject(new RpcError('TIMEOUT', message)), seconds * 1000);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(handle));
}
