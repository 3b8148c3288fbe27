/**
 * What every artifact operation shares: the (lazily opened) database and blob store, looking up
 * artifacts by id, the permission check, and the read-only rules for anonymous users.
 */
import type { Kysely, Transaction } from 'kysely';
import { checkPermission } from '@hypha/auth';
import type { UserInfo } from '@hypha/auth';
import type { Database } from '@hypha/db';
import type { BlobStore } from '@hypha/storage';
import { ArtifactError, denied, invalid, notFound } from './errors.js';
import { parseArtifactId, type ArtifactRef } from './ids.js';
import { assertFileScope, assertGeneralUse } from './file-scope.js';
import type { FileScope } from './file-scope.js';
import { canPerform, parentAllowsRead, permissionsGrant, type Operation } from './permissions.js';
import type { ArtifactRow } from './record.js';
import type { SharedKeyValue } from './upload-state.js';
import type { UrlBase } from './url-options.js';
import type { VectorCollectionsOptions } from './vector-methods.js';
import type { ZenodoServers } from './zenodo-client.js';

/** The context the RPC layer injects (`require_context: true`), or the HTTP routes build. */
export interface ArtifactContext {
  /** The workspace the caller acts from. */
  ws: string;
  user: UserInfo;
  from?: string;
  /** Set by the HTTP file routes: the file a specialized (`get_file:`/`put_file:`) token may serve. */
  fileScope?: FileScope;
  [key: string]: unknown;
}

/** What the manager needs to know about a workspace. */
export interface WorkspaceFacts {
  persistent?: boolean;
  read_only?: boolean;
}

export interface ArtifactBackends {
  db: Kysely<Database>;
  store: BlobStore;
}

export interface ArtifactManagerOptions {
  /**
   * The database and blob store; may still be opening (calls wait for it), or a function that
   * opens them, called by the first call that needs them (an embedded database then costs no
   * memory until the artifact manager is used).
   */
  backends: ArtifactBackends | Promise<ArtifactBackends> | (() => Promise<ArtifactBackends>);
  /**
   * Where in-progress multipart uploads are kept: the server's event bus key-value side (memory,
   * or Redis in a cluster, so any instance can complete an upload another one started).
   */
  keyValue: SharedKeyValue;
  /** `public_base_url` of the server, for proxy URLs. */
  publicBaseUrl: string;
  /** `local_base_url` of the server (for `use_local_url=True`); defaults to `publicBaseUrl`. */
  localBaseUrl?: string;
  /**
   * Public prefixes of the store's presigned URLs and their server-local equivalents (the
   * `/fs-blobs` route, or the S3 public and internal endpoints), for `use_local_url`.
   */
  directUrlBases?: UrlBase[];
  /** `--enable-s3-for-anonymous-users`: anonymous users may write artifacts in their workspace. */
  allowAnonymousWrites?: boolean;
  /** Looks up a workspace (for `read_only`); missing means no workspace-level restriction is known. */
  workspaceInfo?: (workspace: string) => Promise<WorkspaceFacts | null | undefined>;
  /** Vector collections: where local embedding models live. */
  vectors?: VectorCollectionsOptions;
  /** Base URLs of the publishing targets (default: zenodo.org and sandbox.zenodo.org). */
  zenodoServers?: Partial<ZenodoServers>;
}

export type Db = Kysely<Database> | Transaction<Database>;

export function requireContext(context: unknown): ArtifactContext {
  const c = context as ArtifactContext | undefined;
  if (!c || typeof c.ws !== 'string' || !c.user || typeof c.user.id !== 'string') {
    throw denied('Permission denied: the call carries no valid context');
  }
  assertGeneralUse(c.user, c.fileScope);
  return c;
}

export class ArtifactAccess {
  private backends: ArtifactBackends | null = null;
  private pending: Promise<ArtifactBackends> | null = null;

  constructor(readonly options: ArtifactManagerOptions) {
    if (typeof options.backends !== 'function') this.start(options.backends);
  }

  private start(backends: ArtifactBackends | Promise<ArtifactBackends>): Promise<ArtifactBackends> {
    const pending = Promise.resolve(backends).then((b) => (this.backends = b));
    // A failed open is reported by every call that waits for it.
    pending.catch(() => undefined);
    this.pending = pending;
    return pending;
  }

  /** Resolves once the database and store are open (opening them first when they open on demand). */
  async ready(): Promise<ArtifactBackends> {
    if (this.backends) return this.backends;
    if (this.pending) return this.pending;
    const open = this.options.backends as () => Promise<ArtifactBackends>;
    return this.start(open());
  }

  get isReady(): boolean {
    return this.backends !== null;
  }

  /** Finds a row by reference; `lock` takes a row lock (inside a transaction). */
  async find(db: Db, ref: ArtifactRef, lock = false): Promise<ArtifactRow | undefined> {
    let q = db.selectFrom('artifacts').selectAll();
    q = 'uuid' in ref ? q.where('id', '=', ref.uuid) : q.where('workspace', '=', ref.workspace).where('alias', '=', ref.alias);
    if (lock) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  async findById(db: Db, id: string | null): Promise<ArtifactRow | null> {
    if (!id) return null;
    return (await db.selectFrom('artifacts').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
  }

  /** Row and parent for `artifactId`, or a `KeyError`. */
  async load(db: Db, artifactId: unknown, ctx: ArtifactContext, lock = false): Promise<{ row: ArtifactRow; parent: ArtifactRow | null }> {
    const ref = parseArtifactId(artifactId, ctx.ws);
    const row = await this.find(db, ref, lock);
    if (!row) {
      if ('uuid' in ref) throw notFound(`Artifact with ID '${ref.uuid}' does not exist.`);
      // The reference's hint for the usual mistake: a bare alias of another workspace's artifact.
      throw notFound(
        `Artifact with ID '${ref.workspace}/${ref.alias}' does not exist. Note: When working with artifacts from other workspaces, ` +
          'use the full ID (workspace/alias) returned by create(), not just the alias.',
      );
    }
    return { row, parent: await this.findById(db, row.parent_id) };
  }

  /**
   * Throws `PermissionError` unless §4.3 grants `op`. Specialized tokens must also name the file
   * (`ctx.fileScope`) and are refused for anything else.
   */
  check(ctx: ArtifactContext, op: Operation, row: ArtifactRow, parent: ArtifactRow | null): void {
    assertFileScope(ctx.user, ctx.fileScope, op, row);
    if (!canPerform(ctx.user, ctx.ws, op, row, parent)) {
      throw denied(`User ${ctx.user.id} does not have permission to perform the operation '${op}' on the artifact ${row.workspace}/${row.alias}.`);
    }
    // As in the reference, reading a child also needs the collection to allow the read: a
    // drop-box collection (`@: lf+`) stays write-only even for the children's own writers.
    if (parent && !parentAllowsRead(ctx.user, ctx.ws, op, row, parent)) {
      throw denied(
        `User ${ctx.user.id} does not have permission to perform the operation '${op}' on the parent collection ${parent.workspace}/${parent.alias}.`,
      );
    }
  }

  /** `load` + `check`; for write operations also the read-only rules. */
  async loadFor(db: Db, artifactId: unknown, ctx: ArtifactContext, op: Operation, lock = false) {
    const found = await this.load(db, artifactId, ctx, lock);
    this.check(ctx, op, found.row, found.parent);
    return found;
  }

  /**
   * Anonymous users' workspaces are read-only for artifacts (server-api §2.3) unless
   * `allowAnonymousWrites`; so are workspaces marked `read_only`.
   */
  async assertWritable(ctx: ArtifactContext, workspace: string, collectionGrant?: { parent: ArtifactRow; op: Operation }): Promise<void> {
    const anonymousAllowed = this.options.allowAnonymousWrites === true;
    if (ctx.user.is_anonymous && !anonymousAllowed) {
      throw denied(`Anonymous users cannot modify artifacts (workspace ${workspace} is read-only); log in, or start the server with --enable-s3-for-anonymous-users`);
    }
    // A collection that grants the caller the operation itself (e.g. a public drop-box in the
    // read-only `public` workspace) takes children there, as in the reference.
    if (collectionGrant && permissionsGrant(collectionGrant.parent.config?.permissions as never, ctx.user, ctx.ws, collectionGrant.op)) return;
    const info = await this.options.workspaceInfo?.(workspace);
    if (info?.read_only && !(anonymousAllowed && isAnonymousWorkspace(workspace)) && !checkPermission(ctx.user, '*', 'a')) {
      throw denied(`Workspace ${workspace} is read-only`);
    }
  }
}

export function isAnonymousWorkspace(ws: string): boolean {
  return ws === 'ws-anonymous' || ws.startsWith('ws-user-anonymouz-');
}

/** Turns a unique-constraint violation into a clear conflict; rethrows anything else. */
export function rethrowUnique(err: unknown, message: string): never {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === '23505') throw new ArtifactError('CONFLICT', message, { cause: err });
  throw err;
}

export function optionalBool(value: unknown, name: string, fallback = false): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw invalid(`${name} must be a boolean`);
  return value;
}
