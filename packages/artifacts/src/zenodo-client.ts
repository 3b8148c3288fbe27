/**
 * The parts of Zenodo's deposition API that `publish` uses: create or load a deposition, a new
 * version of a published record, metadata, the files already there, bucket uploads, publish.
 * The access token travels in the Authorization header, never in a URL, and no error message
 * carries it.
 */
import type { Readable } from 'node:stream';
import { HyphaError } from '@hypha/service';
import { invalid } from './errors.js';

/** Where each publishing target lives (`publish(to=...)`). */
export interface ZenodoServers {
  zenodo: string;
  sandbox_zenodo: string;
}

export const DEFAULT_ZENODO_SERVERS: ZenodoServers = {
  zenodo: 'https://zenodo.org',
  sandbox_zenodo: 'https://sandbox.zenodo.org',
};

export type Deposition = Record<string, unknown> & { id: number | string; links?: Record<string, string> };

const TIMEOUT_MS = 30_000;

/** A failed Zenodo call (over RPC the caller sees `RuntimeError: ...`, as the reference raises). */
export class ZenodoError extends HyphaError {
  constructor(message: string, options?: ErrorOptions) {
    super('internal', message, options);
    this.name = 'RuntimeError';
  }
}

export class ZenodoClient {
  constructor(
    private readonly token: string,
    readonly server: string,
  ) {}

  createDeposition(): Promise<Deposition> {
    return this.json('POST', `${this.server}/api/deposit/depositions`, {});
  }

  loadDeposition(id: string | number): Promise<Deposition> {
    return this.json('GET', `${this.server}/api/deposit/depositions/${encodeURIComponent(String(id))}`);
  }

  /** A new draft version of a published record. */
  async createNewVersion(recordId: string | number): Promise<Deposition> {
    const res = await this.json<Deposition>('POST', `${this.server}/api/deposit/depositions/${encodeURIComponent(String(recordId))}/actions/newversion`);
    const draft = res.links?.latest_draft;
    if (typeof draft !== 'string') throw new ZenodoError(`Zenodo answered a new version of record ${String(recordId)} without links.latest_draft`);
    return this.json('GET', draft);
  }

  async updateMetadata(deposition: Deposition, metadata: Record<string, unknown>): Promise<void> {
    await this.json('PUT', `${this.server}/api/deposit/depositions/${encodeURIComponent(String(deposition.id))}`, { metadata });
  }

  listFiles(deposition: Deposition): Promise<Array<{ filename: string }>> {
    return this.json('GET', `${this.server}/api/deposit/depositions/${encodeURIComponent(String(deposition.id))}/files`);
  }

  /** Streams a file into the deposition's bucket under `name`. */
  async uploadFile(deposition: Deposition, name: string, body: Readable, size: number): Promise<void> {
    const bucket = deposition.links?.bucket;
    if (typeof bucket !== 'string') throw new ZenodoError(`Zenodo deposition ${String(deposition.id)} has no links.bucket to upload ${name} to`);
    const url = `${bucket}/${name.split('/').map(encodeURIComponent).join('/')}`;
    await this.send('PUT', url, {
      body: body as unknown as BodyInit,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
      // Streamed request bodies need half-duplex fetch; no timeout: large files take long.
      duplex: 'half',
    } as RequestInit, 0);
  }

  async publish(deposition: Deposition): Promise<Deposition> {
    const url = `${this.server}/api/deposit/depositions/${encodeURIComponent(String(deposition.id))}/actions/publish`;
    const res = await this.send('POST', url, {}, TIMEOUT_MS, true);
    if (res.status === 400) {
      const detail = await res.text();
      throw new ZenodoError(`Failed to publish deposition: ${this.clean(detail)}, you might have forgotten to update the metadata.`);
    }
    await this.check('POST', url, res);
    return (await res.json()) as Deposition;
  }

  private async json<T = Deposition>(method: string, url: string, body?: unknown): Promise<T> {
    const init: RequestInit = body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } };
    const res = await this.send(method, url, init, TIMEOUT_MS);
    return (await res.json()) as T;
  }

  /** One request; non-2xx answers become a `ZenodoError` unless `raw`. */
  private async send(method: string, url: string, init: RequestInit, timeoutMs: number, raw = false): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(url, {
        ...init,
        method,
        headers: { ...(init.headers as Record<string, string> | undefined), Authorization: `Bearer ${this.token}` },
        redirect: 'follow',
        ...(timeoutMs > 0 ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
      });
    } catch (err) {
      const cause = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      throw new ZenodoError(`Could not reach Zenodo (${method} ${this.clean(url)}): ${this.clean(cause)}`, { cause: err });
    }
    if (!raw) await this.check(method, url, res);
    return res;
  }

  private async check(method: string, url: string, res: Response): Promise<void> {
    if (res.ok) return;
    const detail = await res.text().catch(() => '');
    throw new ZenodoError(
      `Zenodo deposition request failed: ${method} ${this.clean(url)} answered ${res.status} ${res.statusText}${detail ? `: ${this.clean(detail.slice(0, 500))}` : ''}`,
    );
  }

  /** Text without the token, and URLs without access_token parameters. */
  private clean(text: string): string {
    return text.split(this.token).join('***').replace(/([?&]access_token=)[^&\s'"]*/g, '$1***');
  }
}

/**
 * The client for a publishing target, with the token from the artifact's secrets (over its
 * collection's): `ZENODO_ACCESS_TOKEN`, or `SANDBOX_ZENODO_ACCESS_TOKEN` for the sandbox.
 */
export function zenodoClientFor(to: unknown, secrets: Record<string, unknown>, servers: ZenodoServers): ZenodoClient {
  if (to === 'zenodo' || to === 'sandbox_zenodo') {
    const name = to === 'zenodo' ? 'ZENODO_ACCESS_TOKEN' : 'SANDBOX_ZENODO_ACCESS_TOKEN';
    const token = secrets[name];
    if (typeof token !== 'string' || token === '') {
      throw invalid(`${to === 'zenodo' ? 'Zenodo' : 'Sandbox Zenodo'} access token is not configured in secrets (${name}).`);
    }
    return new ZenodoClient(token, servers[to].replace(/\/+$/, ''));
  }
  throw invalid(`Publishing to '${String(to)}' is not supported (use to="zenodo" or to="sandbox_zenodo").`);
}
