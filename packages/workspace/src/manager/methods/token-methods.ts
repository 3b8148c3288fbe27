/** Manager methods for tokens. */
import { getPermission } from '@hypha/auth';
import type { TokenConfig, UserInfo } from '@hypha/auth';
import { InvalidArgumentError, PermissionDeniedError, Type, defineMethod } from '@hypha/service';
import { ownedBy } from '../../workspaces/workspace-info.js';
import type { CallContext } from '../context.js';
import type { WorkspaceManager } from '../workspace-manager.js';
import { maybe } from './params.js';

export function tokenMethods(m: WorkspaceManager) {
  return {
    /** A child token (reference `generate_token`); owners of the target workspace count as admin. */
    generate_token: defineMethod({
      description: 'Create a token granting access to a workspace (needs admin permission on it).',
      params: {
        config: maybe<TokenConfig | null>(
          ['object', 'null'],
          'Token options: workspace, permission, expires_in, client_id and extra_scopes; defaults apply when omitted.',
          null,
        ),
      },
      permission: 'none',
      handler: async ({ config }, ctx: CallContext): Promise<string> => {
        if (config !== null && config !== undefined && (typeof config !== 'object' || Array.isArray(config))) {
          throw new InvalidArgumentError('generate_token expects a TokenConfig object');
        }
        const cfg = (config ?? {}) as TokenConfig;
        const target = cfg.workspace || ctx.ws;
        let owns = false;
        if (getPermission(ctx.user, target) !== 'a') {
          const info = await m.workspaces.get(target);
          owns = info !== null && info !== undefined && ownedBy(info, ctx.user);
        }
        return m.auth.generateChildToken(ctx.user, cfg, { workspace: ctx.ws, ownsWorkspace: owns });
      },
    }),

    revoke_token: defineMethod({
      description: 'Revoke a token so that it is no longer accepted.',
      params: { token: Type.String({ description: 'The token to revoke.' }) },
      permission: 'admin',
      handler: async ({ token }, _ctx: CallContext): Promise<null> => {
        if (typeof token !== 'string' || !token) throw new InvalidArgumentError('Token must be a non-empty string');
        await m.auth.revokeToken(token);
        return null;
      },
    }),

    /** The user of a token of the caller's workspace (revoked and invalid tokens are refused). */
    parse_token: defineMethod({
      description: 'Decode a token and return the user info it carries.',
      params: { token: Type.String({ description: 'The token to decode.' }) },
      permission: 'read',
      handler: async ({ token }, ctx: CallContext): Promise<UserInfo> => {
        if (typeof token !== 'string' || !token) throw new InvalidArgumentError('Token must be a non-empty string');
        const user = await m.auth.resolveToken(token, { workspace: ctx.ws });
        const wid = user.scope?.current_workspace;
        if (wid && wid !== ctx.ws) {
          throw new PermissionDeniedError(`Permission denied: the token is for workspace ${wid}, not ${ctx.ws}`);
        }
        return user;
      },
    }),
  };
}
