import { ownsWorkspace } from '@hypha/auth';
import type { UserInfo } from '@hypha/auth';
import { InvalidArgumentError } from '@hypha/service';

/** The reference WorkspaceInfo model (server-api §2.1). */
export interface WorkspaceInfo {
  type: 'workspace';
  id: string;
  name: string;
  description: string | null;
  persistent: boolean;
  owners: string[];
  read_only: boolean;
  icon: string | null;
  covers: string[] | null;
  docs: string | null;
  service_types: Record<string, unknown>;
  config: { environs?: Record<string, string>; bookmarks?: unknown[]; [key: string]: unknown };
  status: { ready: boolean; status?: string; errors?: unknown; error?: string } | null;
}

/** Workspaces created at boot and never cleaned up. */
export const PROTECTED_WORKSPACES = ['public', 'ws-user-root', 'ws-anonymous'] as const;

export function newWorkspaceInfo(partial: Partial<WorkspaceInfo> & { id: string }): WorkspaceInfo {
  return {
    type: 'workspace',
    name: partial.name ?? partial.id,
    description: partial.description ?? null,
    persistent: partial.persistent ?? false,
    owners: partial.owners ?? [],
    read_only: partial.read_only ?? false,
    icon: partial.icon ?? null,
    covers: partial.covers ?? null,
    docs: partial.docs ?? null,
    service_types: partial.service_types ?? {},
    config: partial.config ?? { environs: {}, bookmarks: [] },
    status: partial.status ?? { ready: true, errors: null },
    id: partial.id,
  };
}

/** Reference `owned_by` (see `ownsWorkspace` of `@hypha/auth`). */
export function ownedBy(info: WorkspaceInfo, user: UserInfo): boolean {
  return ownsWorkspace(user, info);
}

/**
 * Workspace ids are lower-case letters, digits, `-` and `|`; they must contain a hyphen unless
 * created by root (server-api §0.1). Path characters are rejected.
 */
export function validateWorkspaceId(id: unknown, requireHyphen: boolean): string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new InvalidArgumentError('Invalid workspace name: it must be a non-empty string');
  }
  if (!/^[a-z0-9\-|]+$/.test(id)) {
    throw new InvalidArgumentError(
      `Invalid workspace name: ${JSON.stringify(id)}; only lowercase letters, digits, '-' and '|' are allowed`,
    );
  }
  if (requireHyphen && !id.includes('-')) {
    throw new InvalidArgumentError(`Invalid workspace name: ${id}; it must contain at least one hyphen ('-')`);
  }
  return id;
}
