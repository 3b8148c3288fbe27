/** Manager methods for service types (interface descriptions stored in a workspace). */
import { checkPermission } from '@hypha/auth';
import { InvalidArgumentError, NotFoundError, PermissionDeniedError, Type, defineMethod } from '@hypha/service';
import type { CallContext } from '../context.js';
import type { WorkspaceManager } from '../workspace-manager.js';
import { map, optionalWorkspace } from './params.js';

export function serviceTypeMethods(m: WorkspaceManager) {
  return {
    register_service_type: defineMethod({
      description: 'Register a service type (an interface description) in the current workspace.',
      params: { type_info: map('The type: id, name, definition and optional docs.') },
      permission: 'read_write',
      handler: async ({ type_info }, ctx: CallContext) => {
        const t = { ...((type_info ?? {}) as Record<string, any>) };
        if (typeof t.id !== 'string' || !t.id) throw new InvalidArgumentError('Service type id must be a non-empty string');
        const givenId: string = t.id;
        if (t.id.includes('/')) {
          const [tws, tid] = t.id.split('/');
          if (tws !== ctx.ws) throw new PermissionDeniedError(`Permission denied for workspace ${tws}`);
          t.id = tid;
        }
        const info = await m.workspaces.get(ctx.ws);
        if (!info) throw new NotFoundError(`Workspace not found: ${ctx.ws}`);
        if (info.service_types[t.id]) throw new Error(`Service type already exists: ${t.id}`);
        const stored = {
          name: t.name ?? t.id,
          definition: t.definition ?? {},
          description: t.description ?? null,
          docs: t.docs ?? null,
          config: t.config ?? {},
          ...t,
          id: t.id,
        };
        info.service_types = { ...info.service_types, [t.id]: stored };
        await m.workspaces.put(info);
        // The reference answers the type as given; get_service_type names it with its workspace.
        return { ...stored, id: givenId };
      },
    }),

    get_service_type: defineMethod({
      description: 'Get a registered service type.',
      params: { type_id: Type.String({ description: "Type id, bare or as 'workspace/type_id'." }) },
      permission: 'none',
      handler: async ({ type_id }, ctx: CallContext) => {
        if (typeof type_id !== 'string' || !type_id) throw new InvalidArgumentError('Service type id must be a non-empty string');
        const [ws, tid] = type_id.includes('/') ? (type_id.split('/') as [string, string]) : [ctx.ws, type_id];
        const info = await m.workspaces.get(ws);
        const t = info?.service_types[tid] as Record<string, any> | undefined;
        if (!t) throw new NotFoundError(`Service type not found: ${type_id}`);
        if (t.config?.visibility !== 'public' && !checkPermission(ctx.user, ws, 'r')) {
          throw new PermissionDeniedError(`Permission denied for workspace ${ws}`);
        }
        return { ...t, id: `${ws}/${tid}` };
      },
    }),

    list_service_types: defineMethod({
      description: 'List the service types registered in a workspace.',
      params: { workspace: optionalWorkspace() },
      permission: 'none',
      handler: async ({ workspace }, ctx: CallContext) => {
        const ws = typeof workspace === 'string' && workspace ? workspace : ctx.ws;
        if (!checkPermission(ctx.user, ws, 'r')) throw new PermissionDeniedError(`Permission denied for workspace ${ws}`);
        const info = await m.workspaces.get(ws);
        return Object.values(info?.service_types ?? {});
      },
    }),
  };
}
