/**
 * File operations of the artifact manager (server-api §4.4): presigned uploads and downloads,
 * multipart uploads, listings, direct reads and writes, and the streams the HTTP routes serve.
 * Uploads go to the staged version's folder; the artifact must be staged.
 */
import { sql } from 'kysely';
import type { Readable } from 'node:stream';
import { jsonb } from '@hypha/db';
import type { JsonObject } from '@hypha/db';
import { MAX_PART_NUMBER, MAX_PRESIGN_EXPIRES_IN } from '@hypha/storage';
import type { BlobBody, BlobReadResult, ByteRange, CompletedPart } from '@hypha/storage';
import { optionalBool, requireContext } from './access.js';
import type { ArtifactAccess, ArtifactContext } from './access.js';
import { versionIndex } from './artifact-manager.js';
import { walk, readAll } from './blob-util.js';
import { conflict, fileNotFound, invalid, negativeWeight, notFound } from './errors.js';
import { validateDirPath, validateFilePath } from './ids.js';
import { fileKey, stageBackupKey, versionPrefix } from './keys.js';
import { nowSeconds, stagedVersionIndex, stagingOf, versionsOf } from './record.js';
import type { ArtifactRow, Staging } from './record.js';
import { MultipartUploads } from './upload-state.js';
import { localizeUrl, parseLocalUrl, parseUseProxy } from './url-options.js';
import type { LocalUrl } from './url-options.js';
import { createZipStream } from './zip-stream.js';
import { createSizedZipStream, zipLength } from './zip-writer.js';
import type { SizedZipEntry } from './zip-writer.js';
import { findZipMember, listZipDirectory, openZipMember, readZipIndex } from './zip-reader.js';

const READ_FILE_DEFAULT = 64 * 1024;
const READ_FILE_MAX = 10 * 1024 * 1024;
const UPLOAD_TTL_MS = 24 * 3600 * 1000;

function expiresIn(value: unknown): number {
  if (value === undefined || value === null) return 3600;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_PRESIGN_EXPIRES_IN) {
    throw invalid(`expires_in must be an integer number of seconds in 1..${MAX_PRESIGN_EXPIRES_IN}`);
  }
  return value;
}

function weight(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw negativeWeight(value);
  return value;
}

/** Which version's folder a read goes to. */
function readIndex(row: ArtifactRow, version: unknown, stage: unknown): number {
  if (optionalBool(stage, 'stage') || version === 'stage') return stagedVersionIndex(row);
  return versionIndex(row, version);
}

export class ArtifactFiles {
  private readonly uploads: MultipartUploads;

  constructor(private readonly access: ArtifactAccess) {
    this.uploads = new MultipartUploads(access.options.keyValue);
  }

  /** Records staged files (row-locked) after checking `put_file`, staging and write rules. */
  private async stageFiles(ctx: ArtifactContext, artifactId: unknown, entries: Array<{ path: string; download_weight: number }>): Promise<{ row: ArtifactRow; index: number }>;
  private async stageFiles<T>(
    ctx: ArtifactContext, artifactId: unknown, entries: Array<{ path: string; download_weight: number }>,
    write: (row: ArtifactRow, index: number) => Promise<T>,
    expectedIndex?: number,
  ): Promise<T>;
  private async stageFiles<T>(
    ctx: ArtifactContext, artifactId: unknown, entries: Array<{ path: string; download_weight: number }>,
    write?: (row: ArtifactRow, index: number) => Promise<T>,
    expectedIndex?: number,
  ): Promise<T | { row: ArtifactRow; index: number }> {
    const { db } = await this.access.ready();
    return db.transaction().execute(async (trx) => {
      const { row } = await this.access.loadFor(trx, artifactId, ctx, 'put_file', true);
      await this.access.assertWritable(ctx, row.workspace);
      const s: Staging | null = stagingOf(row);
      if (!s) throw invalid(`Artifact must be in staging mode to upload files (${row.workspace}/${row.alias}); call edit(..., stage=True) first.`);
      const index = stagedVersionIndex(row);
      if (index < versionsOf(row).length) {
        // An in-place edit overwrites committed files: keep the first committed copy for discard.
        const { store } = await this.access.ready();
        for (const e of entries) {
          if (s.files.some((f) => f.path === e.path)) continue;
          if (await store.head(fileKey(row, index, e.path))) await store.copy(fileKey(row, index, e.path), stageBackupKey(row, e.path));
        }
      }
      if (expectedIndex !== undefined && expectedIndex !== index) {
        throw conflict(`Artifact ${row.workspace}/${row.alias} was committed while the file was uploading; upload it again.`);
      }
      const written = write ? await write(row, index) : undefined;
      for (const e of entries) {
        const i = s.files.findIndex((f) => f.path === e.path);
        const entry = e.download_weight > 0 ? { path: e.path, download_weight: e.download_weight } : { path: e.path };
        if (i >= 0) s.files[i] = entry;
        else s.files.push(entry);
      }
      await trx.updateTable('artifacts').set({ staging: jsonb(s as unknown as JsonObject), last_modified: nowSeconds() }).where('id', '=', row.id).execute();
      return write ? (written as T) : { row, index };
    });
  }

  async put_file(
    artifact_id: unknown, file_path: unknown, download_weight: unknown, use_proxy: unknown, use_local_url: unknown,
    expires_in: unknown, context: unknown,
  ): Promise<string | Record<string, string>> {
    const ctx = requireContext(context);
    const { store } = await this.access.ready();
    const paths = (Array.isArray(file_path) ? file_path : [file_path]).map((p) => validateFilePath(p));
    const ttl = expiresIn(expires_in);
    const w = weight(download_weight);
    const proxy = parseUseProxy(use_proxy);
    const local = parseLocalUrl(use_local_url);
    const { row, index } = await this.stageFiles(ctx, artifact_id, paths.map((path) => ({ path, download_weight: w })));
    const urls: Record<string, string> = {};
    for (const path of paths) {
      urls[path] = proxy
        ? this.proxyUrl(row, path, local, w > 0 ? { download_weight: String(w) } : {})
        : this.localize(await store.presignPut(fileKey(row, index, path), { expiresIn: ttl }), local);
    }
    return Array.isArray(file_path) ? urls : urls[paths[0]!]!;
  }

  /**
   * The server's own file route for `path` with the extra query parameters. The caller presents
   * its own credentials there (header, cookie or `?token=`, e.g. a `get_file:`/`put_file:` token).
   */
  private proxyUrl(row: ArtifactRow, path: string, local: LocalUrl, extra: Record<string, string>): string {
    const o = this.access.options;
    const base = local === false ? o.publicBaseUrl : local === true ? (o.localBaseUrl ?? o.publicBaseUrl) : local;
    const qs = new URLSearchParams(extra).toString();
    return `${base.replace(/\/+$/, '')}/${row.workspace}/artifacts/${row.alias}/files/${path.split('/').map(encodeURIComponent).join('/')}${qs ? `?${qs}` : ''}`;
  }

  private localize(url: string, local: LocalUrl): string {
    return localizeUrl(url, local, this.access.options.directUrlBases ?? []);
  }

  async put_file_start_multipart(
    artifact_id: unknown, file_path: unknown, part_count: unknown, download_weight: unknown, expires_in: unknown,
    use_proxy: unknown, use_local_url: unknown, context: unknown,
  ): Promise<{ upload_id: string; parts: Array<{ part_number: number; url: string }> }> {
    const ctx = requireContext(context);
    const { store } = await this.access.ready();
    const path = validateFilePath(file_path);
    if (typeof part_count !== 'number' || !Number.isInteger(part_count)) throw invalid('part_count must be an integer');
    if (part_count < 1) throw invalid('Part count must be greater than 0');
    if (part_count > MAX_PART_NUMBER) throw invalid('The maximum number of parts is 10,000.');
    const ttl = expiresIn(expires_in);
    if (parseUseProxy(use_proxy)) throw invalid('use_proxy=True is not supported for multipart uploads: part URLs go to the store; upload through the PUT file route instead');
    const local = parseLocalUrl(use_local_url);
    const { row, index } = await this.stageFiles(ctx, artifact_id, [{ path, download_weight: weight(download_weight) }]);
    const key = fileKey(row, index, path);
    const uploadId = await store.createMultipartUpload(key);
    await this.uploads.remember(uploadId, { artifactUuid: row.id, key, path }, Math.max(ttl * 1000, UPLOAD_TTL_MS));
    const parts: Array<{ part_number: number; url: string }> = [];
    for (let n = 1; n <= part_count; n++) {
      parts.push({ part_number: n, url: this.localize(await store.presignUploadPart(key, uploadId, n, { expiresIn: ttl }), local) });
    }
    return { upload_id: uploadId, parts };
  }

  async put_file_complete_multipart(artifact_id: unknown, upload_id: unknown, parts: unknown, context: unknown): Promise<{ success: true; message: string }> {
    const ctx = requireContext(context);
    const { db, store } = await this.access.ready();
    if (typeof upload_id !== 'string') throw invalid('upload_id must be a string');
    const pending = await this.uploads.find(upload_id);
    if (!pending) throw invalid(`Upload session expired or not found (upload_id '${upload_id}')`);
    const { row } = await this.access.loadFor(db, artifact_id, ctx, 'put_file');
    await this.access.assertWritable(ctx, row.workspace);
    if (row.id !== pending.artifactUuid) throw invalid(`Upload ${upload_id} belongs to another artifact.`);
    if (!Array.isArray(parts) || parts.length === 0) throw invalid('parts must be a non-empty list of {part_number, etag}');
    const completed: CompletedPart[] = parts.map((p, i) => {
      const part = p as Record<string, unknown>;
      const partNumber = part.part_number ?? part.PartNumber;
      const etag = part.etag ?? part.ETag;
      if (typeof partNumber !== 'number' || typeof etag !== 'string') throw invalid(`parts[${i}] must be {part_number: int, etag: str}`);
      return { partNumber, etag };
    });
    completed.sort((a, b) => a.partNumber - b.partNumber);
    await store.completeMultipartUpload(pending.key, upload_id, completed);
    await this.uploads.forget(upload_id);
    return { success: true, message: `File ${pending.path} uploaded` };
  }

  /** Adds `weight` of each downloaded file to `download_count` (unless silent). */
  private async countDownload(row: ArtifactRow, paths: string[], silent: boolean): Promise<void> {
    if (silent) return;
    const weights = (row.config?.download_weights as Record<string, unknown> | undefined) ?? {};
    const total = paths.reduce((sum, p) => sum + (typeof weights[p] === 'number' ? (weights[p] as number) : 0), 0);
    if (total <= 0) return;
    const { db } = await this.access.ready();
    await db.updateTable('artifacts').set({ download_count: sql`download_count + ${total}` }).where('id', '=', row.id).execute();
  }

  async get_file(
    artifact_id: unknown, file_path: unknown, silent: unknown, version: unknown, stage: unknown, use_proxy: unknown,
    use_local_url: unknown, expires_in: unknown, context: unknown,
  ): Promise<string | Record<string, string>> {
    const ctx = requireContext(context);
    const { db, store } = await this.access.ready();
    const paths = (Array.isArray(file_path) ? file_path : [file_path]).map((p) => validateFilePath(p));
    const ttl = expiresIn(expires_in);
    const proxy = parseUseProxy(use_proxy);
    const local = parseLocalUrl(use_local_url);
    const { row } = await this.access.loadFor(db, artifact_id, ctx, 'get_file');
    const index = readIndex(row, version, stage);
    const extra: Record<string, string> = {};
    if (optionalBool(stage, 'stage') || version === 'stage') extra.stage = 'true';
    else if (version !== undefined && version !== null) extra.version = String(version);
    // get_file counts the download now; fetching the URL must not count it again.
    if (proxy) extra.silent = 'true';
    const urls: Record<string, string> = {};
    for (const path of paths) {
      if (!(await store.head(fileKey(row, index, path)))) throw fileNotFound(`File '${path}' does not exist in the artifact.`);
      urls[path] = proxy
        ? this.proxyUrl(row, path, local, extra)
        : this.localize(await store.presignGet(fileKey(row, index, path), { expiresIn: ttl }), local);
    }
    await this.countDownload(row, paths, optionalBool(silent, 'silent'));
    return Array.isArray(file_path) ? urls : urls[paths[0]!]!;
  }

  async list_files(
    artifact_id: unknown, dir_path: unknown, limit: unknown, version: unknown, stage: unknown, include_pending: unknown,
    offset: unknown, context: unknown,
  ): Promise<Array<Record<string, unknown>>> {
    const ctx = requireContext(context);
    const { db, store } = await this.access.ready();
    const dir = validateDirPath(dir_path);
    const take = limit === undefined || limit === null ? 1000 : Number(limit);
    const skip = offset === undefined || offset === null ? 0 : Number(offset);
    if (!Number.isInteger(take) || take < 1 || take > 10_000) throw invalid('limit must be an integer in 1..10000');
    if (!Number.isInteger(skip) || skip < 0) throw invalid('offset must be a non-negative integer');
    const { row } = await this.access.loadFor(db, artifact_id, ctx, 'list_files');
    const staged = optionalBool(stage, 'stage') || version === 'stage';
    const index = readIndex(row, version, stage);
    const prefix = versionPrefix(row, index) + (dir ? `${dir}/` : '');
    const out: Array<Record<string, unknown>> = [];
    const seen = new Set<string>();
    let position = 0;
    let token: string | undefined;
    do {
      const page = await store.list(prefix, { delimiter: '/', continuationToken: token });
      for (const p of page.prefixes) {
        const name = p.slice(prefix.length).replace(/\/$/, '');
        if (position++ >= skip && out.length < take) out.push({ type: 'directory', name });
      }
      for (const o of page.objects) {
        const name = o.key.slice(prefix.length);
        seen.add(name);
        if (position++ >= skip && out.length < take) out.push({ type: 'file', name, size: o.size, last_modified: o.lastModified.getTime() / 1000 });
      }
      token = out.length < take ? page.continuationToken : undefined;
    } while (token);
    const stagedFiles = stagingOf(row)?.files ?? [];
    const relative = (path: string) => (dir ? (path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : null) : path);
    if (staged) {
      // Listings of the staged version carry the download weights given to put_file.
      const weights = new Map(stagedFiles.filter((f) => f.download_weight !== undefined).map((f) => [relative(f.path), f.download_weight]));
      for (const item of out) if (weights.has(item.name as string)) item.download_weight = weights.get(item.name as string);
    }
    // Pending (announced, not yet uploaded) files only in listings of the staged version.
    if (staged && optionalBool(include_pending, 'include_pending')) {
      for (const f of stagedFiles) {
        const rel = relative(f.path);
        if (!rel || seen.has(rel) || out.length >= take) continue;
        out.push({ type: 'file', name: rel, size: 0, last_modified: null, etag: null, pending: true, ...(f.download_weight !== undefined ? { download_weight: f.download_weight } : {}) });
      }
    }
    return out;
  }

  async remove_file(artifact_id: unknown, file_path: unknown, context: unknown): Promise<void> {
    const ctx = requireContext(context);
    const { db, store } = await this.access.ready();
    const path = validateFilePath(file_path);
    const key = await db.transaction().execute(async (trx) => {
      const { row } = await this.access.loadFor(trx, artifact_id, ctx, 'remove_file', true);
      await this.access.assertWritable(ctx, row.workspace);
      const s = stagingOf(row);
      if (!s) throw invalid(`Artifact must be in staging mode to remove files (${row.workspace}/${row.alias}).`);
      s.files = s.files.filter((f) => f.path !== path);
      await trx.updateTable('artifacts').set({ staging: jsonb(s as unknown as JsonObject), last_modified: nowSeconds() }).where('id', '=', row.id).execute();
      return fileKey(row, stagedVersionIndex(row), path);
    });
    await store.delete(key);
  }

  async read_file(
    artifact_id: unknown, file_path: unknown, format: unknown, encoding: unknown, offset: unknown, limit: unknown,
    version: unknown, stage: unknown, context: unknown,
  ): Promise<Record<string, unknown>> {
    const ctx = requireContext(context);
    const { db, store } = await this.access.ready();
    const path = validateFilePath(file_path);
    const fmt = format ?? 'text';
    if (fmt !== 'text' && fmt !== 'binary' && fmt !== 'base64' && fmt !== 'json') throw invalid('format must be "text", "binary", "base64" or "json"');
    const enc = (encoding ?? 'utf-8') as string;
    if (!Buffer.isEncoding(enc)) throw invalid(`Unknown encoding ${JSON.stringify(encoding)}`);
    const start = offset === undefined || offset === null ? 0 : Number(offset);
    const length = limit === undefined || limit === null ? READ_FILE_DEFAULT : Number(limit);
    if (!Number.isInteger(start) || start < 0) throw invalid('offset must be a non-negative integer');
    if (!Number.isInteger(length) || length < 1 || length > READ_FILE_MAX) throw invalid(`limit must be an integer in 1..${READ_FILE_MAX}`);
    const { row } = await this.access.loadFor(db, artifact_id, ctx, 'get_file');
    const key = fileKey(row, readIndex(row, version, stage), path);
    const info = await store.head(key);
    if (!info) throw notFound(`File '${path}' not found in artifact ${row.workspace}/${row.alias}.`);
    if (start >= info.size && info.size > 0) throw invalid(`offset ${start} is beyond the end of the file (${info.size} bytes)`);
    const end = Math.min(info.size, start + length) - 1;
    const bytes = info.size === 0 ? Buffer.alloc(0) : await readAll((await store.get(key, { range: { start, end } })).body);
    let content: unknown;
    if (fmt === 'binary') content = new Uint8Array(bytes);
    else if (fmt === 'base64') content = bytes.toString('base64');
    else if (fmt === 'json') {
      if (end + 1 < info.size || start > 0) throw invalid('format "json" needs the whole file; raise limit or drop offset');
      try {
        content = JSON.parse(bytes.toString(enc as BufferEncoding));
      } catch (err) {
        throw invalid(`File '${path}' is not valid JSON: ${(err as Error).message}`, err);
      }
    } else content = bytes.toString(enc as BufferEncoding);
    return { name: path, path, format: fmt, content, offset: start, length: bytes.length, size: info.size, has_more: end + 1 < info.size };
  }

  async write_file(artifact_id: unknown, file_path: unknown, content: unknown, format: unknown, encoding: unknown, context: unknown): Promise<Record<string, unknown>> {
    const ctx = requireContext(context);
    const { store } = await this.access.ready();
    const path = validateFilePath(file_path);
    const fmt = format ?? 'text';
    const enc = (encoding ?? 'utf-8') as string;
    if (!Buffer.isEncoding(enc)) throw invalid(`Unknown encoding ${JSON.stringify(encoding)}`);
    let bytes: Uint8Array;
    if (fmt === 'text') {
      if (typeof content !== 'string') throw invalid('content must be a string for format "text"');
      bytes = Buffer.from(content, enc as BufferEncoding);
    } else if (fmt === 'base64') {
      if (typeof content !== 'string') throw invalid('content must be a base64 string for format "base64"');
      bytes = Buffer.from(content, 'base64');
    } else if (fmt === 'json') {
      // A string is JSON already (the reference's rule); anything else is serialised.
      bytes = Buffer.from(typeof content === 'string' ? content : JSON.stringify(content, null, 2), enc as BufferEncoding);
    } else if (fmt === 'binary') {
      if (!(content instanceof Uint8Array)) throw invalid('content must be bytes for format "binary"');
      bytes = content;
    } else throw invalid('format must be "text", "binary", "base64" or "json"');
    // The content is small: store it while holding the row lock, so a concurrent commit never
    // sees the file staged but not yet written.
    const stored = await this.stageFiles(ctx, artifact_id, [{ path, download_weight: 0 }], (row, index) => store.put(fileKey(row, index, path), bytes));
    return { success: true, path, size: stored.size };
  }

  // --------------------------------------------------------------- for the HTTP routes

  /** Opens a file for download (with an optional range) and counts the download. */
  async openFile(
    ctx: ArtifactContext, artifactId: string, path: string,
    o: { version?: string; stage?: boolean; silent?: boolean; range?: ByteRange },
  ): Promise<{ read: BlobReadResult; row: ArtifactRow }> {
    const { db, store } = await this.access.ready();
    const clean = validateFilePath(path);
    const { row } = await this.access.loadFor(db, artifactId, ctx, 'get_file');
    const key = fileKey(row, readIndex(row, o.version, o.stage), clean);
    const read = await store.get(key, { range: o.range }).catch((err: unknown) => {
      if ((err as { code?: string }).code === 'NOT_FOUND') throw notFound(`File '${clean}' does not exist in artifact ${row.workspace}/${row.alias}.`);
      throw err;
    });
    if (!o.range || (o.range as { start?: number }).start === 0) await this.countDownload(row, [clean], o.silent === true);
    return { read, row };
  }

  /** Presigned download URL (for `use_proxy=false` redirects). */
  async presignedDownload(
    ctx: ArtifactContext, artifactId: string, path: string,
    o: { version?: string; stage?: boolean; silent?: boolean; expiresIn?: number; useLocalUrl?: boolean | string },
  ): Promise<string> {
    return (await this.get_file(artifactId, path, o.silent, o.version, o.stage, false, o.useLocalUrl ?? false, o.expiresIn, ctx)) as string;
  }

  /** Streams a request body into the staged version (PUT route). */
  async uploadFile(ctx: ArtifactContext, artifactId: string, path: string, body: BlobBody, o: { size?: number; downloadWeight?: number }) {
    const { db, store } = await this.access.ready();
    const clean = validateFilePath(path);
    const w = weight(o.downloadWeight);
    // Check first, stream without holding a lock (uploads may be large), then record the file
    // only if no commit happened meanwhile, so a commit never sees it staged but unwritten.
    const { row } = await this.access.loadFor(db, artifactId, ctx, 'put_file');
    await this.access.assertWritable(ctx, row.workspace);
    if (!stagingOf(row)) throw invalid(`Artifact must be in staging mode to upload files (${row.workspace}/${row.alias}); call edit(..., stage=True) first.`);
    const index = stagedVersionIndex(row);
    const key = fileKey(row, index, clean);
    const stored = await store.put(key, body, { size: o.size });
    try {
      await this.stageFiles(ctx, artifactId, [{ path: clean, download_weight: w }], async () => undefined, index);
    } catch (err) {
      await store.delete(key);
      throw err;
    }
    return stored;
  }

  /** A streamed, uncompressed zip of the chosen files (or all) of a version; counts the download. */
  async zipFiles(
    ctx: ArtifactContext, artifactId: string, o: { files?: string[]; version?: string; silent?: boolean },
  ): Promise<{ stream: Readable; row: ArtifactRow; length: number | null }> {
    const { db, store } = await this.access.ready();
    const { row } = await this.access.loadFor(db, artifactId, ctx, 'get_file');
    const index = readIndex(row, o.version, false);
    const prefix = versionPrefix(row, index);
    const chosen = o.files?.map((f) => validateFilePath(f, 'file'));
    const entries: SizedZipEntry[] = [];
    if (chosen) {
      for (const f of chosen) {
        const info = await store.head(prefix + f);
        if (!info) throw notFound(`File '${f}' does not exist in artifact ${row.workspace}/${row.alias}.`);
        entries.push({ name: f, key: prefix + f, size: info.size });
      }
    } else {
      for await (const b of walk(store, prefix)) entries.push({ name: b.key.slice(prefix.length), key: b.key, size: b.size });
    }
    if (!o.silent) {
      const weights = (row.config?.download_weights as Record<string, unknown> | undefined) ?? {};
      const special = weights['create-zip-file'];
      const total = typeof special === 'number'
        ? special
        : entries.reduce((sum, e) => sum + (typeof weights[e.name] === 'number' ? (weights[e.name] as number) : 0), 0);
      if (total > 0) await db.updateTable('artifacts').set({ download_count: sql`download_count + ${total}` }).where('id', '=', row.id).execute();
    }
    const length = zipLength(entries);
    const stream = length === null ? createZipStream(store, (async function* () { yield* entries; })()) : createSizedZipStream(store, entries);
    return { stream, row, length };
  }

  /**
   * Inside a zip file of the artifact: the listing of `inner` (`''` or ending in `/`), or the
   * member's bytes.
   */
  async zipMember(
    ctx: ArtifactContext, artifactId: string, zipPath: string, inner: string, o: { version?: string; stage?: boolean },
  ): Promise<{ listing: Array<Record<string, unknown>> } | { name: string; size: number; body: Readable }> {
    const { db, store } = await this.access.ready();
    const { row } = await this.access.loadFor(db, artifactId, ctx, 'get_file');
    const key = fileKey(row, readIndex(row, o.version, o.stage), validateFilePath(zipPath));
    const info = await store.head(key);
    if (!info) throw notFound(`ZIP file not found: ${zipPath}`);
    const members = await readZipIndex(store, key, info.size);
    if (!inner || inner.endsWith('/')) return { listing: listZipDirectory(members, inner) };
    const member = findZipMember(members, inner);
    return { name: member.name, size: member.size, body: await openZipMember(store, key, member) };
  }
}
