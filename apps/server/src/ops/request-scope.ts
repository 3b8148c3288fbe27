/** What a custom `get_token(scope)` sees of a request: an ASGI-like scope (server-api §2.7). */
import type { IncomingMessage } from 'node:http';
import type { RequestScope } from '@hypha/auth';

export function requestScope(req: IncomingMessage, type: 'http' | 'websocket'): RequestScope {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
  return { type, path: url.pathname, query_string: url.search.slice(1), headers };
}
