/**
 * The `AppStore` of `@hypha/apps` over the in-process artifact manager: apps are `application`
 * artifacts in the `<ws>/applications` collection.
 */
import type { AppArtifact, AppStore } from '@hypha/apps';
import type { ArtifactFiles, ArtifactManager } from '@hypha/artifacts';
import type { CallContext } from '@hypha/service';

function isNotFound(err: unknown): boolean {
  return err instanceof Error && ((err as { code?: string }).code === 'not_found' || /not (be )?found|does not exist/i.test(err.message));
}

export class ArtifactAppStore implements AppStore {
  constructor(
    private readonly manager: ArtifactManager,
    private readonly files: ArtifactFiles,
    private readonly rootContext: (ws: string) => CallContext,
  ) {}

  async ensureCollection(workspace: string): Promise<void> {
    const ctx = this.rootContext(workspace);
    try {
      await this.manager.read(`${workspace}/applications`, true, null, false, ctx);
      return;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const config = workspace === 'public' ? { permissions: { '*': 'r' } } : null;
    await this.manager.create('applications', null, workspace, null,
      { name: 'Applications', description: `A collection of applications for workspace ${workspace}`, collection: [] },
      'collection', config, null, null, null, false, false, ctx);
  }

  async create(workspace: string, alias: string, manifest: Record<string, unknown>, overwrite: boolean, ctx: CallContext): Promise<AppArtifact> {
    return (await this.manager.create(alias, null, workspace, `${workspace}/applications`, manifest, 'application', null, null, 'stage', null, overwrite, true, ctx)) as AppArtifact;
  }

  async edit(artifactId: string, manifest: Record<string, unknown>, stage: boolean, ctx: CallContext): Promise<void> {
    await this.manager.edit(artifactId, manifest, null, null, null, stage ? 'stage' : null, null, stage, ctx);
  }

  async putFile(artifactId: string, path: string, content: Uint8Array, ctx: CallContext): Promise<void> {
    await this.files.uploadFile(ctx as never, artifactId, path, content, { size: content.byteLength });
  }

  async read(artifactId: string, opts: { version?: string | null; stage?: boolean }, ctx: CallContext): Promise<AppArtifact> {
    return (await this.manager.read(artifactId, true, opts.version ?? null, opts.stage ?? false, ctx)) as AppArtifact;
  }

  async list(workspace: string, ctx: CallContext): Promise<AppArtifact[]> {
    try {
      const out = await this.manager.list(`${workspace}/applications`, null, null, null, 0, 1000, null, true, false, false, ctx);
      return (Array.isArray(out) ? out : ((out as { items?: unknown[] }).items ?? [])) as AppArtifact[];
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  }

  async commit(artifactId: string, version: string | null, ctx: CallContext): Promise<AppArtifact> {
    return (await this.manager.commit(artifactId, version, null, ctx)) as AppArtifact;
  }

  async discard(artifactId: string, ctx: CallContext): Promise<void> {
    await this.manager.discard(artifactId, ctx);
  }

  async delete(artifactId: string, ctx: CallContext): Promise<void> {
    await this.manager.delete(artifactId, true, false, null, ctx);
  }

  async readFile(artifactId: string, path: string, opts: { format: 'text' | 'json' | 'binary'; version?: string | null; stage?: boolean }, ctx: CallContext): Promise<unknown> {
    const r = await this.files.read_file(artifactId, path, opts.format, null, null, null, opts.version ?? null, opts.stage ?? false, ctx);
    return r.content;
  }

  async listFiles(artifactId: string, opts: { version?: string | null; stage?: boolean }, ctx: CallContext): Promise<Array<Record<string, unknown>>> {
    return this.files.list_files(artifactId, null, null, opts.version ?? null, opts.stage ?? false, opts.stage ?? false, null, ctx);
  }

  async removeFile(artifactId: string, path: string, ctx: CallContext): Promise<void> {
    await this.files.remove_file(artifactId, path, ctx);
  }
}
