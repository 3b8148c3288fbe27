/**
 * Base URL of the HTTP streaming transport (spec §10.1): `ws://` → `http://`, `wss://` →
 * `https://`, a trailing `/ws` and `/` removed. Endpoints are `<base>/rpc`.
 *
 * @example
 * normalizeServerUrlHTTP('wss://hypha.aicell.io/ws'); // 'https://hypha.aicell.io'
 */
export function normalizeServerUrlHTTP(serverUrl: string | null | undefined): string {
  if (!serverUrl) throw new Error('server_url is required');
  let url = serverUrl;
  if (url.startsWith('ws://')) url = `http://${url.slice('ws://'.length)}`;
  else if (url.startsWith('wss://')) url = `https://${url.slice('wss://'.length)}`;
  if (!url.startsWith('http://') && !url.startsWith('https://')) {
    throw new Error(`Invalid server_url: ${serverUrl} (expected http://, https://, ws:// or wss://)`);
  }
  if (url.endsWith('/ws')) url = url.slice(0, -3);
  return url.replace(/\/$/, '');
}
