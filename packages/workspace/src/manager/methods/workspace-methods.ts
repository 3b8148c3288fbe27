/** Manager methods for workspaces and bookmarks. */
import { checkPermission, getPermission, getUserWorkspace } from '@hypha/auth';
import { InvalidArgumentError, NotFoundError, PermissionDeniedError, Type, defineMethod } from '@hypha/service';
import { PROTECTED_WORKSPACES, newWorkspaceInfo, ownedBy, validateWorkspaceId } from '../../workspaces/workspace-info.js';
import type { WorkspaceInfo } from '../../workspaces/workspace-info.js';
import type { CallContext } from '../context.js';
import type { WorkspaceManager } from '../workspace-manager.js';
import { getServiceInfo, listServices } from './service-lookup.js';
import { map, maybe, optionalWorkspace } from './params.js';

const isProtected = (ws: string) => (PROTECTED_WORKSPACES as readonly string[]).includes(ws);

export function workspaceMethods(m: WorkspaceManager) {
  return {
    list_workspaces: defineMethod({
      description: 'List the workspaces the caller can see, page by page.',
      params: {
        match: maybe<Record<string, unknown> | null>(['object', 'null'], 'Field values a workspace must have to be listed.', null),
        offset: Type.Optional(Type.Integer({ description: 'Number of workspaces to skip.', default: 0 })),
        limit: Type.Optional(Type.Integer({ description: 'Largest number of workspaces to return.', default: 256 })),
      },
      permission: 'read',
      handler: async ({ match, offset, limit }, ctx: CallContext) => {
        const off = offset == null ? 0 : Number(offset);
        const lim = limit == null ? 256 : Number(limit);
        if (!(off >= 0)) throw new InvalidArgumentError('Offset must be greater than or equal to 0');
        if (!(lim >= 1 && lim <= 256)) throw new InvalidArgumentError('Limit must be between 1 and 256');
        const wanted = Object.entries(match ?? {});
        const all = (await m.workspaces.list())
          .filter((w) => checkPermission(ctx.user, w.id, 'r') || ownedBy(w, ctx.user))
          .filter((w) => wanted.every(([k, v]) => (w as unknown as Record<string, unknown>)[k] === v))
          .sort((a, b) => a.id.localeCompare(b.id));
        return all.slice(off, off + lim).map((w) => ({
          id: w.id,
          name: w.id,
          description: w.description,
          read_only: w.read_only,
          persistent: w.persistent,
          owners: w.owners,
        }));
      },
    }),

    create_workspace: defineMethod({
      description: 'Create a workspace owned by the caller.',
      params: {
        config: map("Workspace info; needs 'id', may set name, description, persistent, owners and config."),
        overwrite: Type.Optional(Type.Boolean({ description: 'Replace a workspace that already has this id.', default: false })),
      },
      permission: 'none',
      handler: async ({ config, overwrite }, ctx: CallContext): Promise<WorkspaceInfo> => {
        const user = ctx.user;
        if (user.is_anonymous) throw new PermissionDeniedError('Only registered user can create workspace.');
        if (!config || typeof config !== 'object') throw new InvalidArgumentError('Workspace config must be a map');
        const c = config;
        const isRoot = user.id === 'root';
        const id = validateWorkspaceId(c.id ?? c.name, !isRoot);
        if (id === '*' || isProtected(id)) {
          throw new PermissionDeniedError(`Permission denied: workspace ${id} is a protected system workspace`);
        }
        const existing = await m.workspaces.get(id);
        if (existing) {
          if (overwrite !== true) throw new Error(`Workspace already exists: ${id}`);
          if (!(isRoot || ownedBy(existing, user) || checkPermission(user, id, 'a'))) {
            throw new PermissionDeniedError(`Permission denied for workspace ${id}`);
          }
        } else if (!isRoot) {
          const mine = (await m.workspaces.list()).filter((w) => w.owners.includes(user.id) && w.id !== getUserWorkspace(user));
          if (mine.length >= m.maxWorkspacesPerUser) {
            throw new Error(`Workspace quota exceeded: user ${user.id} already owns ${mine.length} workspaces (max ${m.maxWorkspacesPerUser}).`);
          }
        }
        const owners: string[] = Array.isArray(c.owners) ? [...c.owners] : [];
        if (!owners.includes(user.id)) owners.push(user.id);
        const info = newWorkspaceInfo({
          id,
          name: c.name ?? id,
          description: c.description ?? null,
          persistent: c.persistent === true,
          owners,
          read_only: c.read_only === true,
          icon: c.icon ?? null,
          covers: c.covers ?? null,
          docs: c.docs ?? null,
          service_types: c.service_types ?? {},
          config: { environs: {}, bookmarks: [], ...(c.config ?? {}) },
        });
        await m.workspaces.put(info);
        if (!isRoot) await m.addBookmark(user, { bookmark_type: 'workspace', id, name: id, description: info.description });
        await m.broadcast(getUserWorkspace(user), 'workspace_loaded', info);
        m.workspaceLoaded(id);
        return info;
      },
    }),

    delete_workspace: defineMethod({
      description: 'Delete a workspace (needs admin permission on it).',
      params: { workspace: Type.String({ description: 'Id of the workspace to delete.' }) },
      permission: 'none',
      handler: async ({ workspace }, ctx: CallContext): Promise<null> => {
        if (typeof workspace !== 'string' || !workspace) throw new InvalidArgumentError('Workspace must be a non-empty string');
        const info = await m.workspaces.get(workspace);
        if (!info) throw new NotFoundError(`Workspace not found: ${workspace}`);
        if (isProtected(workspace)) {
          throw new PermissionDeniedError(`Permission denied: workspace ${workspace} is a protected system workspace`);
        }
        if (!checkPermission(ctx.user, workspace, 'a') && !ownedBy(info, ctx.user)) {
          throw new PermissionDeniedError(`Permission denied for workspace ${workspace}`);
        }
        const keys = await m.registry.find({ workspace });
        if (keys.length) await m.registry.delete(...keys);
        await m.workspaces.delete(workspace);
        m.events.dropWorkspace(workspace);
        await m.removeBookmark(ctx.user, workspace);
        await m.broadcast(getUserWorkspace(ctx.user), 'workspace_deleted', info);
        return null;
      },
    }),

    bookmark: defineMethod({
      description: "Add a workspace or service to the caller's bookmarks.",
      params: { item: map('The bookmark: bookmark_type and id.') },
      permission: 'none',
      handler: async ({ item }, ctx: CallContext): Promise<null> => {
        const it = (item ?? {}) as Record<string, any>;
        if (it.bookmark_type === 'workspace') {
          const info = await m.workspaces.get(it.id);
          if (!info) throw new NotFoundError(`Workspace not found: ${it.id}`);
          await m.addBookmark(ctx.user, { bookmark_type: 'workspace', id: info.id, name: info.name, description: info.description });
        } else if (it.bookmark_type === 'service') {
          const svc = await getServiceInfo(m, ctx, it.id, null);
          await m.addBookmark(ctx.user, { bookmark_type: 'service', id: svc.id, name: svc.name, description: svc.description });
        } else {
          throw new InvalidArgumentError(`Invalid bookmark type: ${String(it.bookmark_type)} (expected 'workspace' or 'service')`);
        }
        return null;
      },
    }),

    unbookmark: defineMethod({
      description: "Remove a workspace or service from the caller's bookmarks.",
      params: { item: map('The bookmark to remove: bookmark_type and id.') },
      permission: 'none',
      handler: async ({ item }, ctx: CallContext): Promise<null> => {
        const it = (item ?? {}) as Record<string, any>;
        if (it.bookmark_type !== 'workspace' && it.bookmark_type !== 'service') {
          throw new InvalidArgumentError(`Invalid bookmark type: ${String(it.bookmark_type)} (expected 'workspace' or 'service')`);
        }
        await m.removeBookmark(ctx.user, it.id);
        return null;
      },
    }),

    get_workspace_info: defineMethod({
      description: 'Get the info of a workspace.',
      params: { workspace: optionalWorkspace() },
      permission: 'read',
      handler: async ({ workspace }, ctx: CallContext): Promise<WorkspaceInfo> => {
        const ws = typeof workspace === 'string' && workspace ? workspace : ctx.ws;
        const info = await m.workspaces.get(ws);
        if (!info) throw new NotFoundError(`Workspace not found: ${ws}`);
        // Environment values are secrets of the workspace: read_write callers only (issue #10 item 2).
        return checkPermission(ctx.user, ws, 'rw') ? info : withoutEnvValues(info);
      },
    }),

    get_summary: defineMethod({
      description: 'Summarise the current workspace: its clients and services.',
      params: {},
      permission: 'none',
      handler: async (_args, ctx: CallContext) => {
        const info = await m.workspaces.get(ctx.ws);
        const services = await listServices(m, ctx, null, false);
        const clients = await m.listClientIds(ctx.ws);
        return {
          name: info?.name ?? ctx.ws,
          description: info?.description ?? null,
          client_count: clients.length,
          clients,
          service_count: services.length,
          services: services.map((s) => ({ id: s.id, name: s.name, type: s.type, description: s.description, config: s.config })),
        };
      },
    }),

    check_status: defineMethod({
      description: 'Report the status of the current workspace.',
      params: {},
      permission: 'read',
      handler: async (_args, ctx: CallContext) => {
        const info = await m.workspaces.get(ctx.ws);
        const user_permission = getPermission(ctx.user, ctx.ws);
        if (!info) return { status: 'not_found', user_permission };
        const st = info.status ?? { ready: true };
        if (st.ready) return { status: 'ready', errors: st.errors ?? null, user_permission };
        if (st.error) return { status: 'error', error: st.error, user_permission };
        return { status: 'loading', user_permission };
      },
    }),
  };
}

/** The workspace info without its environment variables. */
function withoutEnvValues(info: WorkspaceInfo): WorkspaceInfo {
  const environs = info.config?.environs;
  if (!environs || Object.keys(environs).length === 0) return info;
  return { ...info, config: { ...info.config, environs: {} } };
}
