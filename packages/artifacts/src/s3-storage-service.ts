/**
 * `public/s3-storage` (`--enable-s3`): presigned upload/download URLs, multipart uploads, listing
 * and removal of files under the caller's workspace prefix (`<ws>/<path>`) of the workspace
 * bucket, declared with `@hypha/service`. With the S3 proxy on, URLs go through the server
 * (`<public_base_url>/s3/<bucket>/<key>?<signature>`).
 */
import { checkPermission } from '@hypha/auth';
import type { UserInfo } from '@hypha/auth';
import { defineMethod, defineService, HyphaError, InvalidArgumentError, PermissionDeniedError, Type } from '@hypha/service';
import type { CallContext } from '@hypha/service';
import { MAX_PART_NUMBER } from '@hypha/storage';
import type { BlobStore } from '@hypha/storage';
import type { WorkspaceFacts } from './access.js';
import type { SharedKeyValue } from './upload-state.js';
import { localizeUrl } from './url-options.js';
import type { UrlBase } from './url-options.js';
import { S3TtlSweeper } from './s3-ttl.js';

export interface S3StorageOptions {
  store: BlobStore;
  bucket: string;
  keyValue: SharedKeyValue;
  workspaceInfo: (ws: string) => Promise<WorkspaceFacts | null | undefined>;
  /** Set with `--enable-s3-proxy`: URLs on the server's `/s3` route instead of the S3 endpoint. */
  proxy?: { publicBaseUrl: string; endpointPublic: string };
  /** The store's public URL prefix and the server-local one, for `use_local_url`. */
  directUrlBases?: UrlBase[];
  log?: (level: 'error', msg: string, fields: Record<string, unknown>) => void;
}

type Ctx = CallContext & { user: UserInfo };

/** `<ws>/<path>`, refusing `..`, `.` and backslashes; `/abs` paths only for root admins. */
export function s3Key(ctx: { ws: string; user: UserInfo }, path: string): string {
  if (path.startsWith('/')) {
    if (!checkPermission(ctx.user, '*', 'a')) throw new PermissionDeniedError('Permission denied: only admin can access the root folder.');
    return checkSegments(path.slice(1));
  }
  return `${ctx.ws}/${checkSegments(path)}`;
}

function checkSegments(path: string): string {
  if (path.includes('\\') || path.split('/').some((s) => s === '..' || s === '.')) throw new InvalidArgumentError(`Invalid path: ${JSON.stringify(path)}`);
  return path.replace(/^\/+/, '');
}

const pathList = Type.Union([Type.String(), Type.Array(Type.String())], { description: 'A path under the workspace, or a list of them (then a map of path to URL is returned).' });
const useProxy = Type.Optional(Type.Union([Type.Boolean(), Type.Null()], { description: 'Ignored: the server-wide --enable-s3-proxy decides.', default: null }));
const useLocalUrl = Type.Optional(Type.Union([Type.Boolean(), Type.String()], { description: 'Use the server-local S3 URL (True) or this base URL.', default: false }));
const expiresIn = Type.Optional(Type.Number({ description: 'Seconds the URL stays valid (at most 7 days).', default: 3600, exclusiveMinimum: 0, maximum: 604800 }));

export function s3StorageService(o: S3StorageOptions) {
  const ttl = new S3TtlSweeper(o.store, o.log);
  const workspace = async (ctx: Ctx, write: boolean) => {
    const info = await o.workspaceInfo(ctx.ws);
    if (!info) throw new InvalidArgumentError(`Workspace ${ctx.ws} not found.`);
    if (write && info.read_only) throw new PermissionDeniedError('Permission denied: workspace is read-only');
    if (!checkPermission(ctx.user, ctx.ws, write ? 'rw' : 'r')) throw new PermissionDeniedError(`Permission denied: ${ctx.ws}`);
  };
  const publish = (url: string, local: unknown): string => {
    if (o.proxy) {
      const base = o.proxy.endpointPublic.replace(/\/+$/, '');
      if (url.startsWith(base)) return `${o.proxy.publicBaseUrl.replace(/\/+$/, '')}/s3${url.slice(base.length)}`;
    }
    return localizeUrl(url, (local ?? false) as boolean | string, o.directUrlBases ?? []);
  };
  const presign = async (ctx: Ctx, path: string, method: 'get_object' | 'put_object', seconds: number, local?: unknown) => {
    const key = s3Key(ctx, path);
    const url = method === 'put_object' ? await o.store.presignPut(key, { expiresIn: Math.ceil(seconds) }) : await o.store.presignGet(key, { expiresIn: Math.ceil(seconds) });
    return publish(url, local);
  };
  const many = async (paths: string | string[], one: (p: string) => Promise<string>) => {
    if (!Array.isArray(paths)) return one(paths);
    if (paths.length === 0) throw new InvalidArgumentError('file_path list must contain at least one path');
    const out: Record<string, string> = {};
    for (const p of paths) out[p] = await one(p);
    return out;
  };
  const uploads = `s3_multipart:`;

  return defineService({
    id: 's3-storage',
    name: 'S3 Storage Service',
    description: 'S3-compatible object storage for files and directories of a workspace: presigned URLs, multipart uploads, listing and removal.',
    config: { visibility: 'public' },
    methods: {
      put_file: defineMethod({
        description: 'Presigned URL(s) to upload file(s) to the workspace, optionally deleted after `ttl` seconds.',
        params: {
          file_path: pathList, use_proxy: useProxy, use_local_url: useLocalUrl, expires_in: expiresIn,
          ttl: Type.Optional(Type.Union([Type.Number(), Type.Array(Type.Number()), Type.Null()], { description: 'Seconds until the file(s) are deleted.', default: null })),
        },
        permission: 'none',
        async handler(a, ctx: Ctx) {
          await workspace(ctx, true);
          const paths = Array.isArray(a.file_path) ? a.file_path : [a.file_path];
          const ttls = Array.isArray(a.ttl) ? a.ttl : paths.map(() => a.ttl ?? null);
          if (ttls.length !== paths.length) throw new InvalidArgumentError(`ttl list length (${ttls.length}) must match file_path list length (${paths.length})`);
          paths.forEach((p, i) => {
            const t = ttls[i];
            if (typeof t === 'number' && t > 0) ttl.schedule(s3Key(ctx, p), t);
          });
          return many(a.file_path, (p) => presign(ctx, p, 'put_object', a.expires_in ?? 3600, a.use_local_url));
        },
      }),
      get_file: defineMethod({
        description: 'Presigned URL(s) to download file(s) of the workspace.',
        params: { file_path: pathList, use_proxy: useProxy, use_local_url: useLocalUrl, expires_in: expiresIn },
        permission: 'none',
        async handler(a, ctx: Ctx) {
          await workspace(ctx, false);
          return many(a.file_path, (p) => presign(ctx, p, 'get_object', a.expires_in ?? 3600, a.use_local_url));
        },
      }),
      generate_presigned_url: defineMethod({
        description: 'A presigned URL for `get_object` or `put_object` of a path (deprecated: use get_file / put_file).',
        params: {
          path: Type.String({ description: 'Path under the workspace.' }),
          client_method: Type.Optional(Type.Union([Type.Literal('get_object'), Type.Literal('put_object')], { default: 'get_object', description: 'get_object or put_object.' })),
          expiration: Type.Optional(Type.Number({ default: 3600, description: 'Seconds the URL stays valid.' })),
        },
        permission: 'none',
        async handler(a, ctx: Ctx) {
          const method = a.client_method ?? 'get_object';
          await workspace(ctx, method !== 'get_object');
          return presign(ctx, a.path, method, a.expiration ?? 3600);
        },
      }),
      list_files: defineMethod({
        description: 'Files and directories under a path of the workspace.',
        params: {
          path: Type.Optional(Type.String({ default: '', description: "Directory under the workspace ('' for its root)." })),
          max_length: Type.Optional(Type.Integer({ default: 1000, minimum: 1, maximum: 10000, description: 'At most this many entries.' })),
          offset: Type.Optional(Type.Integer({ default: 0, minimum: 0, description: 'Entries to skip.' })),
        },
        permission: 'none',
        async handler(a, ctx: Ctx) {
          if (!a.path?.startsWith('/') && !checkPermission(ctx.user, ctx.ws, 'r')) throw new PermissionDeniedError(`Permission denied: ${ctx.ws}`);
          let prefix = s3Key(ctx, a.path ?? '');
          if (!prefix.endsWith('/')) prefix += '/';
          return listDirectory(o.store, prefix, a.max_length ?? 1000, a.offset ?? 0);
        },
      }),
      generate_credential: defineMethod({
        description: 'S3 keys for direct access to the workspace prefix: not available here (the reference makes them with the MinIO admin API).',
        params: {},
        permission: 'none',
        async handler(_a, ctx: Ctx) {
          await workspace(ctx, true);
          throw new HyphaError(
            'unsupported',
            'generate_credential is not available: the reference creates a per-user account with the MinIO admin API, which plain S3 ' +
              'storage does not have, and this server gives out no long-lived S3 keys; use put_file / get_file (presigned URLs, ' +
              'multipart uploads) or the /{workspace}/files routes instead.',
          );
        },
      }),
      remove_file: defineMethod({
        description: 'Deletes a file, or a directory (path ending in /, or a prefix with files) with everything in it.',
        params: { path: Type.String({ description: 'File or directory under the workspace.' }) },
        permission: 'none',
        async handler(a, ctx: Ctx) {
          await workspace(ctx, true);
          const key = s3Key(ctx, a.path);
          if (!a.path.endsWith('/') && (await o.store.head(key))) {
            await o.store.delete(key);
            return { success: true, message: `File deleted successfully: ${a.path}` };
          }
          const prefix = key.endsWith('/') ? key : `${key}/`;
          const n = await o.store.deletePrefix(prefix);
          if (n > 0) return { success: true, message: `Directory deleted successfully: ${a.path}` };
          return { success: false, message: `Path does not exist: ${a.path}` };
        },
      }),
      delete_file: defineMethod({
        description: 'Deletes one file (deprecated: use remove_file).',
        params: { path: Type.String({ description: 'File under the workspace (not ending in /).' }) },
        permission: 'none',
        async handler(a, ctx: Ctx) {
          if (a.path.endsWith('/')) throw new InvalidArgumentError('Path should not end with a slash for file');
          await workspace(ctx, true);
          await o.store.delete(s3Key(ctx, a.path));
          return { success: true };
        },
      }),
      delete_directory: defineMethod({
        description: 'Deletes a directory and its contents (deprecated: use remove_file).',
        params: { path: Type.String({ description: 'Directory under the workspace, ending in /.' }) },
        permission: 'none',
        async handler(a, ctx: Ctx) {
          if (!a.path.endsWith('/')) throw new InvalidArgumentError('Path should end with a slash for directory');
          await workspace(ctx, true);
          await o.store.deletePrefix(s3Key(ctx, a.path));
          return { success: true };
        },
      }),
      put_file_start_multipart: defineMethod({
        description: 'Starts a multipart upload: an upload id and one presigned URL per part.',
        params: {
          file_path: Type.String({ description: 'Path under the workspace.' }),
          part_count: Type.Integer({ description: 'Number of parts (1..10000).' }),
          expires_in: Type.Optional(Type.Integer({ default: 3600, description: 'Seconds the part URLs stay valid.' })),
          ttl: Type.Optional(Type.Union([Type.Number(), Type.Null()], { default: null, description: 'Seconds until the file is deleted.' })),
        },
        permission: 'none',
        async handler(a, ctx: Ctx) {
          await workspace(ctx, true);
          if (a.part_count < 1 || a.part_count > MAX_PART_NUMBER) throw new InvalidArgumentError('part_count must be between 1 and 10000');
          const key = s3Key(ctx, a.file_path);
          const expires = a.expires_in ?? 3600;
          const uploadId = await o.store.createMultipartUpload(key);
          const parts: Array<{ part_number: number; url: string }> = [];
          for (let n = 1; n <= a.part_count; n++) parts.push({ part_number: n, url: publish(await o.store.presignUploadPart(key, uploadId, n, { expiresIn: expires }), false) });
          await o.keyValue.set(uploads + uploadId, JSON.stringify({ key, ws: ctx.ws, ttl: a.ttl ?? null }), { ttlMs: (expires + 10) * 1000 });
          return { upload_id: uploadId, parts };
        },
      }),
      put_file_complete_multipart: defineMethod({
        description: 'Completes a multipart upload with the parts (part_number and etag of each).',
        params: {
          upload_id: Type.String({ description: 'From put_file_start_multipart.' }),
          parts: Type.Array(Type.Object({ part_number: Type.Integer(), etag: Type.String() }), { description: 'The uploaded parts.' }),
        },
        permission: 'none',
        async handler(a, ctx: Ctx) {
          await workspace(ctx, true);
          if (!a.parts.length) throw new InvalidArgumentError('Parts list cannot be empty');
          const raw = await o.keyValue.get(uploads + a.upload_id);
          if (raw === null) throw new InvalidArgumentError(`Upload ID ${a.upload_id} not found or expired`);
          const pending = JSON.parse(raw) as { key: string; ws: string; ttl: number | null };
          if (pending.ws !== ctx.ws) throw new PermissionDeniedError(`Permission denied: upload ${a.upload_id} belongs to another workspace`);
          await o.store.completeMultipartUpload(pending.key, a.upload_id, a.parts.map((p) => ({ partNumber: p.part_number, etag: p.etag })));
          if (pending.ttl && pending.ttl > 0) ttl.schedule(pending.key, pending.ttl);
          await o.keyValue.del(uploads + a.upload_id);
          return { success: true, message: 'File uploaded successfully' };
        },
      }),
    },
  });
}

/** One level of `prefix`: directories then files, as the reference lists them. */
export async function listDirectory(store: BlobStore, prefix: string, max: number, offset: number): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  let position = 0;
  let token: string | undefined;
  do {
    const page = await store.list(prefix, { delimiter: '/', continuationToken: token });
    for (const p of page.prefixes) if (position++ >= offset && out.length < max) out.push({ type: 'directory', name: p.slice(prefix.length).replace(/\/$/, '') });
    for (const b of page.objects) {
      if (position++ >= offset && out.length < max) out.push({ type: 'file', name: b.key.slice(prefix.length), size: b.size, last_modified: b.lastModified.getTime() / 1000 });
    }
    token = out.length < max ? page.continuationToken : undefined;
  } while (token);
  return out;
}
