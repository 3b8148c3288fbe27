/**
 * Where the bytes of a file in a git-storage artifact are: a small blob that is a Git LFS pointer
 * to a stored object stands for that object, any other blob for itself. File routes, view sites
 * and zips all serve files this way.
 */
import { blobStream, lfsKey, readBlob } from '@hypha/git-storage';
import type { BlobStore } from '@hypha/storage';
import type { GitArtifact } from './git-artifact-files.js';

const LFS_POINTER_RE = /^version https:\/\/git-lfs\.github\.com\/spec\/v1\noid sha256:([0-9a-f]{64})\nsize (\d+)\n/;

/** A file's content: `key` is `lfs:<store key>` or `git:<blob id>`; `size` is what it serves. */
export interface FileContent {
  key: string;
  size: number;
}

/** The content of the blob `oid` (of `size` bytes): its LFS object when it is a stored pointer. */
export async function fileContent(a: GitArtifact, oid: string, size: number): Promise<FileContent> {
  if (size <= 1024) {
    const m = LFS_POINTER_RE.exec((await readBlob(a.repo, oid)).toString('utf8'));
    if (m) {
      const key = lfsKey(a.repo, m[1]!);
      const info = await a.repo.store.head(key);
      if (info) return { key: `lfs:${key}`, size: info.size };
    }
  }
  return { key: `git:${oid}`, size };
}

/** Reads {@link FileContent} keys, as a blob store (what the zip writers read members from). */
export function contentStore(a: GitArtifact): BlobStore {
  return { get: async (key: string) => ({ body: await contentBody(a, key) }) } as unknown as BlobStore;
}

/** The bytes of a {@link FileContent} key. */
export async function contentBody(a: GitArtifact, key: string): Promise<NodeJS.ReadableStream> {
  return key.startsWith('lfs:') ? (await a.repo.store.get(key.slice(4))).body : blobStream(a.repo, key.slice(4));
}
