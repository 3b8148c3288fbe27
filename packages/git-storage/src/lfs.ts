/**
 * Git LFS (basic transfer): the batch API hands out presigned store URLs for downloads and
 * uploads, `verify` checks an upload landed, and `objects/{oid}` streams through the server
 * (download redirects to a presigned URL; upload is hashed while it is stored).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform } from 'node:stream';
import { GitHttpError, unauthorized } from './git-auth.js';
import type { GitRepo } from './git-repo.js';

export const LFS_CONTENT_TYPE = 'application/vnd.git-lfs+json';
const EXPIRES_IN = 3600;
const OID_RE = /^[0-9a-f]{64}$/;

export type LfsRoute =
  | { kind: 'batch' }
  | { kind: 'verify'; oid: string }
  | { kind: 'download'; oid: string }
  | { kind: 'upload'; oid: string };

interface LfsUser {
  is_anonymous?: boolean;
}

export interface LfsDeps<U extends LfsUser> {
  reader(): Promise<U>;
  writer(): Promise<U>;
  open(user: U, write: boolean): Promise<GitRepo>;
  publicBaseUrl: string;
  /** `/{ws}/git/{alias}` as requested. */
  routeBase: string;
}

/** Key of an LFS object: sharded by the first two byte pairs of its sha256. */
export function lfsKey(repo: GitRepo, oid: string): string {
  return `${repo.prefix}lfs/objects/${oid.slice(0, 2)}/${oid.slice(2, 4)}/${oid}`;
}

function checkOid(oid: string): void {
  if (!OID_RE.test(oid)) throw new GitHttpError(422, `Invalid LFS object id ${JSON.stringify(oid.slice(0, 80))}: expected 64 lowercase hex digits`);
}

async function readJson(req: IncomingMessage, limit = 4 * 1024 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new GitHttpError(413, `Request body over ${limit} bytes`);
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new GitHttpError(422, `Invalid request body: ${(err as Error).message}`);
  }
}

function sendLfs(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': LFS_CONTENT_TYPE, 'Content-Length': String(Buffer.byteLength(text)) }).end(text);
}

interface BatchObject {
  oid: string;
  size: number;
}

function parseBatch(raw: unknown): { operation: string; objects: BatchObject[]; hashAlgo: string } {
  const b = raw as { operation?: unknown; objects?: unknown; hash_algo?: unknown };
  if (!b || typeof b !== 'object') throw new GitHttpError(422, 'Invalid request body: expected a JSON object');
  if (typeof b.operation !== 'string') throw new GitHttpError(422, 'Invalid request body: operation must be a string');
  if (!Array.isArray(b.objects)) throw new GitHttpError(422, 'Invalid request body: objects must be a list');
  const objects = b.objects.map((o: unknown, i) => {
    const x = o as { oid?: unknown; size?: unknown };
    if (!x || typeof x.oid !== 'string' || typeof x.size !== 'number' || !Number.isInteger(x.size) || x.size < 0) {
      throw new GitHttpError(422, `Invalid request body: objects[${i}] needs a string oid and a non-negative integer size`);
    }
    return { oid: x.oid, size: x.size };
  });
  return { operation: b.operation, objects, hashAlgo: typeof b.hash_algo === 'string' ? b.hash_algo : 'sha256' };
}

export async function handleLfs<U extends LfsUser>(route: LfsRoute, req: IncomingMessage, res: ServerResponse, d: LfsDeps<U>): Promise<void> {
  if (route.kind === 'batch') {
    const batch = parseBatch(await readJson(req));
    const write = batch.operation === 'upload';
    const user = write ? await d.writer() : await d.reader();
    if (write && user.is_anonymous) throw unauthorized('Authentication required for upload', { 'LFS-Authenticate': 'Basic realm="Git LFS"' });
    const repo = await d.open(user, write);
    const verifyBase = `${d.publicBaseUrl}${d.routeBase}/info/lfs/objects/verify`;
    const objects = [];
    for (const obj of batch.objects) {
      if (!OID_RE.test(obj.oid)) {
        objects.push({ oid: obj.oid, size: obj.size, error: { code: 422, message: 'Invalid object id' } });
        continue;
      }
      const key = lfsKey(repo, obj.oid);
      const info = await repo.store.head(key);
      if (batch.operation === 'download') {
        if (!info) objects.push({ oid: obj.oid, size: obj.size, error: { code: 404, message: 'Object not found' } });
        else objects.push({ oid: obj.oid, size: obj.size, authenticated: true, actions: { download: { href: await repo.store.presignGet(key, { expiresIn: EXPIRES_IN }), expires_in: EXPIRES_IN } } });
      } else if (write) {
        if (info && info.size === obj.size) {
          objects.push({ oid: obj.oid, size: obj.size, authenticated: true });
          continue;
        }
        const verifyHeader: Record<string, string> = {};
        if (req.headers.authorization) verifyHeader.Authorization = req.headers.authorization;
        objects.push({
          oid: obj.oid,
          size: obj.size,
          authenticated: true,
          actions: {
            upload: { href: await repo.store.presignPut(key, { expiresIn: EXPIRES_IN }), header: { 'Content-Type': 'application/octet-stream' }, expires_in: EXPIRES_IN },
            verify: { href: `${verifyBase}/${obj.oid}`, ...(req.headers.authorization ? { header: verifyHeader } : {}), expires_in: EXPIRES_IN },
          },
        });
      } else {
        objects.push({ oid: obj.oid, size: obj.size, error: { code: 422, message: `Unknown operation: ${batch.operation}` } });
      }
    }
    sendLfs(res, 200, { transfer: 'basic', objects, hash_algo: batch.hashAlgo });
    return;
  }
  checkOid(route.oid);
  if (route.kind === 'verify') {
    const body = (await readJson(req)) as { oid?: unknown; size?: unknown };
    if (!body || typeof body.oid !== 'string' || typeof body.size !== 'number') throw new GitHttpError(422, 'Invalid request body: needs oid and size');
    if (body.oid !== route.oid) throw new GitHttpError(422, `OID mismatch: URL has ${route.oid}, body has ${body.oid}`);
    const repo = await d.open(await d.writer(), true);
    const info = await repo.store.head(lfsKey(repo, route.oid));
    if (!info) throw new GitHttpError(404, 'Object not found');
    if (info.size !== body.size) throw new GitHttpError(422, `Size mismatch: expected ${body.size}, got ${info.size}`);
    res.writeHead(200).end();
    return;
  }
  if (route.kind === 'download') {
    const repo = await d.open(await d.reader(), false);
    const key = lfsKey(repo, route.oid);
    if (!(await repo.store.head(key))) throw new GitHttpError(404, 'Object not found');
    res.writeHead(307, { Location: await repo.store.presignGet(key, { expiresIn: EXPIRES_IN }) }).end();
    return;
  }
  const repo = await d.open(await d.writer(), true);
  const length = Number(req.headers['content-length']);
  if (!Number.isInteger(length) || length < 0) throw new GitHttpError(411, 'Content-Length required');
  const key = lfsKey(repo, route.oid);
  if ((await repo.store.head(key))?.size === length) {
    req.resume();
    res.writeHead(200).end();
    return;
  }
  // Stored under a temporary key while hashing; moved into place only when the hash matches.
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const tmpKey = `${repo.prefix}lfs/incoming/${route.oid}-${process.pid}-${Date.now()}`;
  await repo.store.put(tmpKey, req.pipe(hashing), { size: length });
  const got = hash.digest('hex');
  try {
    if (got !== route.oid) throw new GitHttpError(422, `Hash mismatch: expected ${route.oid}, got ${got}`);
    await repo.store.copy(tmpKey, key);
  } finally {
    await repo.store.delete(tmpKey);
  }
  res.writeHead(200).end();
}
