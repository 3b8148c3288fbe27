/** Workspace records in the key-value side: hash `workspaces`, field = id, value = JSON. */
import type { KeyValueStore } from '@hypha/eventbus';
import type { WorkspaceInfo } from './workspace-info.js';

const HASH = 'workspaces';

/** Told about every record this instance reads or writes (the cluster re-announces them). */
export interface WorkspaceObserver {
  seen(info: WorkspaceInfo): void;
  deleted(id: string): void;
}

export class WorkspaceStore {
  private readonly observers = new Set<WorkspaceObserver>();

  constructor(private readonly kv: KeyValueStore) {}

  /** Returns a function that stops the observation. */
  observe(observer: WorkspaceObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  async get(id: string): Promise<WorkspaceInfo | null> {
    const raw = await this.kv.hGet(HASH, id);
    if (raw === null) return null;
    const info = JSON.parse(raw) as WorkspaceInfo;
    for (const o of this.observers) o.seen(info);
    return info;
  }

  async put(info: WorkspaceInfo): Promise<void> {
    await this.kv.hSet(HASH, { [info.id]: JSON.stringify(info) });
    for (const o of this.observers) o.seen(info);
  }

  async delete(id: string): Promise<boolean> {
    const removed = (await this.kv.hDel(HASH, id)) > 0;
    for (const o of this.observers) o.deleted(id);
    return removed;
  }

  async list(): Promise<WorkspaceInfo[]> {
    const all = await this.kv.hGetAll(HASH);
    return Object.values(all).map((v) => JSON.parse(v) as WorkspaceInfo);
  }
}
