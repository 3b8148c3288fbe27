/**
 * Bounds an HTTP-initiated RPC call: it fails fast with 502 when the provider disconnects while
 * the call is in flight (the workspace's `client_disconnected` broadcast, which reaches every
 * node of a cluster), and with 504 when it outlasts the HTTP call timeout even though the
 * provider keeps sending heartbeats.
 */
import { RpcError, decodeFrameHeader } from '@hypha/rpc';
import type { HyphaCore } from '@hypha/workspace';
import { HttpError } from './http-errors.js';

/** The provider of an in-flight call disconnected (502). */
export class ProviderGoneError extends HttpError {
  constructor(provider: string, what: string) {
    super(502, `The provider ${provider} of ${what} disconnected before answering`);
    this.name = 'ProviderGoneError';
  }
}

export interface GuardOptions {
  /** `<workspace>/<client_id>` of the client that serves the call. */
  provider: string;
  /** What is being called, for messages (`svc.fn`, `app web`). */
  what: string;
  /** Whole-call deadline in seconds; none when omitted. */
  timeoutSeconds?: number;
}

/** Resolves when `provider` leaves; `stop()` unsubscribes. */
export function watchDisconnect(core: HyphaCore, provider: string): { gone: Promise<void>; stop(): void } {
  const slash = provider.indexOf('/');
  const workspace = provider.slice(0, slash);
  const clientId = provider.slice(slash + 1);
  let stop = () => {};
  const gone = new Promise<void>((resolve) => {
    const off = core.bus.on(`${workspace}/*:msg`, (payload) => {
      if (!(payload instanceof Uint8Array)) return;
      const { header } = decodeFrameHeader(payload);
      if (header.type !== 'client_disconnected') return;
      const data = header.data as { id?: unknown } | undefined;
      if (data?.id === clientId || data?.id === provider) resolve();
    });
    stop = off;
  });
  return { gone, stop: () => stop() };
}

export async function guardCall<T>(core: HyphaCore, call: Promise<T>, o: GuardOptions): Promise<T> {
  const watch = watchDisconnect(core, o.provider);
  let timer: NodeJS.Timeout | undefined;
  const failures = new Promise<never>((_resolve, reject) => {
    watch.gone.then(() => reject(new ProviderGoneError(o.provider, o.what)));
    if (o.timeoutSeconds && o.timeoutSeconds > 0) {
      timer = setTimeout(() => reject(new HttpError(504, `Method call timed out: ${o.what} did not answer within ${o.timeoutSeconds} s`)), o.timeoutSeconds * 1000);
    }
  });
  try {
    return await Promise.race([call, failures]);
  } catch (err) {
    // The server's `peer_not_found` for the departed provider can beat its workspace broadcast.
    if (err instanceof RpcError && err.code === 'CLIENT_DISCONNECTED' && err.message.includes(o.provider)) {
      throw new ProviderGoneError(o.provider, o.what);
    }
    throw err;
  } finally {
    watch.stop();
    if (timer) clearTimeout(timer);
  }
}

/** `<workspace>/<client_id>` of a full service id `<ws>/<client>:<svc>[@app]`. */
export function providerOf(fullServiceId: string): string {
  const colon = fullServiceId.indexOf(':', fullServiceId.indexOf('/'));
  return colon < 0 ? fullServiceId : fullServiceId.slice(0, colon);
}
