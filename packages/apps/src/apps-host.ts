/**
 * What the controller needs from the server around it, as two narrow interfaces, so the
 * controller runs on any host (the Hypha server, or a test harness with the real pieces).
 */
import type { KeyValueStore } from '@hypha/eventbus';
import type { CallContext } from '@hypha/service';

export type Unsubscribe = () => void;

/** The workspace side: tokens, service lookup and the events that prove an app is up. */
export interface AppsHost {
  serverId: string;
  publicBaseUrl: string;
  localBaseUrl: string;
  kv: KeyValueStore;
  /** Mint a token as the caller (`generate_token`). */
  generateToken(config: Record<string, unknown>, ctx: CallContext): Promise<string>;
  /** `list_services(query)` as the caller (registered services only). */
  listServices(query: Record<string, unknown>, ctx: CallContext): Promise<Array<Record<string, any>>>;
  /** A callable proxy of a registered service (`ws/cid:svc`). */
  getService(id: string, ctx: CallContext, options?: { timeout?: number }): Promise<Record<string, any>>;
  /** Workspace events seen by this instance: `service_added`, `client_connected`, `client_disconnected`. */
  onEvent(type: string, handler: (workspace: string, data: Record<string, any>) => void): Unsubscribe;
  /** Forgets a stopped session's client: its services leave the registry now, not when its socket closes. */
  removeClient(workspace: string, clientId: string): Promise<void>;
  /** Whether this instance leads its cluster (always true for a single server): autoscaling acts only there. */
  isLeader(): boolean;
  /** A context acting as root in `workspace` (lazy and daemon starts). */
  rootContext(workspace: string): CallContext;
}

/** One app artifact as the store returns it. */
export interface AppArtifact {
  id: string;
  alias: string;
  workspace: string;
  manifest: Record<string, any> | null;
  staging?: unknown;
  versions?: unknown[];
  [key: string]: unknown;
}

/** The artifact side: apps are artifacts of type `application` in `<ws>/applications`. */
export interface AppStore {
  /** Creates the collection when missing (as root in `workspace`). */
  ensureCollection(workspace: string): Promise<void>;
  /** Creates (or, with overwrite, replaces) the staged app artifact. */
  create(workspace: string, alias: string, manifest: Record<string, unknown>, overwrite: boolean, ctx: CallContext): Promise<AppArtifact>;
  edit(artifactId: string, manifest: Record<string, unknown>, stage: boolean, ctx: CallContext): Promise<void>;
  putFile(artifactId: string, path: string, content: Uint8Array, ctx: CallContext): Promise<void>;
  read(artifactId: string, opts: { version?: string | null; stage?: boolean }, ctx: CallContext): Promise<AppArtifact>;
  list(workspace: string, ctx: CallContext): Promise<AppArtifact[]>;
  commit(artifactId: string, version: string | null, ctx: CallContext): Promise<AppArtifact>;
  discard(artifactId: string, ctx: CallContext): Promise<void>;
  delete(artifactId: string, ctx: CallContext): Promise<void>;
  readFile(artifactId: string, path: string, opts: { format: 'text' | 'json' | 'binary'; version?: string | null; stage?: boolean }, ctx: CallContext): Promise<unknown>;
  listFiles(artifactId: string, opts: { version?: string | null; stage?: boolean }, ctx: CallContext): Promise<Array<Record<string, unknown>>>;
  removeFile(artifactId: string, path: string, ctx: CallContext): Promise<void>;
}
