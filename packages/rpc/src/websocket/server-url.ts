/**
 * Turn a configured Hypha server address into its WebSocket endpoint (spec §2.1).
 *
 * `http://host[/p]` becomes `ws://host[/p]/ws` and `https://` becomes `wss://`, with a trailing
 * `/` removed before `/ws` is appended. A `ws://` or `wss://` address is used verbatim.
 *
 * @example
 * normalizeServerUrl('https://hypha.aicell.io'); // 'wss://hypha.aicell.io/ws'
 */
export function normalizeServerUrl(serverUrl: string | null | undefined): string {
  if (!serverUrl) throw new Error('server_url is required');
  if (serverUrl.startsWith('http://')) {
    return `ws://${stripTrailingSlash(serverUrl.slice('http://'.length))}/ws`;
  }
  if (serverUrl.startsWith('https://')) {
    return `wss://${stripTrailingSlash(serverUrl.slice('https://'.length))}/ws`;
  }
  if (serverUrl.startsWith('ws://') || serverUrl.startsWith('wss://')) return serverUrl;
  throw new Error(
    `Invalid server_url: ${serverUrl} (expected http://, https://, ws:// or wss://)`,
  );
}

function stripTrailingSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
