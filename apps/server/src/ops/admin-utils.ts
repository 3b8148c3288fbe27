/**
 * `admin-utils` in `ws-user-root` (server-api §6.9), protected and for root only: servers,
 * workspaces, client kick-out, metrics, resource usage and the block list.
 */
import { PermissionDeniedError, Type, defineMethod, defineService, toRpcService } from '@hypha/service';
import type { Authorize } from '@hypha/service';
import type { HyphaCore } from '@hypha/workspace';
import type { BlockList } from './block-list.js';
import type { AdminTerminal } from './admin-terminal.js';

export interface AdminDeps {
  core: HyphaCore;
  blocks: BlockList;
  serverId: string;
  /** Closes a client's socket on this instance (`<ws>/<client_id>`); false when it is not here. */
  closeClient(fullId: string, code: number, reason: string): boolean;
  /** Full ids of this instance's connected clients whose user is `userId`. */
  clientsOfUser(userId: string): string[];
  /** Counters for `get_metrics` and `get_resource_usage`. */
  counters(): { connections: number; http: Record<string, unknown> };
  /** With `--enable-admin-terminal`: adds the terminal methods. */
  terminal?: AdminTerminal | null;
}

const rootOnly: Authorize = (ctx) => {
  if (ctx.user.id !== 'root') throw new PermissionDeniedError('Permission denied: admin-utils is for the root user only');
};

const str = (description: string) => Type.String({ description });

export function adminUtilsService(d: AdminDeps) {
  const { core } = d;
  const kick = async (fullId: string, code: number, reason: string): Promise<boolean> => {
    const slash = fullId.indexOf('/');
    const closed = d.closeClient(fullId, code, reason);
    await core.manager.deleteClient(fullId.slice(0, slash), fullId.slice(slash + 1));
    return closed;
  };
  return defineService({
    id: 'admin-utils',
    name: 'Admin Utilities',
    description: 'Server administration for the root user: servers, workspaces, clients, metrics and the block list.',
    config: { visibility: 'protected' },
    methods: {
      list_servers: defineMethod({
        description: 'List the ids of the live servers.',
        params: {},
        permission: 'none',
        handler: async () => {
          const keys = await core.bus.scan('hypha:server:*');
          const ids = keys.map((k) => k.slice(k.lastIndexOf(':') + 1));
          return ids.includes(d.serverId) ? ids : [d.serverId, ...ids];
        },
      }),
      kickout_client: defineMethod({
        description: 'Force a client to disconnect and remove its services.',
        params: {
          workspace: str('Workspace of the client.'),
          client_id: str('Client id to disconnect.'),
          code: Type.Optional(Type.Integer({ description: 'WebSocket close code.', default: 1000 })),
          reason: Type.Optional(Type.String({ description: 'Close reason.', default: 'Admin requested disconnect' })),
        },
        permission: 'none',
        handler: async ({ workspace, client_id, code, reason }) => {
          const ids = await core.manager.listClientIds(workspace);
          const full = `${workspace}/${client_id}`;
          if (!ids.includes(full)) throw new Error(`Client not found: ${full}`);
          const closed = await kick(full, code ?? 1000, reason ?? 'Admin requested disconnect');
          return { success: true, client_id, workspace, socket_closed: closed };
        },
      }),
      list_workspaces: defineMethod({
        description: 'List every loaded workspace.',
        params: {},
        permission: 'none',
        handler: async () => core.workspaces.list(),
      }),
      unload_workspace: defineMethod({
        description: 'Disconnect every client of a workspace and unload it.',
        params: {
          workspace: str('Workspace to unload.'),
          wait: Type.Optional(Type.Boolean({ description: 'Wait until it is unloaded.', default: false })),
          timeout: Type.Optional(Type.Number({ description: 'Seconds to wait when wait is true.', default: 10 })),
        },
        permission: 'none',
        handler: async ({ workspace, wait, timeout }) => {
          if (['public', 'ws-user-root', 'ws-anonymous'].includes(workspace)) throw new Error(`Workspace ${workspace} is protected and cannot be unloaded`);
          if (!(await core.workspaces.get(workspace))) throw new Error(`Workspace ${workspace} is not loaded`);
          for (const full of await core.manager.listClientIds(workspace)) await kick(full, 1001, 'Workspace unloaded by admin');
          const keys = await core.registry.find({ workspace });
          if (keys.length) await core.registry.delete(...keys);
          const info = await core.workspaces.get(workspace);
          // A persistent workspace keeps its record (owners, settings): unloading ends its
          // clients and services, it does not delete the workspace.
          if (info && !(await core.manager.unloadIfEmpty(workspace))) {
            if (!info.persistent) await core.workspaces.delete(workspace);
            await core.manager.broadcast(workspace, 'workspace_unloaded', info);
          }
          const deadline = Date.now() + (timeout ?? 10) * 1000;
          while (wait && !info?.persistent && (await core.workspaces.get(workspace)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
          return { success: true, workspace };
        },
      }),
      get_metrics: defineMethod({
        description: 'Counters of the RPC layer and the event bus.',
        params: {},
        permission: 'none',
        handler: async () => {
          const health = await core.bus.health();
          const c = d.counters();
          return {
            rpc: { connected_clients: c.connections, local_clients: core.router.size, http: c.http },
            eventbus: { healthy: health.healthy, reason: health.reason ?? null, type: core.bus.constructor.name },
          };
        },
      }),
      block_user: defineMethod({
        description: 'Block a user and close its connections.',
        params: {
          user_id: str('User id to block.'),
          duration: Type.Optional(Type.Number({ description: 'Seconds (0 = 30 days).', default: 3600 })),
          reason: Type.Optional(Type.String({ description: 'Why.', default: '' })),
        },
        permission: 'none',
        handler: async ({ user_id, duration, reason }) => {
          await d.blocks.block('user', user_id, duration ?? 3600, reason ?? '');
          let kicked = 0;
          for (const full of d.clientsOfUser(user_id)) if (await kick(full, 1008, `User blocked: ${reason ?? ''}`)) kicked++;
          return `Blocked user ${user_id}, kicked ${kicked} connections`;
        },
      }),
      unblock_user: defineMethod({
        description: 'Unblock a user.',
        params: { user_id: str('User id to unblock.') },
        permission: 'none',
        handler: async ({ user_id }) => {
          await d.blocks.unblock('user', user_id);
          return `Unblocked user ${user_id}`;
        },
      }),
      block_ip: defineMethod({
        description: 'Block a client IP address.',
        params: {
          ip: str('IP address to block.'),
          duration: Type.Optional(Type.Number({ description: 'Seconds (0 = 30 days).', default: 3600 })),
          reason: Type.Optional(Type.String({ description: 'Why.', default: '' })),
        },
        permission: 'none',
        handler: async ({ ip, duration, reason }) => {
          await d.blocks.block('ip', ip, duration ?? 3600, reason ?? '');
          return `Blocked IP ${ip}`;
        },
      }),
      unblock_ip: defineMethod({
        description: 'Unblock a client IP address.',
        params: { ip: str('IP address to unblock.') },
        permission: 'none',
        handler: async ({ ip }) => {
          await d.blocks.unblock('ip', ip);
          return `Unblocked IP ${ip}`;
        },
      }),
      list_blocked: defineMethod({
        description: 'List blocked users and IPs with their remaining seconds.',
        params: {},
        permission: 'none',
        handler: () => d.blocks.list(),
      }),
      get_resource_usage: defineMethod({
        description: 'A snapshot of this process: memory, CPU time, uptime and connections.',
        params: {},
        permission: 'none',
        handler: () => {
          const mem = process.memoryUsage();
          const cpu = process.cpuUsage();
          return {
            server_id: d.serverId,
            uptime_seconds: Math.round(process.uptime()),
            memory: { rss: mem.rss, heap_used: mem.heapUsed, heap_total: mem.heapTotal, external: mem.external },
            cpu_seconds: { user: cpu.user / 1e6, system: cpu.system / 1e6 },
            connections: d.counters().connections,
          };
        },
      }),
      ...(d.terminal ? terminalMethods(d.terminal) : {}),
    },
  });
}

function terminalMethods(t: AdminTerminal) {
  return {
    start_terminal: defineMethod({
      description: 'Start the admin JavaScript REPL (a no-op when it runs already).',
      params: {},
      permission: 'none',
      handler: () => t.start(),
    }),
    write_terminal: defineMethod({
      description: 'Type into the admin terminal (keystrokes; "\\r" is Enter).',
      params: { data: str('Data to write to the terminal.') },
      permission: 'none',
      handler: ({ data }) => t.write(data),
    }),
    read_terminal: defineMethod({
      description: 'Output printed since the last read: `{success, output}`.',
      params: {},
      permission: 'none',
      handler: () => t.read(),
    }),
    get_screen_content: defineMethod({
      description: 'Everything the terminal printed (kept up to 1 MiB): `{success, content}`.',
      params: {},
      permission: 'none',
      handler: () => t.screen(),
    }),
    resize_terminal: defineMethod({
      description: 'Resize the terminal.',
      params: { rows: Type.Integer({ description: 'Number of rows.' }), cols: Type.Integer({ description: 'Number of columns.' }) },
      permission: 'none',
      handler: ({ rows, cols }) => t.resize(rows, cols),
    }),
    execute_command: defineMethod({
      description: 'Run one line in the REPL and return its output once the prompt is back.',
      params: {
        command: str('JavaScript to run (top-level await works).'),
        timeout: Type.Optional(Type.Number({ description: 'Seconds to wait.', default: 5 })),
      },
      permission: 'none',
      handler: ({ command, timeout }) => t.execute(command, timeout ?? 5),
    }),
  };
}

export function adminUtilsRpc(d: AdminDeps): Record<string, unknown> {
  return toRpcService(adminUtilsService(d), { authorize: rootOnly });
}
