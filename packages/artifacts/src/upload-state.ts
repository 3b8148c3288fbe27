/**
 * Multipart uploads in progress, kept in a shared key-value store (the server's event bus: memory
 * or Redis) so that an upload started through one server instance can be completed through
 * another. Entries expire on their own.
 */

/** The part of `@hypha/eventbus`'s `KeyValueStore` this package uses. */
export interface SharedKeyValue {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, options?: { ttlMs?: number }): Promise<unknown>;
  del(...keys: string[]): Promise<number>;
}

/** What `put_file_complete_multipart` needs to finish an upload. */
export interface PendingUpload {
  /** The artifact's row id (UUID). */
  artifactUuid: string;
  /** Blob key the parts are assembled into. */
  key: string;
  /** The file path inside the artifact. */
  path: string;
}

const KEY_PREFIX = 'multipart_upload:';

export class MultipartUploads {
  constructor(private readonly kv: SharedKeyValue) {}

  async remember(uploadId: string, upload: PendingUpload, ttlMs: number): Promise<void> {
    await this.kv.set(KEY_PREFIX + uploadId, JSON.stringify(upload), { ttlMs });
  }

  /** The pending upload, or null when it does not exist (never started, finished or expired). */
  async find(uploadId: string): Promise<PendingUpload | null> {
    const raw = await this.kv.get(KEY_PREFIX + uploadId);
    if (raw === null) return null;
    const parsed = JSON.parse(raw) as Partial<PendingUpload>;
    if (typeof parsed.artifactUuid !== 'string' || typeof parsed.key !== 'string' || typeof parsed.path !== 'string') {
      throw new Error(`Stored multipart upload ${uploadId} is malformed: ${raw.slice(0, 200)}`);
    }
    return parsed as PendingUpload;
  }

  async forget(uploadId: string): Promise<void> {
    await this.kv.del(KEY_PREFIX + uploadId);
  }
}
