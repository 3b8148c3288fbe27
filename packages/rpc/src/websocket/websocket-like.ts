/**
 * The subset of the WHATWG `WebSocket` API the client uses. Browsers' `WebSocket` and Node's
 * `ws` package both satisfy it, so the transport has no Node-only code.
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
}

/** A constructor such as `globalThis.WebSocket` or `ws`'s `WebSocket`. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `readyState` values; read from here rather than a global `WebSocket` that Node 20 lacks. */
export const WS_OPEN = 1;
export const WS_CLOSING = 2;
export const WS_CLOSED = 3;

/**
 * Pick the WebSocket implementation: the platform's global when there is one (browsers, Node
 * 22+, Deno), otherwise the `ws` package, loaded lazily so browser bundles never touch it.
 */
export async function resolveWebSocketClass(): Promise<WebSocketConstructor> {
  const native = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof native === 'function') return native as WebSocketConstructor;
  const mod = (await import('ws')) as unknown as {
    WebSocket?: WebSocketConstructor;
    default?: WebSocketConstructor;
  };
  const ctor = mod.WebSocket ?? mod.default;
  if (typeof ctor !== 'function') {
    throw new Error('No WebSocket implementation found: install the `ws` package or pass WebSocketClass');
  }
  return ctor;
}
