/** Manager methods for the clients of a workspace. */
import { checkPermission } from '@hypha/auth';
import { PermissionDeniedError, Type, defineMethod } from '@hypha/service';
import type { CallContext } from '../context.js';
import type { WorkspaceManager } from '../workspace-manager.js';
import { maybe, optionalWorkspace } from './params.js';

/** How many clients `cleanup` pings at once. */
const PING_BATCH = 50;

export function clientMethods(m: WorkspaceManager) {
  return {
    list_clients: defineMethod({
      description: 'List the clients connected to a workspace.',
      params: { workspace: optionalWorkspace() },
      permission: 'none',
      handler: async ({ workspace }, ctx: CallContext) => {
        const ws = typeof workspace === 'string' && workspace ? workspace : ctx.ws;
        if (!checkPermission(ctx.user, ws, 'r')) throw new PermissionDeniedError(`Permission denied for workspace ${ws}`);
        const keys = await m.registry.find({ workspace: ws, serviceId: 'built-in' });
        const out: Array<{ id: string; user: unknown }> = [];
        for (const key of keys) {
          const info = await m.registry.get(key);
          const p = m.registry.parse(key);
          out.push({ id: `${p.workspace}/${p.clientId}`, user: info?.config.created_by ?? null });
        }
        return out;
      },
    }),

    ping: defineMethod({
      description: 'Check that a client of the current workspace answers.',
      params: {
        client_id: Type.String({ description: 'Id of the client to ping.' }),
        timeout: Type.Optional(Type.Number({ description: 'Seconds to wait for the answer.', default: 5 })),
      },
      permission: 'none',
      handler: async ({ client_id, timeout }, ctx: CallContext): Promise<string> => {
        const id = String(client_id ?? '');
        const full = id.includes('/') ? id : `${ctx.ws}/${id}`;
        const ws = full.split('/')[0]!;
        if (ws !== ctx.ws && !checkPermission(ctx.user, ws, 'r')) {
          return `Failed to ping client ${full}: Permission denied for workspace ${ws}`;
        }
        return m.pingClient(full, typeof timeout === 'number' ? timeout : 5);
      },
    }),

    cleanup: defineMethod({
      description: 'Remove the clients of a workspace that no longer answer a ping.',
      params: {
        workspace: optionalWorkspace(),
        timeout: maybe<number>('number', 'Seconds each client has to answer.', 5),
      },
      permission: 'admin',
      handler: async ({ workspace, timeout }, ctx: CallContext) => {
        const ws = typeof workspace === 'string' && workspace ? workspace : ctx.ws;
        if (!checkPermission(ctx.user, ws, 'a')) throw new PermissionDeniedError(`Permission denied for workspace ${ws}`);
        const t = typeof timeout === 'number' ? timeout : 5;
        const removed: string[] = [];
        const ids = await m.listClientIds(ws);
        for (let i = 0; i < ids.length; i += PING_BATCH) {
          await Promise.all(
            ids.slice(i, i + PING_BATCH).map(async (id) => {
              if ((await m.pingClient(id, t)) === 'pong') return;
              const cid = id.slice(id.indexOf('/') + 1);
              const keys = await m.registry.clientKeys(ws, cid);
              if (keys.length) await m.registry.delete(...keys);
              await m.broadcast(ws, 'client_disconnected', { id: cid, workspace: ws });
              removed.push(id);
            }),
          );
        }
        if (await m.unloadIfEmpty(ws)) return { removed_workspace: ws, removed_clients: removed };
        return removed.length ? { removed_clients: removed } : {};
      },
    }),
  };
}
