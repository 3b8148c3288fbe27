/**
 * Functions of a service the manager relays to a caller (`get_service`).
 *
 * The manager's RPC peer re-encodes what it returns, and an encoder passes a decoded remote
 * function through as-is only when its `_rserver` is the encoder's own server URL; any other
 * function is wrapped as one of the manager's own. In a cluster whose instances have different
 * public URLs, a service hosted through another instance carries that instance's URL, so it came
 * back wrapped: callers then reached the service through the manager, as the manager (root user,
 * workspace `*`), and keyword arguments were lost in the wrapper.
 *
 * Every service in the registry is reachable from every instance of the cluster (frames go
 * through the shared bus), so its functions are stamped with this instance's URL before being
 * relayed: the caller gets the real target and its own calls reach it directly.
 */

interface DecodedRemote {
  __rpc_object__?: Record<string, unknown>;
}

/**
 * Rebinds, in place, every decoded remote function found in `service` (its own values, then plain
 * maps and arrays recursively) to `serverBaseUrl`. Each function gets a fresh encoded object; the
 * proxies keep calling their original target.
 */
export function rebindRemoteFunctions(service: object, serverBaseUrl: string): void {
  const seen = new Set<object>([service]);
  for (const child of Object.values(service)) walk(child, serverBaseUrl, seen);
}

function walk(value: unknown, serverBaseUrl: string, seen: Set<object>): void {
  if (typeof value === 'function') {
    const fn = value as DecodedRemote;
    const encoded = fn.__rpc_object__;
    if (encoded && typeof encoded === 'object' && encoded._rserver !== serverBaseUrl) {
      fn.__rpc_object__ = { ...encoded, _rserver: serverBaseUrl };
    }
    return;
  }
  if (typeof value !== 'object' || value === null || seen.has(value) || ArrayBuffer.isView(value)) return;
  seen.add(value);
  const children = Array.isArray(value) ? value : isPlainMap(value) ? Object.values(value) : [];
  for (const child of children) walk(child, serverBaseUrl, seen);
}

function isPlainMap(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
