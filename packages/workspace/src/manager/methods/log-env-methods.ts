/** Manager methods for echo, the server log and workspace environment variables. */
import { InvalidArgumentError, NotFoundError, Type, defineMethod } from '@hypha/service';
import type { CallContext } from '../context.js';
import type { WorkspaceManager } from '../workspace-manager.js';
import { anyValue, maybe } from './params.js';

export function logEnvMethods(m: WorkspaceManager) {
  return {
    echo: defineMethod({
      description: 'Return the given value unchanged (a round-trip check).',
      params: { data: anyValue('Any value; it is sent back as is.') },
      permission: 'read_write',
      handler: async ({ data }, _ctx: CallContext) => data,
    }),

    log: defineMethod({
      description: "Write a message to the server's log on behalf of the caller.",
      params: { msg: Type.String({ description: 'The message to log.' }) },
      permission: 'read_write',
      handler: async ({ msg }, ctx: CallContext): Promise<void> => {
        m.events.add(ctx.ws, ctx.user.id, 'log', { msg });
      },
    }),

    set_env: defineMethod({
      description: 'Set an environment variable of the current workspace.',
      params: {
        key: Type.String({ description: 'Name of the variable.' }),
        value: Type.String({ description: 'Value to store.' }),
      },
      permission: 'read_write',
      handler: async ({ key, value }, ctx: CallContext): Promise<null> => {
        if (typeof key !== 'string' || !key) throw new InvalidArgumentError('Environment variable key must be a non-empty string');
        const info = await m.workspaces.get(ctx.ws);
        if (!info) throw new NotFoundError(`Workspace not found: ${ctx.ws}`);
        const environs = { ...(info.config.environs ?? {}) };
        if (value === null || value === undefined) delete environs[key];
        else environs[key] = String(value);
        info.config = { ...info.config, environs };
        await m.workspaces.put(info);
        m.events.add(ctx.ws, ctx.user.id, value == null ? 'env_removed' : 'env_set', { key });
        return null;
      },
    }),

    get_env: defineMethod({
      description: 'Read one or all environment variables of the current workspace.',
      params: { key: maybe<string | null>(['string', 'null'], 'Name of the variable (all variables when omitted).', null) },
      permission: 'read_write',
      handler: async ({ key }, ctx: CallContext) => {
        const info = await m.workspaces.get(ctx.ws);
        if (!info) throw new NotFoundError(`Workspace not found: ${ctx.ws}`);
        const environs: Record<string, string> = info.config.environs ?? {};
        if (key === null || key === undefined) return { ...environs };
        if (typeof key !== 'string' || !(key in environs)) throw new NotFoundError(`Environment variable not found: ${String(key)}`);
        return environs[key];
      },
    }),
  };
}
