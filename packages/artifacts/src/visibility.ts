/**
 * What a caller who is not a member of a workspace may see of it in a workspace-level listing
 * (`list()` / `search()` without a parent, and their HTTP routes): the artifacts whose own
 * permissions (top level) or whose collection's permissions (children) grant `list`, with a
 * private-children collection's recipient scoping. The reference lists every artifact of the
 * workspace to anyone here; we keep its answer shape and leave private artifacts out.
 */
import { sql } from 'kysely';
import { checkPermission } from '@hypha/auth';
import type { ArtifactContext } from './access.js';
import type { Condition } from './filters.js';
import { canPerform, parentAllowsRead, principalKeys } from './permissions.js';
import type { ArtifactRow } from './record.js';

/**
 * A cheap SQL narrowing: rows whose permissions (or whose parent's, for children) mention one of
 * the caller's principal keys. `visibleToCaller` then decides on each row.
 */
export function mentionsCaller(ctx: ArtifactContext): Condition {
  const keys = sql`array[${sql.join(principalKeys(ctx.user, ctx.ws))}]::text[]`;
  return sql`(
    (parent_id is null and jsonb_exists_any(coalesce(config -> 'permissions', '{}'::jsonb), ${keys}))
    or (parent_id is not null and exists (
      select 1 from artifacts as p where p.id = artifacts.parent_id
        and jsonb_exists_any(coalesce(p.config -> 'permissions', '{}'::jsonb), ${keys})))
  )`;
}

/** Whether a non-member caller may see `row` (whose collection is `parent`) in a listing. */
export function visibleToCaller(ctx: ArtifactContext, row: ArtifactRow, parent: ArtifactRow | null): boolean {
  if (!canPerform(ctx.user, ctx.ws, 'list', row, parent)) return false;
  if (!parent) return true;
  if (!parentAllowsRead(ctx.user, ctx.ws, 'list', row, parent)) return false;
  if (parent.config?.private_children === true && !checkPermission(ctx.user, parent.workspace, 'a')) {
    const field = parent.config.recipient_field;
    const value = typeof field === 'string' ? row.manifest?.[field] : undefined;
    return typeof value === 'string' && value !== '' && value === ctx.user.email;
  }
  return true;
}
