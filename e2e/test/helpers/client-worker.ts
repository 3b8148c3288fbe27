/**
 * A custom `server-app-worker` for tests: each session it starts is an unmodified hypha-rpc client
 * connected with the session's credentials, registering `default` with the given functions.
 */
import { hyphaWebsocketClient } from 'hypha-rpc';
import type { Proxy } from './artifact-clients.js';

/**
 * Registers the worker through `api`; returns the live session clients by session id (a stopped
 * session is removed), and `close()` to disconnect the ones still running.
 */
export async function registerClientWorker(api: Proxy, o: { id: string; appType: string; functions: Record<string, (...args: any[]) => unknown> }) {
  const sessions = new Map<string, Proxy>();
  await api.registerService({
    id: o.id,
    type: 'server-app-worker',
    config: { visibility: 'protected' },
    supported_types: [o.appType],
    async start(c: Record<string, any>) {
      const app = (await hyphaWebsocketClient.connectToServer({
        server_url: c.server_url, client_id: c.client_id, token: c.token, workspace: c.workspace, app_id: c.app_id,
      })) as Proxy;
      sessions.set(c.id, app);
      await app.registerService({ id: 'default', config: { visibility: 'public' }, ...o.functions });
      return c.id;
    },
    async stop(sessionId: string) {
      const app = sessions.get(sessionId);
      sessions.delete(sessionId);
      if (app) await app.disconnect();
    },
    get_logs: () => ({ items: [], total: 0, offset: 0, limit: null }),
  });
  return {
    sessions,
    async close() {
      for (const app of sessions.values()) await app.disconnect();
    },
  };
}
