/** Workspace records in the key-value side: hash `workspaces`, field = id, value = JSON. */
import type { KeyValueStore } from '@hypha/eventbus';
import type { WorkspaceInfo } from './workspace-info.js';

const HASH = 'workspaces';

export class WorkspaceStore {
  constructor(private readonly kv: KeyValueStore) {}

  async get(id: string): Promise<WorkspaceInfo | null> {
    const raw = await this.kv.hGet(HASH, id);
    return raw === null ? null : (JSON.parse(raw) as WorkspaceInfo);
  }

  async put(info: WorkspaceInfo): Promise<void> {
    await this.kv.hSet(HASH, { [info.id]: JSON.stringify(info) });
  }

  async delete(id: string): Promise<boolean> {
    return (await this.kv.hDel(HASH, id)) > 0;
  }

  async list(): Promise<WorkspaceInfo[]> {
    const all = await this.kv.hGetAll(HASH);
    return Object.values(all).map((v) => JSON.parse(v) as WorkspaceInfo);
  }
}
