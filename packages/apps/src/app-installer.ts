/**
 * Installing apps: read the source (raw HTML, plugin XML or code), let the worker compile it,
 * store manifest and files as a staged `application` artifact in `<ws>/applications`, then
 * verify it by a test run and commit. A failed install leaves no app behind.
 */
import { randomBytes } from 'node:crypto';
import { checkPermission } from '@hypha/auth';
import type { UserInfo } from '@hypha/auth';
import { HyphaError, InvalidArgumentError, PermissionDeniedError } from '@hypha/service';
import type { CallContext } from '@hypha/service';
import type { AppsHost, AppStore } from './apps-host.js';
import type { AppLauncher } from './app-launcher.js';
import { assertValidAppId, assertValidManifest } from './manifest.js';
import type { AppManifest } from './manifest.js';
import { isPluginSource, isRawHtml, parsePlugin } from './plugin-source.js';
import { sourceHash } from './source-hash.js';
import type { CompileFile } from './worker-contract.js';
import type { WorkerPool } from './worker-pool.js';

export interface InstallOptions {
  source?: string | null;
  manifest?: Record<string, unknown> | null;
  app_id?: string | null;
  files?: Array<Record<string, unknown>> | null;
  stop_after_inactive?: number | null;
  wait_for_service?: string | boolean | null;
  workspace?: string | null;
  overwrite?: boolean;
  timeout?: number | null;
  version?: string | null;
  stage?: boolean;
  additional_kwargs?: Record<string, unknown> | null;
  worker_id?: string | null;
  worker_selection_mode?: string | null;
}

export interface CommitOptions {
  timeout?: number | null;
  version?: string | null;
  stop_after_inactive?: number | null;
  wait_for_service?: string | boolean | null;
  additional_kwargs?: Record<string, unknown> | null;
  worker_id?: string | null;
}

function fileBytes(f: Record<string, unknown>): { path: string; bytes: Uint8Array } {
  const path = String(f.path ?? f.name ?? '');
  if (!path) throw new InvalidArgumentError("Each file needs a 'name' or 'path'");
  const format = (f.format ?? 'text') as string;
  const content = f.content;
  if (format === 'json') return { path, bytes: Buffer.from(typeof content === 'string' ? content : JSON.stringify(content)) };
  if (format === 'base64') {
    const text = String(content ?? '').replace(/^data:[^,]*,/, '');
    return { path, bytes: Buffer.from(text, 'base64') };
  }
  if (format !== 'text') throw new InvalidArgumentError(`File '${path}': format must be "text", "json" or "base64", got ${JSON.stringify(format)}`);
  if (content instanceof Uint8Array) return { path, bytes: content };
  return { path, bytes: Buffer.from(String(content ?? '')) };
}

export class AppInstaller {
  /** Called after a commit (install or commit_app) succeeded: daemon apps start here. */
  onCommitted: ((workspace: string, appId: string, manifest: Record<string, any>) => void) | null = null;

  constructor(
    private readonly host: AppsHost,
    private readonly store: AppStore,
    private readonly workers: WorkerPool,
    private readonly launcher: AppLauncher,
  ) {}

  async install(o: InstallOptions, ctx: CallContext): Promise<Record<string, unknown>> {
    if (ctx.user.is_anonymous) throw new PermissionDeniedError('Anonymous users cannot install apps');
    const ws = o.workspace ?? ctx.ws;
    if (!checkPermission(ctx.user as unknown as UserInfo, ws, 'rw')) throw new PermissionDeniedError(`Permission denied: cannot install apps in workspace ${ws}`);
    const appId = o.app_id ?? `app-${randomBytes(6).toString('hex')}`;
    assertValidAppId(appId);
    let manifest: Record<string, any> = { ...(o.manifest ?? { name: 'Untitled App', version: '0.1.0', type: 'hypha' }) };
    if ('services' in manifest || 'service_ids' in manifest) {
      throw new InvalidArgumentError("The manifest may not contain 'services' or 'service_ids': they are filled in when the app runs");
    }
    const files: CompileFile[] = (o.files ?? []).map((f) => ({ path: String(f.path ?? f.name), content: f.content, format: (f.format ?? 'text') as CompileFile['format'] }));
    if (o.source) {
      const source = o.source;
      const hash = sourceHash(source);
      if (manifest.source_hash && manifest.source_hash !== hash) throw new InvalidArgumentError(`source_hash mismatch: the manifest says ${String(manifest.source_hash)}, the source hashes to ${hash}`);
      manifest.source_hash = hash;
      if (/^https?:\/\//.test(source.trim())) {
        const url = source.trim();
        if (!url.startsWith('https://') && !/^http:\/\/(localhost|127\.0\.0\.1)[:/]/.test(url)) throw new InvalidArgumentError(`Only https:// (or http://localhost) app URLs are allowed: ${url}`);
        manifest.entry_point = url;
      } else if (isRawHtml(source)) {
        if (!manifest.type || manifest.type === 'hypha') manifest.type = 'window';
        if (!o.manifest) manifest.name = 'Raw HTML App';
        manifest.entry_point = 'index.html';
        files.push({ path: 'index.html', content: source, format: 'text' });
      } else {
        if (isPluginSource(source)) {
          const { config } = parsePlugin(source);
          manifest = { ...config, ...(o.manifest ?? {}) };
          if (!o.manifest) manifest = { name: 'Untitled App', version: '0.1.0', type: 'hypha', ...config };
          manifest.source_hash = hash;
        }
        manifest.entry_point = manifest.entry_point ?? 'source';
        files.push({ path: String(manifest.entry_point), content: source, format: 'text' });
      }
    }
    if (!manifest.type || manifest.type === 'application') throw new InvalidArgumentError("Invalid app manifest: field 'type' must name the app type (window, python-eval, ...)");
    if (manifest.name === undefined) manifest.name = 'Untitled App';
    if (manifest.version === undefined) manifest.version = '0.1.0';
    const worker = o.worker_id
      ? await this.workers.handle(o.worker_id.includes('/') ? o.worker_id : `${ws}/${o.worker_id}`, ctx)
      : await this.workers.select(String(manifest.type), o.worker_selection_mode ?? null, ctx, this.launcher.workerLoad);
    let outFiles = files;
    if (worker.compile) {
      const compiled = (await worker.compile(manifest, files, { server_url: this.host.localBaseUrl, public_url: this.host.publicBaseUrl, workspace: ws, user: ctx.user })) as [Record<string, any>, CompileFile[]];
      if (!Array.isArray(compiled) || compiled.length !== 2) throw new HyphaError('internal', `Worker ${worker.id} compile() must return [manifest, files]`);
      manifest = { ...manifest, ...compiled[0] };
      outFiles = compiled[1] ?? [];
    }
    manifest.startup_context = { ws, user: ctx.user };
    const sc: Record<string, unknown> = { ...(manifest.startup_config ?? {}) };
    for (const k of ['timeout', 'wait_for_service', 'additional_kwargs', 'stop_after_inactive'] as const) {
      if (o[k] !== undefined && o[k] !== null) sc[k] = o[k];
    }
    if (Object.keys(sc).length) manifest.startup_config = sc;
    manifest.service_ids = [];
    manifest.id = appId;
    assertValidManifest(manifest);
    await this.store.ensureCollection(ws);
    const artifact = await this.store.create(ws, appId, manifest, o.overwrite === true, ctx);
    try {
      for (const f of outFiles) {
        const { path, bytes } = fileBytes(f as unknown as Record<string, unknown>);
        await this.store.putFile(artifact.id, path, bytes, ctx);
      }
      if (o.stage) return { ...manifest, id: appId };
      return await this.commit(appId, { ...o }, { ...ctx, ws });
    } catch (err) {
      await this.uninstall(appId, { ...ctx, ws }).catch(() => undefined);
      throw new HyphaError(err instanceof HyphaError ? err.code : 'internal', `Failed to install app '${appId}': ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Verify-run the staged app (start, wait, stop), then commit it. */
  async commit(appId: string, o: CommitOptions, ctx: CallContext): Promise<Record<string, unknown>> {
    const id = `${ctx.ws}/${appId}`;
    const session = await this.launcher.start(appId, { ...o, stage: true, version: 'stage', fresh: true }, ctx);
    await this.launcher.stopSession(session.id);
    const committed = await this.store.commit(id, o.version ?? null, ctx);
    const manifest = { ...(committed.manifest ?? {}), id: appId };
    this.onCommitted?.(ctx.ws, appId, manifest);
    return manifest;
  }

  async uninstall(appId: string, ctx: CallContext): Promise<void> {
    if (!checkPermission(ctx.user as unknown as UserInfo, ctx.ws, 'rw')) throw new PermissionDeniedError(`Permission denied: cannot uninstall apps in workspace ${ctx.ws}`);
    const id = `${ctx.ws}/${appId}`;
    const artifact = await this.store.read(id, {}, ctx).catch(() => null);
    await this.launcher.stopApp(ctx.ws, appId);
    const hasVersions = Array.isArray(artifact?.versions) && artifact.versions.length > 0;
    if (artifact && hasVersions && artifact.staging) await this.store.discard(id, ctx);
    else await this.store.delete(id, ctx);
  }

  async listApps(ctx: CallContext): Promise<AppManifest[]> {
    const apps = await this.store.list(ctx.ws, ctx);
    return apps.map((a) => ({ ...(a.manifest ?? {}), id: a.alias }) as AppManifest);
  }

  async editApp(appId: string, edits: Record<string, unknown>, ctx: CallContext): Promise<void> {
    const id = `${ctx.ws}/${appId}`;
    const current = await this.store.read(id, { stage: true }, ctx).catch(() => this.store.read(id, {}, ctx));
    const manifest: Record<string, unknown> = { ...(current.manifest ?? {}), ...((edits.manifest as Record<string, unknown> | null) ?? {}) };
    if (edits.disabled !== undefined && edits.disabled !== null) manifest.disabled = edits.disabled;
    const autoscaling = edits.autoscaling_config ?? edits.autoscaling_manifest;
    if (autoscaling) manifest.autoscaling = autoscaling;
    if (edits.startup_config) manifest.startup_config = edits.startup_config;
    assertValidManifest(manifest);
    await this.store.edit(id, manifest, true, ctx);
    if (edits.disabled === true) await this.launcher.stopApp(ctx.ws, appId);
  }
}
