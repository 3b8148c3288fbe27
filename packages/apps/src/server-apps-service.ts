/** `public/server-apps`, declared once with `@hypha/service` (the reference's method and keyword names). */
import { checkPermission } from '@hypha/auth';
import type { UserInfo } from '@hypha/auth';
import { HyphaError, PermissionDeniedError, Type, defineMethod, defineService } from '@hypha/service';
import type { CallContext, ServiceDef } from '@hypha/service';
import { validateAppManifest } from './manifest.js';
import type { ServerApps } from './server-apps.js';

const Opt = <T extends Parameters<typeof Type.Union>[0][number]>(t: T, description: string) => Type.Optional(Type.Union([t, Type.Null()], { description }));
const Obj = Type.Record(Type.String(), Type.Any());
const appId = Type.String({ description: 'The app id (its alias in <ws>/applications).' });
const sessionId = Type.String({ description: 'The session id, `<workspace>/<client_id>`.' });
const waitFor = Opt(Type.Union([Type.String(), Type.Boolean()]), 'Service to wait for ("default"); false starts detached.');

function rw(ctx: CallContext, ws = ctx.ws): void {
  if (!checkPermission(ctx.user as unknown as UserInfo, ws, 'rw')) throw new PermissionDeniedError(`Permission denied for workspace ${ws}`);
}

function fileOp(apps: ServerApps, ctx: CallContext, id: string) {
  return `${ctx.ws}/${id}`;
}

export function serverAppsServiceDef(apps: ServerApps): ServiceDef {
  const store = apps.store;
  return defineService({
    id: 'server-apps',
    name: 'Server Apps',
    description: 'Install, start and stop apps that run on server app workers.',
    type: 'server-apps',
    config: { visibility: 'public' },
    methods: {
      install: defineMethod({
        description: 'Install an app from its source and manifest; returns the manifest (with id).',
        params: {
          source: Opt(Type.String(), 'HTML, plugin XML, code or an https URL.'),
          manifest: Opt(Obj, 'The app manifest (name, type, version, ...).'),
          app_id: Opt(Type.String(), 'The app id; random when omitted.'),
          config: Opt(Obj, 'Deprecated alias of manifest.'),
          files: Opt(Type.Array(Obj), 'Extra files {name|path, content, format}.'),
          stop_after_inactive: Opt(Type.Number(), 'Seconds of inactivity before a session stops.'),
          wait_for_service: waitFor,
          workspace: Opt(Type.String(), 'Target workspace (default: yours).'),
          overwrite: Type.Optional(Type.Boolean({ default: false, description: 'Replace an existing app.' })),
          timeout: Opt(Type.Number(), 'Seconds to wait for the verification run.'),
          version: Opt(Type.String(), 'Version name of the commit.'),
          stage: Type.Optional(Type.Boolean({ default: false, description: 'Keep the app staged (no verification run).' })),
          progress_callback: Type.Optional(Type.Any({ description: 'Receives {type, message}.' })),
          additional_kwargs: Opt(Obj, 'Extra keys for the worker start config.'),
          worker_id: Opt(Type.String(), 'Use this worker.'),
          worker_selection_mode: Opt(Type.String(), 'random, first, last, exact, min_load or select:...'),
          artifact_id: Opt(Type.String(), 'Install a copy of this app artifact (not supported yet).'),
        },
        permission: 'none',
        handler: (a, ctx) => {
          if (a.config && a.manifest) throw new PermissionDeniedError('Use either manifest or config (deprecated), not both');
          if (a.artifact_id) throw new HyphaError('unsupported', 'install(artifact_id=...) is not supported by this server yet');
          return apps.installer.install({ ...a, manifest: a.manifest ?? a.config ?? null } as never, ctx);
        },
      }),
      uninstall: defineMethod({
        description: 'Remove an app (staged changes only are discarded) and stop its sessions.',
        params: { app_id: appId },
        permission: 'none',
        handler: ({ app_id }, ctx) => apps.installer.uninstall(app_id, ctx),
      }),
      start: defineMethod({
        description: 'Start an app; returns its session.',
        params: {
          app_id: appId,
          timeout: Opt(Type.Number(), 'Seconds to wait (default 60).'),
          version: Opt(Type.String(), 'Version to run.'),
          wait_for_service: waitFor,
          stop_after_inactive: Opt(Type.Number(), 'Seconds of inactivity before it stops (600).'),
          stage: Type.Optional(Type.Boolean({ default: false, description: 'Run the staged version.' })),
          progress_callback: Type.Optional(Type.Any({ description: 'Receives {type, message}.' })),
          additional_kwargs: Opt(Obj, 'Extra keys for the worker start config.'),
          worker_id: Opt(Type.String(), 'Use this worker.'),
          worker_selection_mode: Opt(Type.String(), 'random, first, last, exact, min_load or select:...'),
        },
        permission: 'none',
        handler: ({ app_id, progress_callback: _p, ...o }, ctx) => apps.launcher.start(app_id, o as never, ctx),
      }),
      stop: defineMethod({
        description: 'Stop a session.',
        params: { session_id: sessionId, raise_exception: Type.Optional(Type.Boolean({ default: true, description: 'Raise when not found.' })) },
        permission: 'none',
        handler: ({ session_id, raise_exception }, ctx) => apps.launcher.stop(session_id, raise_exception !== false, ctx),
      }),
      list_running: defineMethod({
        description: 'Sessions of your workspace.',
        params: {},
        permission: 'read',
        handler: (_a, ctx) => apps.launcher.listRunning(ctx),
      }),
      list_apps: defineMethod({
        description: 'Installed apps of your workspace.',
        params: {},
        permission: 'read',
        handler: (_a, ctx) => apps.installer.listApps(ctx),
      }),
      list_workers: defineMethod({
        description: 'Workers (yours first, then public), optionally only those of one app type.',
        params: { app_type: Opt(Type.String(), 'Only workers supporting this type.') },
        permission: 'none',
        handler: ({ app_type }, ctx) => apps.workers.describe(app_type ?? null, ctx),
      }),
      edit_worker: defineMethod({
        description: 'Disable or enable a worker of your workspace; disabling stops its sessions.',
        params: { worker_id: Type.String({ description: 'The worker service id.' }), disabled: Opt(Type.Boolean(), 'Disable (true) or enable.') },
        permission: 'none',
        handler: async ({ worker_id, disabled }, ctx) => {
          const full = worker_id.includes('/') ? worker_id : `${ctx.ws}/${worker_id}`;
          rw(ctx, full.split('/')[0]!);
          if (disabled === null || disabled === undefined) return;
          await apps.workers.setDisabled(full, disabled);
          if (disabled) for (const s of await apps.launcher.sessions.list('*')) if (s.worker_id === full) await apps.launcher.stopSession(s.id);
        },
      }),
      get_logs: defineMethod({
        description: 'Logs of a session: {items:[{type, content}], total, offset, limit}.',
        params: {
          session_id: sessionId,
          type: Opt(Type.String(), 'Only items of this type.'),
          offset: Type.Optional(Type.Integer({ default: 0, description: 'Items to skip.' })),
          limit: Opt(Type.Integer(), 'Most items to return.'),
        },
        permission: 'none',
        handler: ({ session_id, type, offset, limit }, ctx) => apps.launcher.getLogs(session_id, type ?? null, offset ?? 0, limit ?? null, ctx),
      }),
      get_session_info: defineMethod({
        description: 'A session record.',
        params: { session_id: sessionId },
        permission: 'none',
        handler: ({ session_id }, ctx) => apps.launcher.ownSession(session_id, ctx),
      }),
      get_app_info: defineMethod({
        description: 'The app artifact.',
        params: { app_id: appId, version: Opt(Type.String(), 'Version.'), stage: Type.Optional(Type.Boolean({ default: false, description: 'The staged version.' })) },
        permission: 'read',
        handler: ({ app_id, version, stage }, ctx) => store.read(fileOp(apps, ctx, app_id), { version: version ?? null, stage }, ctx),
      }),
      commit_app: defineMethod({
        description: 'Verify-run the staged app and commit it.',
        params: {
          app_id: appId,
          timeout: Opt(Type.Number(), 'Seconds.'),
          version: Opt(Type.String(), 'Version name.'),
          stop_after_inactive: Opt(Type.Number(), 'Seconds.'),
          wait_for_service: waitFor,
          additional_kwargs: Opt(Obj, 'Extra start keys.'),
          progress_callback: Type.Optional(Type.Any({ description: 'Unused.' })),
          worker_id: Opt(Type.String(), 'Worker.'),
        },
        permission: 'read_write',
        handler: ({ app_id, progress_callback: _p, ...o }, ctx) => apps.installer.commit(app_id, o as never, ctx),
      }),
      edit_app: defineMethod({
        description: 'Stage edits to an app manifest (commit_app makes them take effect); disabled=True stops it.',
        params: {
          app_id: appId,
          manifest: Opt(Obj, 'Keys merged into the manifest.'),
          disabled: Opt(Type.Boolean(), 'Disable the app.'),
          autoscaling_config: Opt(Obj, 'AutoscalingConfig.'),
          autoscaling_manifest: Opt(Obj, 'Alias of autoscaling_config.'),
          startup_config: Opt(Obj, 'Defaults for start.'),
        },
        permission: 'read_write',
        handler: ({ app_id, ...edits }, ctx) => apps.installer.editApp(app_id, edits, ctx),
      }),
      read_file: defineMethod({
        description: 'Read a file of an app.',
        params: {
          app_id: appId,
          file_path: Type.String({ description: 'Path in the app.' }),
          format: Type.Optional(Type.Union([Type.Literal('text'), Type.Literal('json'), Type.Literal('binary')], { default: 'text', description: 'text, json or binary.' })),
          version: Opt(Type.String(), 'Version.'),
          stage: Type.Optional(Type.Boolean({ default: false, description: 'The staged version.' })),
        },
        permission: 'read',
        handler: ({ app_id, file_path, format, version, stage }, ctx) => store.readFile(fileOp(apps, ctx, app_id), file_path, { format: format ?? 'text', version: version ?? null, stage }, ctx),
      }),
      edit_file: defineMethod({
        description: 'Write a file of the staged app.',
        params: { app_id: appId, file_path: Type.String({ description: 'Path.' }), file_content: Type.String({ description: 'Text content.' }) },
        permission: 'read_write',
        handler: async ({ app_id, file_path, file_content }, ctx) => {
          const id = fileOp(apps, ctx, app_id);
          const current = await store.read(id, { stage: true }, ctx).catch(() => store.read(id, {}, ctx));
          if (!current.staging) await store.edit(id, current.manifest ?? {}, true, ctx);
          await store.putFile(id, file_path, Buffer.from(file_content), ctx);
        },
      }),
      remove_file: defineMethod({
        description: 'Remove a file of the staged app.',
        params: { app_id: appId, file_path: Type.String({ description: 'Path.' }) },
        permission: 'read_write',
        handler: ({ app_id, file_path }, ctx) => store.removeFile(fileOp(apps, ctx, app_id), file_path, ctx),
      }),
      list_files: defineMethod({
        description: 'Files of an app.',
        params: { app_id: appId },
        permission: 'read',
        handler: async ({ app_id }, ctx) => {
          const id = fileOp(apps, ctx, app_id);
          const a = await store.read(id, {}, ctx).catch(() => null);
          return store.listFiles(id, a ? {} : { stage: true }, ctx);
        },
      }),
      validate_app_manifest: defineMethod({
        description: 'Check a manifest: {valid, errors, warnings, suggestions}.',
        params: { manifest: Obj },
        permission: 'none',
        handler: ({ manifest }) => validateAppManifest(manifest),
      }),
    },
  });
}
