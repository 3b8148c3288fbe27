/**
 * `set_parent(artifact_id, new_parent_id=None)` (server-api §4.4): moves an artifact into another
 * collection of the same workspace, or out to the top level. As in the reference: `read` on the
 * artifact; `detach` granted by the old parent's own permissions (or admin on the workspace);
 * `read` on the new parent and `attach` granted by its permissions (or read_write on the
 * workspace); read_write on the workspace to make it top-level. No cycles.
 */
import { checkPermission } from '@hypha/auth';
import { jsonb } from '@hypha/db';
import type { JsonObject, JsonValue } from '@hypha/db';
import { requireContext } from './access.js';
import type { ArtifactAccess } from './access.js';
import { denied, invalid } from './errors.js';
import { permissionsGrant } from './permissions.js';
import { artifactView, nowSeconds } from './record.js';
import type { ArtifactRow } from './record.js';

function ownPermissions(row: ArtifactRow): Record<string, JsonValue> | null {
  const p = row.config?.permissions;
  return p && typeof p === 'object' && !Array.isArray(p) ? (p as Record<string, JsonValue>) : null;
}

export async function setParent(access: ArtifactAccess, artifact_id: unknown, new_parent_id: unknown, context: unknown): Promise<Record<string, unknown>> {
  const ctx = requireContext(context);
  const { db } = await access.ready();
  return db.transaction().execute(async (trx) => {
    const { row, parent: oldParent } = await access.loadFor(trx, artifact_id, ctx, 'read', true);
    await access.assertWritable(ctx, row.workspace);
    if (oldParent && !permissionsGrant(ownPermissions(oldParent), ctx.user, ctx.ws, 'detach') && !checkPermission(ctx.user, row.workspace, 'a')) {
      throw denied(`User does not have permission to detach artifact from the collection '${oldParent.alias}'.`);
    }
    let newParent: ArtifactRow | null = null;
    if (new_parent_id !== undefined && new_parent_id !== null) {
      newParent = (await access.loadFor(trx, new_parent_id, ctx, 'read', true)).row;
      if (!permissionsGrant(ownPermissions(newParent), ctx.user, ctx.ws, 'attach') && !checkPermission(ctx.user, row.workspace, 'rw')) {
        throw denied(`User does not have permission to attach artifact to the collection '${newParent.alias}'.`);
      }
      if (newParent.workspace !== row.workspace) {
        throw invalid(`Cannot move artifact to a different workspace. Artifact is in '${row.workspace}' but parent is in '${newParent.workspace}'`);
      }
      if (newParent.id === row.id) throw invalid('An artifact cannot be its own parent');
      // Walk up from the new parent: meeting the artifact would close a loop.
      for (let up = newParent.parent_id; up; ) {
        if (up === row.id) throw invalid('Cannot set parent: this would create a circular dependency');
        up = (await access.findById(trx, up))?.parent_id ?? null;
      }
      if (newParent.config?.is_collection !== true) {
        const config: JsonObject = { ...(newParent.config ?? {}), is_collection: true };
        await trx.updateTable('artifacts').set({ config: jsonb(config) }).where('id', '=', newParent.id).execute();
      }
    } else if (!checkPermission(ctx.user, row.workspace, 'rw')) {
      throw denied(`User does not have permission to create orphan artifacts in workspace '${row.workspace}'`);
    }
    await trx.updateTable('artifacts').set({ parent_id: newParent?.id ?? null, last_modified: nowSeconds() }).where('id', '=', row.id).execute();
    const updated = (await access.findById(trx, row.id))!;
    return artifactView(updated, { parent: newParent });
  });
}
